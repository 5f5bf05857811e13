/* test_atomicfile: writing a file whole or not at all (sim/util/atomicfile.h).
 *
 * While writing, the target keeps its old bytes and the bytes go to TARGET.tmp; commit puts them
 * under the target's name and leaves no temporary file; abort leaves the old target and no
 * temporary file; an open in a missing directory and a rename that cannot happen fail with errno
 * set and leave nothing behind. */
#define _POSIX_C_SOURCE 200809L

#include "test.h"
#include "util/atomicfile.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

/* A fresh directory for each case (removed again by cleanup_dir). */
static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/mailsim-atomicfile-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        exit(1);
    }
}

static void path_in_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* The whole file as a string ("" when it cannot be read; the caller frees). */
static char *read_text(const char *path)
{
    char *buf = calloc(1, 4096);
    FILE *f = fopen(path, "rb");
    if (f) {
        size_t n = fread(buf, 1, 4095, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void cleanup_dir(const char *name)
{
    char path[128];
    path_in_dir(path, sizeof path, name);
    remove(path);
    remove(dir);
}

static void atomicfile_should_keep_the_old_target_until_commit_and_then_hold_the_new_bytes(void)
{
    make_dir();
    char target[128], temp[160];
    path_in_dir(target, sizeof target, "out.txt");
    snprintf(temp, sizeof temp, "%s%s", target, ATOMICFILE_SUFFIX);
    write_text(target, "old");

    AtomicFile *af = atomicfile_open(target);
    REQUIRE(af != NULL);
    CHECK(fputs("new bytes\n", atomicfile_stream(af)) >= 0);
    CHECK(fflush(atomicfile_stream(af)) == 0);
    char *during = read_text(target);
    CHECK_EQ_STR(during, "old");
    free(during);
    char *pending = read_text(temp);
    CHECK_EQ_STR(pending, "new bytes\n");
    free(pending);

    CHECK(atomicfile_commit(af));
    char *after = read_text(target);
    CHECK_EQ_STR(after, "new bytes\n");
    free(after);
    CHECK(!exists(temp));
    cleanup_dir("out.txt");
}

static void atomicfile_should_create_a_target_that_did_not_exist(void)
{
    make_dir();
    char target[128];
    path_in_dir(target, sizeof target, "fresh.txt");
    AtomicFile *af = atomicfile_open(target);
    REQUIRE(af != NULL);
    CHECK(!exists(target));
    fputs("x", atomicfile_stream(af));
    CHECK(atomicfile_commit(af));
    char *after = read_text(target);
    CHECK_EQ_STR(after, "x");
    free(after);
    cleanup_dir("fresh.txt");
}

static void atomicfile_should_leave_the_old_target_and_no_temporary_file_on_abort(void)
{
    make_dir();
    char target[128], temp[160];
    path_in_dir(target, sizeof target, "keep.txt");
    snprintf(temp, sizeof temp, "%s%s", target, ATOMICFILE_SUFFIX);
    write_text(target, "old");
    AtomicFile *af = atomicfile_open(target);
    REQUIRE(af != NULL);
    fputs("half a fi", atomicfile_stream(af));
    errno = ENOSPC; /* the writer's reason for giving up survives the abort */
    atomicfile_abort(af);
    CHECK_EQ_INT(errno, ENOSPC);
    char *after = read_text(target);
    CHECK_EQ_STR(after, "old");
    free(after);
    CHECK(!exists(temp));
    atomicfile_abort(NULL); /* a no-op */
    cleanup_dir("keep.txt");
}

static void atomicfile_should_fail_to_open_in_a_missing_directory(void)
{
    make_dir();
    char target[128];
    path_in_dir(target, sizeof target, "no/such/dir/t.jsonl");
    errno = 0;
    CHECK(atomicfile_open(target) == NULL);
    CHECK_EQ_INT(errno, ENOENT);
    cleanup_dir("no");
}

static void atomicfile_should_fail_a_commit_whose_rename_fails_and_remove_the_temporary_file(void)
{
    make_dir();
    /* A directory in the target's place: the temporary file opens beside it, the rename over a
     * directory fails. */
    char target[128], temp[160];
    path_in_dir(target, sizeof target, "adir");
    snprintf(temp, sizeof temp, "%s%s", target, ATOMICFILE_SUFFIX);
    REQUIRE(mkdir(target, 0700) == 0);
    AtomicFile *af = atomicfile_open(target);
    REQUIRE(af != NULL);
    fputs("bytes", atomicfile_stream(af));
    errno = 0;
    CHECK(!atomicfile_commit(af));
    CHECK(errno != 0);
    CHECK(!exists(temp));
    struct stat st;
    CHECK(stat(target, &st) == 0 && S_ISDIR(st.st_mode));
    rmdir(target);
    cleanup_dir("adir");
}

RUN_TESTS(TEST_CASE(atomicfile_should_keep_the_old_target_until_commit_and_then_hold_the_new_bytes),
          TEST_CASE(atomicfile_should_create_a_target_that_did_not_exist),
          TEST_CASE(atomicfile_should_leave_the_old_target_and_no_temporary_file_on_abort),
          TEST_CASE(atomicfile_should_fail_to_open_in_a_missing_directory),
          TEST_CASE(atomicfile_should_fail_a_commit_whose_rename_fails_and_remove_the_temporary_file))
