/* atomicfile: a unique temporary file beside the target, synced and renamed into place on
 * commit; special files written directly (see atomicfile.h). */
#define _XOPEN_SOURCE 700 /* realpath, with POSIX.1-2008 */

#include "util/atomicfile.h"

#include "util/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct AtomicFile {
    FILE *f;
    char *target; /* what the temporary file is renamed to: the file a symlink names, if any */
    char *temp;   /* target + ATOMICFILE_SUFFIX + XXXXXX; NULL when writing a special file */
};

static void atomicfile_free(AtomicFile *af)
{
    free(af->target);
    free(af->temp);
    free(af);
}

/* Closes the stream, removes the temporary file if there still is one and frees af, with errno
 * kept, so a failure's reason survives the cleanup. */
static void close_keeping_errno(AtomicFile *af)
{
    int saved = errno;
    if (af->f) {
        fclose(af->f);
    }
    if (af->temp) {
        unlink(af->temp);
    }
    atomicfile_free(af);
    errno = saved;
}

/* The special file itself, opened without O_CREAT (so nothing is made if it went away); NULL and
 * errno set when it cannot be opened, and NULL with errno 0 when it turned into a regular file or
 * a directory since it was looked at (the caller then takes the temporary-file path). */
static AtomicFile *open_special(const char *target)
{
    int fd = open(target, O_WRONLY | O_NOCTTY);
    if (fd < 0) {
        return NULL;
    }
    struct stat st;
    bool statted = fstat(fd, &st) == 0;
    if (!statted || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
        int saved = statted ? 0 : errno;
        close(fd);
        errno = saved;
        return NULL;
    }
    FILE *f = fdopen(fd, "wb");
    if (!f) {
        int saved = errno;
        close(fd);
        errno = saved;
        return NULL;
    }
    AtomicFile *af = xcalloc(1, sizeof *af);
    af->f = f;
    af->target = xstrdup(target);
    return af;
}

/* 0666 minus the umask: the mode fopen gives a new file. umask can only be read by setting it,
 * so it is set back at once (mailsim is single-threaded). */
static mode_t new_file_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return (mode_t)0666 & ~mask;
}

AtomicFile *atomicfile_open(const char *target)
{
    assert(target);
    if (!target[0]) {
        errno = ENOENT;
        return NULL;
    }
    struct stat st, lst;
    bool exists = stat(target, &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        return NULL;
    }
    if (exists && !S_ISREG(st.st_mode)) {
        AtomicFile *special = open_special(target);
        if (special || errno != 0) {
            return special;
        }
        exists = stat(target, &st) == 0;
    }
    AtomicFile *af = xcalloc(1, sizeof *af);
    /* Through a symlink to an existing file: replace that file, keep the link. */
    char *real = exists && lstat(target, &lst) == 0 && S_ISLNK(lst.st_mode) ? realpath(target, NULL)
                                                                             : NULL;
    af->target = real ? real : xstrdup(target);
    size_t n = strlen(af->target) + sizeof ATOMICFILE_SUFFIX + 6;
    af->temp = xmalloc(n);
    snprintf(af->temp, n, "%s%sXXXXXX", af->target, ATOMICFILE_SUFFIX);
    int fd = mkstemp(af->temp);
    if (fd < 0) {
        int saved = errno;
        free(af->temp);
        af->temp = NULL; /* nothing was created, nothing to remove */
        errno = saved;
        goto fail;
    }
    mode_t mode = exists ? st.st_mode & 0777 : new_file_mode();
    if (fchmod(fd, mode) != 0 || !(af->f = fdopen(fd, "wb"))) {
        int saved = errno;
        close(fd);
        errno = saved;
        goto fail;
    }
    return af;
fail:
    close_keeping_errno(af);
    return NULL;
}

FILE *atomicfile_stream(const AtomicFile *af)
{
    assert(af);
    return af->f;
}

bool atomicfile_commit(AtomicFile *af)
{
    assert(af);
    /* A write that failed earlier left the error flag and its bytes in the buffer, so fflush
     * retries them and fails again with the reason; EIO only when it somehow does not. */
    bool ok = fflush(af->f) == 0;
    if (ok && ferror(af->f)) {
        errno = EIO;
        ok = false;
    }
    if (ok && af->temp && fsync(fileno(af->f)) != 0) {
        ok = false;
    }
    int reason = errno;
    if (fclose(af->f) != 0 && ok) {
        ok = false;
        reason = errno;
    }
    af->f = NULL;
    if (ok && af->temp && rename(af->temp, af->target) != 0) {
        ok = false;
        reason = errno;
    }
    if (ok) {
        free(af->temp);
        af->temp = NULL; /* renamed into place: nothing to remove */
    }
    errno = reason;
    close_keeping_errno(af);
    return ok;
}

void atomicfile_abort(AtomicFile *af)
{
    if (!af) {
        return;
    }
    close_keeping_errno(af);
}

/* A path where no file is yet, with its directory resolved (symlinks, "." and ".."), so two
 * spellings of one place compare equal; the path as given when the directory does not resolve
 * either. The caller frees it. */
static char *resolve_missing(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char *dir = slash ? xstrdup(path) : xstrdup(".");
    if (slash) {
        dir[slash == path ? 1 : (size_t)(slash - path)] = '\0'; /* "/x" lives in "/" */
    }
    char *real_dir = realpath(dir, NULL);
    free(dir);
    if (!real_dir) {
        return xstrdup(path);
    }
    size_t n = strlen(real_dir) + strlen(base) + 2;
    char *out = xmalloc(n);
    snprintf(out, n, "%s/%s", real_dir, base);
    free(real_dir);
    return out;
}

bool atomicfile_same_target(const char *a, const char *b)
{
    assert(a && b);
    struct stat sa, sb;
    bool ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
    if (ea || eb) {
        return ea && eb && S_ISREG(sa.st_mode) && S_ISREG(sb.st_mode) && sa.st_dev == sb.st_dev &&
               sa.st_ino == sb.st_ino;
    }
    char *ra = resolve_missing(a), *rb = resolve_missing(b);
    bool same = strcmp(ra, rb) == 0;
    free(ra);
    free(rb);
    return same;
}
