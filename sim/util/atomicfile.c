/* atomicfile: a temporary file beside the target, renamed into place on commit (see
 * atomicfile.h). */
#include "util/atomicfile.h"

#include "util/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct AtomicFile {
    FILE *f;
    char *target;
    char *temp; /* target + ATOMICFILE_SUFFIX */
};

static void atomicfile_free(AtomicFile *af)
{
    free(af->target);
    free(af->temp);
    free(af);
}

AtomicFile *atomicfile_open(const char *target)
{
    assert(target);
    size_t n = strlen(target) + sizeof ATOMICFILE_SUFFIX;
    AtomicFile *af = xcalloc(1, sizeof *af);
    af->target = xstrdup(target);
    af->temp = xmalloc(n);
    snprintf(af->temp, n, "%s%s", target, ATOMICFILE_SUFFIX);
    af->f = fopen(af->temp, "wb");
    if (!af->f) {
        int saved = errno;
        atomicfile_free(af);
        errno = saved;
        return NULL;
    }
    return af;
}

FILE *atomicfile_stream(const AtomicFile *af)
{
    assert(af);
    return af->f;
}

bool atomicfile_commit(AtomicFile *af)
{
    assert(af);
    bool ok = fclose(af->f) == 0 && rename(af->temp, af->target) == 0;
    if (!ok) {
        int saved = errno;
        remove(af->temp);
        errno = saved;
    }
    atomicfile_free(af);
    return ok;
}

void atomicfile_abort(AtomicFile *af)
{
    if (!af) {
        return;
    }
    int saved = errno;
    fclose(af->f);
    remove(af->temp);
    atomicfile_free(af);
    errno = saved;
}
