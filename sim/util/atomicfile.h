/* atomicfile: writing a file whole or not at all. The bytes go to a temporary file beside the
 * target (its name plus ATOMICFILE_SUFFIX, so on the same file system), which is renamed over the
 * target only when the caller commits and the file closed cleanly; otherwise the temporary file
 * is removed. Whoever reads the target sees the old file or the complete new one, never a
 * half-written one.
 *
 * Owns the temporary file, its stream and a copy of both names from open to commit or abort.
 * Does not own the writing: the caller writes to the stream and decides whether what it wrote is
 * complete. Does not sync to disk and does not pick a unique temporary name. */
#ifndef MAILSIM_ATOMICFILE_H
#define MAILSIM_ATOMICFILE_H

#include <stdbool.h>
#include <stdio.h>

/* The temporary file is the target's name with this appended. */
#define ATOMICFILE_SUFFIX ".tmp"

typedef struct AtomicFile AtomicFile;

/* Creates (or truncates) TARGET.tmp for binary writing. NULL with errno set when it cannot be
 * opened (a missing directory, no permission); the target is untouched either way. */
AtomicFile *atomicfile_open(const char *target);

/* The stream to write to, owned by af until commit or abort. */
FILE *atomicfile_stream(const AtomicFile *af);

/* Closes the stream and renames the temporary file over the target. Returns false, with errno
 * saying why and the temporary file removed, when the close or the rename fails; the target is
 * then untouched. Frees af either way. */
bool atomicfile_commit(AtomicFile *af);

/* Closes and removes the temporary file, leaving the target as it was, and frees af. Keeps errno
 * as it was, so the caller can still report why it gave up. NULL is a no-op. */
void atomicfile_abort(AtomicFile *af);

#endif
