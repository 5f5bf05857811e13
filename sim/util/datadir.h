/* datadir: where mailsim's read-only data folders (the player's assets/, the shipped scenarios/)
 * are found at run time, so that an installed program works without its source tree and a build
 * tree works without being installed.
 *
 * Owns the search order, tried until a place holds the folder:
 *   1. an override (such as $MAILSIM_ASSETS): when set, the only place tried — a set but wrong
 *      override is the user's mistake to hear about, not a reason to look elsewhere;
 *   2. beside the running program (/proc/self/exe; in a web page DATADIR_WEB_ROOT):
 *      ../share/mailsim/NAME (the installed layout, bin/ and share/ under one prefix), then
 *      ../NAME, ../../NAME and NAME;
 *   3. the folder in the source tree, a path fixed at compile time (for a build tree);
 *   4. NAME in the current directory.
 * Does not own what a folder must hold (the caller names a file to probe for), nor the wording of
 * a failure (the caller reports it, naming the places in its own terms), nor reading the
 * environment (the caller passes the override's value). */
#ifndef MAILSIM_DATADIR_H
#define MAILSIM_DATADIR_H

#include <stdbool.h>
#include <stddef.h>

/* Under emscripten, the folder of the virtual filesystem that stands for the program's directory:
 * the web page preloads its assets/ and scenarios/ there (web/build-page.sh). */
#define DATADIR_WEB_ROOT "/mailsim"

/* The longest path the search builds or returns, terminating NUL included. */
#define DATADIR_PATH_MAX 4096

/* One search. Every string is the caller's and only read. */
typedef struct {
    const char *name;       /* the folder's name: "assets", "scenarios" */
    const char *probe;      /* a file the folder must hold, relative to it ("fonts/DejaVuSans.ttf"),
                               or NULL when the folder need only exist */
    const char *env_value;  /* the override's value, or NULL or "" when it is not set */
    const char *exe_dir;    /* the running program's directory, or NULL when unknown */
    const char *source_dir; /* the folder in the source tree, or NULL */
} DataDirSearch;

typedef enum {
    DATADIR_FOUND,     /* out holds the folder's path */
    DATADIR_ENV_WRONG, /* the override is set but does not hold the probe; nothing else was tried */
    DATADIR_NOT_FOUND, /* no place holds the folder */
} DataDirStatus;

/* Tries the places of `s` in the order above. On DATADIR_FOUND, out (out_size bytes) holds the
 * first that holds the probe (or, without a probe, is a directory); otherwise out is "". A place
 * whose path does not fit in out is passed over (an override that does not fit is wrong). */
DataDirStatus datadir_search(const DataDirSearch *s, char *out, size_t out_size);

/* datadir_search for the running program: exe_dir from datadir_exe_dir. */
DataDirStatus datadir_find(const char *name, const char *probe, const char *env_value,
                           const char *source_dir, char *out, size_t out_size);

/* The directory of the running program, symlinks resolved (/proc/self/exe), into out. false when
 * the system does not say (no /proc, not Linux) or the path does not fit; out is then "". */
bool datadir_exe_dir(char *out, size_t out_size);

#endif
