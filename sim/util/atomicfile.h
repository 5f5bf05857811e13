/* atomicfile: writing an output file whole or not at all, without harming what is already there.
 *
 * A regular file, or a name where there is no file yet, is written to a temporary file beside it
 * (so on the same file system), which is flushed, synced and renamed over the target only when
 * the caller commits and every write succeeded; otherwise the temporary file is removed. Whoever
 * reads the target sees the old file or the complete new one, never a half-written one. The
 * temporary file has a unique name (TARGET.tmp.XXXXXX from mkstemp, created with O_EXCL, so an
 * existing file or symlink under that name is never opened or followed). The new file gets the
 * old file's permission bits, or 0666 minus the umask when there was none (what a shell `>` and
 * fopen give). A target that is a symlink to a file is written through: its file is replaced and
 * the link stays.
 *
 * A FIFO, a character device or any other special file is written directly instead: renaming
 * over it would replace it with a regular file (as root, `--trace /dev/null` would replace
 * /dev/null). What was written to it cannot be taken back, so abort only closes it. A directory
 * is refused at open (EISDIR).
 *
 * Owns the file, its stream and copies of the names from open to commit or abort. Does not own
 * the writing: the caller writes to the stream and decides whether what it wrote is complete.
 * Does not know about "-" for standard output: that is the caller's convention. */
#ifndef MAILSIM_ATOMICFILE_H
#define MAILSIM_ATOMICFILE_H

#include <stdbool.h>
#include <stdio.h>

/* The temporary file is the target's name with this and six unique characters appended. */
#define ATOMICFILE_SUFFIX ".tmp."

typedef struct AtomicFile AtomicFile;

/* Opens target for binary writing as described above: a new temporary file beside a regular
 * target, or the special file itself. NULL with errno set when it cannot (a missing directory,
 * no permission, a directory or an empty name as target); the target is untouched then. Opening a
 * FIFO waits for a reader, as a shell `>` does. */
AtomicFile *atomicfile_open(const char *target);

/* The stream to write to, owned by af until commit or abort. */
FILE *atomicfile_stream(const AtomicFile *af);

/* Flushes, checks the stream for a failed write, syncs the temporary file to disk, closes it and
 * renames it over the target (a special file is flushed and closed). Returns false, with errno
 * saying why and the temporary file removed, when any of these fails; a regular target is then
 * untouched. Frees af either way. */
bool atomicfile_commit(AtomicFile *af);

/* Closes and removes the temporary file, leaving the target as it was (a special file is only
 * closed), and frees af. Keeps errno as it was, so the caller can still report why it gave up.
 * NULL is a no-op. */
void atomicfile_abort(AtomicFile *af);

/* True when writing a and b would write the same regular file: both name one existing regular
 * file (the same device and inode, through any symlink or hard link), or neither exists and both
 * resolve to the same path (./out.json and out.json). Special files are never "the same" here:
 * they are written directly, so two outputs to /dev/null harm nothing. */
bool atomicfile_same_target(const char *a, const char *b);

#endif
