/* test_atomicfile: writing an output file whole or not at all, without harming what is already
 * there (sim/util/atomicfile.h).
 *
 * While writing, the target keeps its old bytes; commit puts the new ones under the target's name
 * and leaves nothing else behind; abort and every failure (a missing directory, a directory as
 * target, a rename that cannot happen, a full device) leave the old target and no temporary file.
 * The temporary file never goes through a symlink planted under its old fixed name; the new file
 * keeps the old one's mode; a symlink to the target stays a symlink. A FIFO and a character
 * device are written directly and stay what they are. atomicfile_same_target finds one file
 * behind two spellings, a hard link and a symlink, and one place where no file is yet. */
#define _XOPEN_SOURCE 700 /* nftw, mknod */

#include "test.h"
#include "util/atomicfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cleanup_dir(void)
{
    nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
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

static bool text_is(const char *path, const char *want)
{
    char *got = read_text(path);
    bool same = strcmp(got, want) == 0;
    if (!same) {
        fprintf(stderr, "    %s holds \"%s\", expected \"%s\"\n", path, got, want);
    }
    free(got);
    return same;
}

/* How many names the case's directory holds: what a case leaves behind. */
static int entries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    }
    if (d) {
        closedir(d);
    }
    return n;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 ? st.st_mode : 0;
}

static void atomicfile_should_keep_the_old_target_until_commit_and_then_hold_the_new_bytes(void)
{
    make_dir();
    char target[128];
    path_in_dir(target, sizeof target, "out.txt");
    write_text(target, "old");

    AtomicFile *af = atomicfile_open(target);
    REQUIRE(af != NULL);
    CHECK(fputs("new bytes\n", atomicfile_stream(af)) >= 0);
    CHECK(fflush(atomicfile_stream(af)) == 0);
    CHECK(text_is(target, "old"));
    CHECK_EQ_INT(entries(), 2); /* the target and the temporary file */

    CHECK(atomicfile_commit(af));
    CHECK(text_is(target, "new bytes\n"));
    CHECK_EQ_INT(entries(), 1);
    cleanup_dir();
}

static void atomicfile_should_create_a_missing_target_with_0666_minus_the_umask(void)
{
    make_dir();
    char target[128];
    path_in_dir(target, sizeof target, "fresh.txt");
    mode_t old_mask = umask(022);
    AtomicFile *af = atomicfile_open(target);
    umask(old_mask);
    REQUIRE(af != NULL);
    CHECK(mode_of(target) == 0);
    fputs("x", atomicfile_stream(af));
    CHECK(atomicfile_commit(af));
    CHECK(text_is(target, "x"));
    CHECK_EQ_INT((int)(mode_of(target) & 07777), 0644);
    CHECK_EQ_INT(entries(), 1);
    cleanup_dir();
}

static void atomicfile_should_keep_the_mode_of_the_file_it_replaces(void)
{
    make_dir();
    char target[128];
    path_in_dir(target, sizeof target, "private.txt");
    write_text(target, "old");
    REQUIRE(chmod(target, 0600) == 0);
    AtomicFile *af = atomicfile_open(target);
    REQUIRE(af != NULL);
    fputs("new", atomicfile_stream(af));
    CHECK(atomicfile_commit(af));
    CHECK(text_is(target, "new"));
    CHECK_EQ_INT((int)(mode_of(target) & 07777), 0600);
    cleanup_dir();
}

static void atomicfile_should_leave_the_old_target_and_no_temporary_file_on_abort(void)
{
    make_dir();
    char target[128];
    path_in_dir(target, sizeof target, "keep.txt");
    write_text(target, "old");
    AtomicFile *af = atomicfile_open(target);
    REQUIRE(af != NULL);
    fputs("half a fi", atomicfile_stream(af));
    errno = ENOSPC; /* the writer's reason for giving up survives the abort */
    atomicfile_abort(af);
    CHECK_EQ_INT(errno, ENOSPC);
    CHECK(text_is(target, "old"));
    CHECK_EQ_INT(entries(), 1);
    atomicfile_abort(NULL); /* a no-op */
    cleanup_dir();
}

static void atomicfile_should_fail_to_open_in_a_missing_directory(void)
{
    make_dir();
    char target[128];
    path_in_dir(target, sizeof target, "no/such/dir/t.jsonl");
    errno = 0;
    CHECK(atomicfile_open(target) == NULL);
    CHECK_EQ_INT(errno, ENOENT);
    errno = 0;
    CHECK(atomicfile_open("") == NULL);
    CHECK_EQ_INT(errno, ENOENT);
    CHECK_EQ_INT(entries(), 0);
    cleanup_dir();
}

static void atomicfile_should_refuse_a_directory_before_writing_anything(void)
{
    make_dir();
    char target[128];
    path_in_dir(target, sizeof target, "adir");
    REQUIRE(mkdir(target, 0700) == 0);
    errno = 0;
    CHECK(atomicfile_open(target) == NULL);
    CHECK_EQ_INT(errno, EISDIR);
    CHECK(S_ISDIR(mode_of(target)));
    CHECK_EQ_INT(entries(), 1);
    cleanup_dir();
}

static void atomicfile_should_fail_a_commit_whose_rename_fails_and_remove_the_temporary_file(void)
{
    make_dir();
    /* A directory that appears in the target's place after the open, with something in it: the
     * rename over it fails (EISDIR) whoever runs the test, root included. */
    char target[128], inside[160];
    path_in_dir(target, sizeof target, "late");
    AtomicFile *af = atomicfile_open(target);
    REQUIRE(af != NULL);
    REQUIRE(mkdir(target, 0700) == 0);
    snprintf(inside, sizeof inside, "%s/x", target);
    write_text(inside, "x");
    fputs("bytes", atomicfile_stream(af));
    errno = 0;
    CHECK(!atomicfile_commit(af));
    CHECK(errno != 0);
    CHECK(S_ISDIR(mode_of(target)));
    CHECK(text_is(inside, "x"));
    CHECK_EQ_INT(entries(), 1);
    cleanup_dir();
}

static void atomicfile_should_never_follow_a_symlink_planted_under_the_temporary_name(void)
{
    make_dir();
    /* TARGET.tmp was once the fixed temporary name: a symlink there pointing at another file
     * had that file overwritten and then renamed over the target. */
    char target[128], planted[160], victim[128];
    path_in_dir(target, sizeof target, "t.jsonl");
    path_in_dir(victim, sizeof victim, "victim");
    snprintf(planted, sizeof planted, "%s.tmp", target);
    write_text(victim, "precious");
    REQUIRE(symlink(victim, planted) == 0);
    AtomicFile *af = atomicfile_open(target);
    REQUIRE(af != NULL);
    fputs("trace", atomicfile_stream(af));
    CHECK(atomicfile_commit(af));
    CHECK(text_is(victim, "precious"));
    CHECK(text_is(target, "trace"));
    CHECK(S_ISREG(mode_of(target)));
    CHECK(S_ISLNK(mode_of(planted)));
    CHECK_EQ_INT(entries(), 3);
    cleanup_dir();
}

static void atomicfile_should_write_through_a_symlink_and_keep_it(void)
{
    make_dir();
    char real[128], link[128];
    path_in_dir(real, sizeof real, "real.txt");
    path_in_dir(link, sizeof link, "link.txt");
    write_text(real, "old");
    REQUIRE(symlink("real.txt", link) == 0);
    AtomicFile *af = atomicfile_open(link);
    REQUIRE(af != NULL);
    fputs("new", atomicfile_stream(af));
    CHECK(atomicfile_commit(af));
    CHECK(S_ISLNK(mode_of(link)));
    CHECK(text_is(real, "new"));
    CHECK_EQ_INT(entries(), 2);
    cleanup_dir();
}

static void atomicfile_should_write_a_fifo_directly_and_leave_it_a_fifo(void)
{
    make_dir();
    char fifo[128];
    path_in_dir(fifo, sizeof fifo, "pipe");
    REQUIRE(mkfifo(fifo, 0600) == 0);
    /* A reader first, so the writer's open does not wait. */
    int reader = open(fifo, O_RDONLY | O_NONBLOCK);
    REQUIRE(reader >= 0);
    AtomicFile *af = atomicfile_open(fifo);
    REQUIRE(af != NULL);
    fputs("through the pipe", atomicfile_stream(af));
    CHECK(atomicfile_commit(af));
    char buf[64] = "";
    ssize_t n = read(reader, buf, sizeof buf - 1);
    close(reader);
    CHECK(n == (ssize_t)strlen("through the pipe"));
    buf[n > 0 ? n : 0] = '\0';
    CHECK_EQ_STR(buf, "through the pipe");
    CHECK(S_ISFIFO(mode_of(fifo)));
    CHECK_EQ_INT(entries(), 1);
    cleanup_dir();
}

/* A character device with the numbers of /dev/null (1, 3) or /dev/full (1, 7): made in the
 * case's directory when mknod is allowed (root) and the file system lets it be opened, so a
 * regression replaces only this copy; otherwise the system's own, which an unprivileged test
 * cannot replace. */
static void device_path(char *buf, size_t size, const char *name, unsigned minor)
{
    path_in_dir(buf, size, name);
    if (mknod(buf, S_IFCHR | 0666, makedev(1, minor)) == 0) {
        int fd = open(buf, O_WRONLY);
        if (fd >= 0) {
            close(fd);
            return;
        }
        unlink(buf);
    }
    snprintf(buf, size, "/dev/%s", name);
}

static void atomicfile_should_write_a_character_device_directly_and_leave_it_a_device(void)
{
    make_dir();
    char null_dev[128];
    device_path(null_dev, sizeof null_dev, "null", 3);
    AtomicFile *af = atomicfile_open(null_dev);
    REQUIRE(af != NULL);
    fputs("nothing", atomicfile_stream(af));
    CHECK(atomicfile_commit(af));
    CHECK(S_ISCHR(mode_of(null_dev)));
    CHECK_EQ_INT(entries(), strncmp(null_dev, dir, strlen(dir)) == 0 ? 1 : 0);
    cleanup_dir();
}

static void atomicfile_should_fail_a_commit_whose_flush_fails(void)
{
    make_dir();
    char full_dev[128];
    device_path(full_dev, sizeof full_dev, "full", 7);
    AtomicFile *af = atomicfile_open(full_dev);
    REQUIRE(af != NULL);
    fputs("no room for this", atomicfile_stream(af));
    errno = 0;
    CHECK(!atomicfile_commit(af));
    CHECK_EQ_INT(errno, ENOSPC);
    CHECK(S_ISCHR(mode_of(full_dev)));
    cleanup_dir();
}

static void atomicfile_should_tell_when_two_names_are_one_target(void)
{
    make_dir();
    char a[128], a2[160], hard[128], soft[128], b[128], new1[128], new2[160], other[128];
    path_in_dir(a, sizeof a, "a.json");
    snprintf(a2, sizeof a2, "%s/./a.json", dir);
    path_in_dir(hard, sizeof hard, "hard.json");
    path_in_dir(soft, sizeof soft, "soft.json");
    path_in_dir(b, sizeof b, "b.json");
    path_in_dir(new1, sizeof new1, "new.json");
    snprintf(new2, sizeof new2, "%s/../%s/new.json", dir, strrchr(dir, '/') + 1);
    path_in_dir(other, sizeof other, "other.json");
    write_text(a, "a");
    write_text(b, "b");
    REQUIRE(link(a, hard) == 0);
    REQUIRE(symlink("a.json", soft) == 0);

    CHECK(atomicfile_same_target(a, a));
    CHECK(atomicfile_same_target(a, a2));
    CHECK(atomicfile_same_target(a, hard));
    CHECK(atomicfile_same_target(soft, a));
    CHECK(!atomicfile_same_target(a, b));
    CHECK(atomicfile_same_target(new1, new2)); /* no file yet: the same place */
    CHECK(!atomicfile_same_target(new1, other));
    CHECK(!atomicfile_same_target(new1, a)); /* one exists, the other does not */
    CHECK(!atomicfile_same_target("/dev/null", "/dev/null")); /* written directly: no harm */
    cleanup_dir();
}

RUN_TESTS(TEST_CASE(atomicfile_should_keep_the_old_target_until_commit_and_then_hold_the_new_bytes),
          TEST_CASE(atomicfile_should_create_a_missing_target_with_0666_minus_the_umask),
          TEST_CASE(atomicfile_should_keep_the_mode_of_the_file_it_replaces),
          TEST_CASE(atomicfile_should_leave_the_old_target_and_no_temporary_file_on_abort),
          TEST_CASE(atomicfile_should_fail_to_open_in_a_missing_directory),
          TEST_CASE(atomicfile_should_refuse_a_directory_before_writing_anything),
          TEST_CASE(atomicfile_should_fail_a_commit_whose_rename_fails_and_remove_the_temporary_file),
          TEST_CASE(atomicfile_should_never_follow_a_symlink_planted_under_the_temporary_name),
          TEST_CASE(atomicfile_should_write_through_a_symlink_and_keep_it),
          TEST_CASE(atomicfile_should_write_a_fifo_directly_and_leave_it_a_fifo),
          TEST_CASE(atomicfile_should_write_a_character_device_directly_and_leave_it_a_device),
          TEST_CASE(atomicfile_should_fail_a_commit_whose_flush_fails),
          TEST_CASE(atomicfile_should_tell_when_two_names_are_one_target))
