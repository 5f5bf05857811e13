/* test_datadir: where a data folder is found (sim/util/datadir.h).
 *
 * Each case builds fake trees in a fresh temporary directory — an installed prefix
 * (prefix/bin beside prefix/share/mailsim/assets), a source tree, an override, a current
 * directory — and checks which one the search picks: the override alone when set (and an error,
 * not a fallback, when it is wrong), then the installed folder beside the program, then the
 * source tree, then the current directory; folders without the probe are passed over; paths come
 * out clean; the running program's own directory is found. */
#define _POSIX_C_SOURCE 200809L

#include "test.h"
#include "util/datadir.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROBE "fonts/DejaVuSans.ttf"
#define TEST_PATH 256 /* room for any path a case builds under root */

static char root[64];          /* the case's temporary directory */
static char saved_cwd[DATADIR_PATH_MAX];
static char made[32][TEST_PATH];     /* what the case created, removed in reverse order */
static int nmade;

static void remember(const char *path)
{
    if (nmade < (int)(sizeof made / sizeof made[0])) {
        snprintf(made[nmade++], sizeof made[0], "%s", path);
    }
}

/* Creates root/rel and every folder above it. */
static void make_dirs(const char *rel)
{
    char path[TEST_PATH];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0755) == 0) {
                remember(path);
            }
            *p = '/';
        }
    }
    if (mkdir(path, 0755) == 0) {
        remember(path);
    }
}

/* A folder root/rel holding the probe file. */
static void make_data(const char *rel)
{
    char dir[TEST_PATH], file[TEST_PATH];
    snprintf(dir, sizeof dir, "%s/fonts", rel);
    make_dirs(dir);
    snprintf(file, sizeof file, "%s/%s/%s", root, rel, PROBE);
    FILE *f = fopen(file, "wb");
    if (f) {
        fputs("font", f);
        fclose(f);
        remember(file);
    }
}

/* root/rel as a full path, in one of two rotating buffers: good for two uses at once, not for
 * keeping. */
static const char *at(const char *rel)
{
    static char bufs[2][TEST_PATH];
    static int next;
    char *b = bufs[next++ % 2];
    snprintf(b, sizeof bufs[0], "%s/%s", root, rel);
    return b;
}

/* A fresh root, which is also the current directory until end_case. */
static void begin_case(void)
{
    snprintf(root, sizeof root, "/tmp/mailsim-datadir-XXXXXX");
    if (!mkdtemp(root) || !getcwd(saved_cwd, sizeof saved_cwd) || chdir(root) != 0) {
        perror("test_datadir setup");
        exit(1);
    }
    nmade = 0;
}

static void end_case(void)
{
    if (chdir(saved_cwd) != 0) {
        perror("chdir");
    }
    while (nmade > 0) {
        remove(made[--nmade]);
    }
    remove(root);
}

/* The search as an installed program would run it: the program in root/prefix/bin, the source
 * tree at root/src/assets, the override `env` (NULL: unset). */
static DataDirStatus search(const char *env, char *out, size_t out_size)
{
    char exe_dir[TEST_PATH], source_dir[TEST_PATH];
    snprintf(exe_dir, sizeof exe_dir, "%s/prefix/bin", root);
    snprintf(source_dir, sizeof source_dir, "%s/src/assets", root);
    DataDirSearch s = { .name = "assets",
                        .probe = PROBE,
                        .env_value = env,
                        .exe_dir = exe_dir,
                        .source_dir = source_dir };
    return datadir_search(&s, out, out_size);
}

static void datadir_should_prefer_the_installed_folder_to_the_source_tree_and_the_cwd(void)
{
    begin_case();
    make_dirs("prefix/bin");
    make_data("prefix/share/mailsim/assets");
    make_data("prefix/assets");
    make_data("src/assets");
    make_data("assets");
    char out[DATADIR_PATH_MAX];
    CHECK_EQ_INT(search(NULL, out, sizeof out), DATADIR_FOUND);
    CHECK_EQ_STR(out, at("prefix/share/mailsim/assets"));
    end_case();
}

static void datadir_should_try_beside_the_program_in_order_before_the_source_tree(void)
{
    begin_case();
    make_dirs("prefix/bin");
    make_data("src/assets");
    make_data("prefix/bin/assets");
    char out[DATADIR_PATH_MAX];
    CHECK_EQ_INT(search(NULL, out, sizeof out), DATADIR_FOUND);
    CHECK_EQ_STR(out, at("prefix/bin/assets"));
    make_data("assets"); /* root = two levels above prefix/bin */
    CHECK_EQ_INT(search(NULL, out, sizeof out), DATADIR_FOUND);
    CHECK_EQ_STR(out, at("assets"));
    make_data("prefix/assets");
    CHECK_EQ_INT(search(NULL, out, sizeof out), DATADIR_FOUND);
    CHECK_EQ_STR(out, at("prefix/assets"));
    end_case();
}

static void datadir_should_use_the_source_tree_when_nothing_is_beside_the_program(void)
{
    begin_case();
    make_dirs("prefix/bin");
    make_dirs("prefix/share/mailsim/assets"); /* no probe: an empty install does not count */
    make_data("src/assets");
    make_dirs("cwd");
    make_data("cwd/assets");
    CHECK(chdir(at("cwd")) == 0);
    char out[DATADIR_PATH_MAX];
    CHECK_EQ_INT(search(NULL, out, sizeof out), DATADIR_FOUND);
    CHECK_EQ_STR(out, at("src/assets"));
    end_case();
}

static void datadir_should_fall_back_to_the_current_directory_last(void)
{
    begin_case();
    make_dirs("prefix/bin");
    make_dirs("cwd");
    make_data("cwd/assets");
    CHECK(chdir(at("cwd")) == 0);
    char out[DATADIR_PATH_MAX];
    CHECK_EQ_INT(search(NULL, out, sizeof out), DATADIR_FOUND);
    CHECK_EQ_STR(out, "assets");
    end_case();
}

static void datadir_should_take_only_the_override_when_it_is_set(void)
{
    begin_case();
    make_dirs("prefix/bin");
    make_data("prefix/share/mailsim/assets");
    make_data("mine");
    char out[DATADIR_PATH_MAX];
    CHECK_EQ_INT(search(at("mine"), out, sizeof out), DATADIR_FOUND);
    CHECK_EQ_STR(out, at("mine"));
    /* An empty override is no override. */
    CHECK_EQ_INT(search("", out, sizeof out), DATADIR_FOUND);
    CHECK_EQ_STR(out, at("prefix/share/mailsim/assets"));
    end_case();
}

static void datadir_should_report_a_wrong_override_without_looking_elsewhere(void)
{
    begin_case();
    make_dirs("prefix/bin");
    make_data("prefix/share/mailsim/assets");
    make_data("src/assets");
    make_data("assets");
    make_dirs("empty");
    char out[DATADIR_PATH_MAX];
    CHECK_EQ_INT(search(at("empty"), out, sizeof out), DATADIR_ENV_WRONG);
    CHECK_EQ_STR(out, "");
    CHECK_EQ_INT(search(at("nowhere"), out, sizeof out), DATADIR_ENV_WRONG);
    /* One that would hold the probe but does not fit the caller's buffer is wrong too. */
    char small[8];
    CHECK_EQ_INT(search(at("src/assets"), small, sizeof small), DATADIR_ENV_WRONG);
    end_case();
}

static void datadir_should_say_not_found_when_no_place_holds_the_probe(void)
{
    begin_case();
    make_dirs("prefix/bin");
    make_dirs("prefix/share/mailsim/assets");
    make_dirs("src/assets");
    make_dirs("assets");
    char out[DATADIR_PATH_MAX];
    CHECK_EQ_INT(search(NULL, out, sizeof out), DATADIR_NOT_FOUND);
    CHECK_EQ_STR(out, "");
    end_case();
}

static void datadir_should_take_any_directory_without_a_probe_but_not_a_file(void)
{
    begin_case();
    make_dirs("prefix/bin");
    make_dirs("prefix/share/mailsim");
    FILE *f = fopen(at("prefix/share/mailsim/scenarios"), "wb"); /* a file, not a folder */
    if (f) {
        fclose(f);
        remember(at("prefix/share/mailsim/scenarios"));
    }
    make_dirs("src/scenarios");
    char exe_dir[TEST_PATH], source_dir[TEST_PATH], out[DATADIR_PATH_MAX];
    snprintf(exe_dir, sizeof exe_dir, "%s", at("prefix/bin"));
    snprintf(source_dir, sizeof source_dir, "%s", at("src/scenarios"));
    DataDirSearch s = { .name = "scenarios", .exe_dir = exe_dir, .source_dir = source_dir };
    CHECK_EQ_INT(datadir_search(&s, out, sizeof out), DATADIR_FOUND);
    CHECK_EQ_STR(out, at("src/scenarios"));
    remove(at("prefix/share/mailsim/scenarios"));
    make_dirs("prefix/share/mailsim/scenarios");
    CHECK_EQ_INT(datadir_search(&s, out, sizeof out), DATADIR_FOUND);
    CHECK_EQ_STR(out, at("prefix/share/mailsim/scenarios"));
    end_case();
}

static void datadir_should_give_paths_without_dots_or_doubled_slashes(void)
{
    begin_case();
    make_dirs("prefix/bin");
    make_data("prefix/share/mailsim/assets");
    char exe_dir[TEST_PATH], out[DATADIR_PATH_MAX];
    snprintf(exe_dir, sizeof exe_dir, "%s/prefix/bin//", root); /* trailing slashes */
    DataDirSearch s = { .name = "assets", .probe = PROBE, .exe_dir = exe_dir };
    CHECK_EQ_INT(datadir_search(&s, out, sizeof out), DATADIR_FOUND);
    CHECK_EQ_STR(out, at("prefix/share/mailsim/assets"));
    /* A program in / looks in /share/mailsim/NAME, /NAME: never "//" or above the root. */
    DataDirSearch top = { .name = "mailsim-datadir-no-such-folder", .exe_dir = "/" };
    CHECK_EQ_INT(datadir_search(&top, out, sizeof out), DATADIR_NOT_FOUND);
    DataDirSearch tmp = { .name = "tmp", .exe_dir = "/" };
    CHECK_EQ_INT(datadir_search(&tmp, out, sizeof out), DATADIR_FOUND);
    CHECK_EQ_STR(out, "/tmp");
    end_case();
}

static void datadir_should_pass_over_a_place_that_does_not_fit_the_buffer(void)
{
    begin_case();
    make_dirs("prefix/bin");
    make_data("prefix/share/mailsim/assets");
    make_data("assets");
    /* Room for "assets" in the current directory, not for the installed folder's full path. */
    char out[8];
    CHECK_EQ_INT(search(NULL, out, sizeof out), DATADIR_FOUND);
    CHECK_EQ_STR(out, "assets");
    end_case();
}

static void datadir_should_find_the_running_programs_directory(void)
{
    char dir[DATADIR_PATH_MAX], self[DATADIR_PATH_MAX + 32];
    REQUIRE(datadir_exe_dir(dir, sizeof dir));
    CHECK(dir[0] == '/');
#ifdef __EMSCRIPTEN__
    /* WebAssembly has no program file: a web page preloads its data under DATADIR_WEB_ROOT. */
    (void)self;
    CHECK_EQ_STR(dir, DATADIR_WEB_ROOT);
#else
    /* ctest runs this test from the source tree; the program lives in the build tree. */
    snprintf(self, sizeof self, "%s/test_datadir", dir);
    struct stat st;
    CHECK(stat(self, &st) == 0 && S_ISREG(st.st_mode));
#endif
    char small[2];
    CHECK(!datadir_exe_dir(small, sizeof small));
    CHECK_EQ_STR(small, "");
}

RUN_TESTS(TEST_CASE(datadir_should_prefer_the_installed_folder_to_the_source_tree_and_the_cwd),
          TEST_CASE(datadir_should_try_beside_the_program_in_order_before_the_source_tree),
          TEST_CASE(datadir_should_use_the_source_tree_when_nothing_is_beside_the_program),
          TEST_CASE(datadir_should_fall_back_to_the_current_directory_last),
          TEST_CASE(datadir_should_take_only_the_override_when_it_is_set),
          TEST_CASE(datadir_should_report_a_wrong_override_without_looking_elsewhere),
          TEST_CASE(datadir_should_say_not_found_when_no_place_holds_the_probe),
          TEST_CASE(datadir_should_take_any_directory_without_a_probe_but_not_a_file),
          TEST_CASE(datadir_should_give_paths_without_dots_or_doubled_slashes),
          TEST_CASE(datadir_should_pass_over_a_place_that_does_not_fit_the_buffer),
          TEST_CASE(datadir_should_find_the_running_programs_directory))
