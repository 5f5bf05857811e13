/* datadir: the search for a data folder (see datadir.h). */
#define _POSIX_C_SOURCE 200809L /* readlink, stat */

#include "util/datadir.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The places beside the program, best first: `up` levels above the program's directory, then
 * `below` and the folder's name. The first is the installed layout (PREFIX/bin/mailsim and
 * PREFIX/share/mailsim/NAME); the others are a build or an unpacked folder next to the data. */
typedef struct {
    int up;
    const char *below;
} BesidePlace;

static const BesidePlace BESIDE[] = {
    { 1, "share/mailsim/" },
    { 1, "" },
    { 2, "" },
    { 0, "" },
};

static bool holds_probe(const char *dir, const char *probe)
{
    if (!probe) {
        struct stat st;
        return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
    }
    char path[DATADIR_PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", dir, probe) >= (int)sizeof path) {
        return false;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        return false;
    }
    fclose(f);
    return true;
}

/* Copies dir into out when it fits there and holds the probe; leaves out alone otherwise. */
static bool try_place(const char *dir, const char *probe, char *out, size_t out_size)
{
    size_t len = strlen(dir);
    if (len >= out_size || !holds_probe(dir, probe)) {
        return false;
    }
    memcpy(out, dir, len + 1);
    return true;
}

/* dir without its last `up` components, cut textually: the program's directory comes resolved
 * (no symlinks, no ".."), and a path without ".." reads better in a message or a window title.
 * The root stays the root. false when dir is relative or does not fit. */
static bool ancestor_of(const char *dir, int up, char *out, size_t out_size)
{
    size_t len = strlen(dir);
    if (dir[0] != '/' || len >= out_size) {
        return false;
    }
    memcpy(out, dir, len + 1);
    while (len > 1 && out[len - 1] == '/') {
        out[--len] = '\0';
    }
    for (int i = 0; i < up; i++) {
        char *slash = strrchr(out, '/');
        slash[slash == out ? 1 : 0] = '\0';
    }
    return true;
}

static bool try_beside_program(const DataDirSearch *s, char *out, size_t out_size)
{
    for (size_t i = 0; i < sizeof BESIDE / sizeof BESIDE[0]; i++) {
        char base[DATADIR_PATH_MAX], dir[DATADIR_PATH_MAX];
        if (!ancestor_of(s->exe_dir, BESIDE[i].up, base, sizeof base)) {
            return false;
        }
        const char *sep = strcmp(base, "/") == 0 ? "" : "/";
        if (snprintf(dir, sizeof dir, "%s%s%s%s", base, sep, BESIDE[i].below, s->name) >=
            (int)sizeof dir) {
            continue;
        }
        if (try_place(dir, s->probe, out, out_size)) {
            return true;
        }
    }
    return false;
}

DataDirStatus datadir_search(const DataDirSearch *s, char *out, size_t out_size)
{
    assert(s && s->name && out && out_size > 0);
    out[0] = '\0';
    if (s->env_value && s->env_value[0]) {
        return try_place(s->env_value, s->probe, out, out_size) ? DATADIR_FOUND
                                                                 : DATADIR_ENV_WRONG;
    }
    if (s->exe_dir && try_beside_program(s, out, out_size)) {
        return DATADIR_FOUND;
    }
    if (s->source_dir && try_place(s->source_dir, s->probe, out, out_size)) {
        return DATADIR_FOUND;
    }
    if (try_place(s->name, s->probe, out, out_size)) {
        return DATADIR_FOUND;
    }
    return DATADIR_NOT_FOUND;
}

DataDirStatus datadir_find(const char *name, const char *probe, const char *env_value,
                           const char *source_dir, char *out, size_t out_size)
{
    char exe_dir[DATADIR_PATH_MAX];
    DataDirSearch s = { .name = name,
                        .probe = probe,
                        .env_value = env_value,
                        .exe_dir = datadir_exe_dir(exe_dir, sizeof exe_dir) ? exe_dir : NULL,
                        .source_dir = source_dir };
    return datadir_search(&s, out, out_size);
}

bool datadir_exe_dir(char *out, size_t out_size)
{
    assert(out && out_size > 0);
    out[0] = '\0';
#ifdef __EMSCRIPTEN__
    /* A web page has no program file: its data is preloaded into the virtual filesystem as if the
     * program were DATADIR_WEB_ROOT/mailsim, so NAME beside it is DATADIR_WEB_ROOT/NAME. */
    if (strlen(DATADIR_WEB_ROOT) >= out_size) {
        return false;
    }
    memcpy(out, DATADIR_WEB_ROOT, strlen(DATADIR_WEB_ROOT) + 1);
    return true;
#endif
    char path[DATADIR_PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    /* A link that fills the buffer may have been cut short. */
    if (n <= 0 || (size_t)n >= sizeof path - 1 || path[0] != '/') {
        return false;
    }
    path[n] = '\0';
    char *slash = strrchr(path, '/');
    slash[slash == path ? 1 : 0] = '\0';
    size_t len = strlen(path);
    if (len >= out_size) {
        return false;
    }
    memcpy(out, path, len + 1);
    return true;
}
