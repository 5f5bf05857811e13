/* shipped.h: what tests that use the shipped scenarios share. Needs the core library (scenario
 * loader and model); include it after test.h. */
#ifndef MAILSIM_TEST_SHIPPED_H
#define MAILSIM_TEST_SHIPPED_H

#include "model/sim.h"
#include "scenario/scenario.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MAILSIM_SOURCE_DIR
#define MAILSIM_SOURCE_DIR "."
/* The shipped scenarios' paths ("<source>/scenarios/NN-name.json"), sorted, so every test walks
 * them in one order. count is 0 when the folder cannot be read. Free with shipped_list_free. */
typedef struct {
    char **paths;
    size_t count;
} ShippedList;

static inline int shipped_cmp_(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline ShippedList shipped_list(void)
{
    ShippedList l = { NULL, 0 };
    DIR *d = opendir(MAILSIM_SOURCE_DIR "/scenarios");
    if (!d) {
        return l;
    }
    size_t cap = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0) {
            continue;
        }
        if (l.count == cap) {
            cap = cap ? 2 * cap : 32;
            char **grown = realloc(l.paths, cap * sizeof *grown);
            if (!grown) {
                break;
            }
            l.paths = grown;
        }
        size_t size = strlen(MAILSIM_SOURCE_DIR) + len + 16;
        if (!(l.paths[l.count] = malloc(size))) {
            break;
        }
        snprintf(l.paths[l.count++], size, "%s/scenarios/%s", MAILSIM_SOURCE_DIR, e->d_name);
    }
    closedir(d);
    qsort(l.paths, l.count, sizeof *l.paths, shipped_cmp_);
    return l;
}

static inline void shipped_list_free(ShippedList *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->paths[i]);
    }
    free(l->paths);
    *l = (ShippedList){ NULL, 0 };
}

/* The file name of a path: "05-greylisting.json". */
static inline const char *shipped_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

#endif

/* The trace of the scenario file at `path` at its own seed, or NULL when it does not load. The
 * caller owns the trace. */
static inline Trace *shipped_run_file(const char *path)
{
    Error err = { 0 };
    World *w = scenario_load_file(path, &err);
    if (!w) {
        return NULL;
    }
    SimOptions so = { 0 };
    Trace *tr = sim_run_world(w, &so);
    world_destroy(w);
    return tr;
}

/* The shipped scenarios' paths ("<source>/scenarios/NN-name.json"), sorted, so every test walks
 * them in one order. count is 0 when the folder cannot be read. Free with shipped_list_free. */
typedef struct {
    char **paths;
    size_t count;
} ShippedList;

static inline int shipped_cmp_(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static inline ShippedList shipped_list(void)
{
    ShippedList l = { NULL, 0 };
    DIR *d = opendir(MAILSIM_SOURCE_DIR "/scenarios");
    if (!d) {
        return l;
    }
    size_t cap = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0) {
            continue;
        }
        if (l.count == cap) {
            cap = cap ? 2 * cap : 32;
            char **grown = realloc(l.paths, cap * sizeof *grown);
            if (!grown) {
                break;
            }
            l.paths = grown;
        }
        size_t size = strlen(MAILSIM_SOURCE_DIR) + len + 16;
        if (!(l.paths[l.count] = malloc(size))) {
            break;
        }
        snprintf(l.paths[l.count++], size, "%s/scenarios/%s", MAILSIM_SOURCE_DIR, e->d_name);
    }
    closedir(d);
    qsort(l.paths, l.count, sizeof *l.paths, shipped_cmp_);
    return l;
}

static inline void shipped_list_free(ShippedList *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->paths[i]);
    }
    free(l->paths);
    *l = (ShippedList){ NULL, 0 };
}

/* The file name of a path: "05-greylisting.json". */
static inline const char *shipped_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

#endif
