/* replay_main: a main() for the fuzz harnesses without libFuzzer. Each argument is a file, or a
 * directory whose regular files (in name order) are each handed to LLVMFuzzerTestOneInput once.
 * A crash or a failed FUZZ_CHECK ends the program abnormally; otherwise it prints one line per
 * input and "N passed, 0 failed". Used by ctest to replay tests/data/fuzz-regress/ and the seed
 * corpora in every build, sanitized or not. */
#define _POSIX_C_SOURCE 200809L

#include "fuzz.h"

#include <dirent.h>
#include <string.h>
#include <sys/stat.h>

static int replayed, failed_inputs;

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        failed_inputs++;
        return 1;
    }
    size_t cap = 4096, len = 0, n;
    uint8_t *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    int failed = ferror(f) || !buf;
    fclose(f);
    if (failed) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        free(buf);
        failed_inputs++;
        return 1;
    }
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    replayed++;
    printf("ok   %s\n", path);
    return 0;
}

static int only_visible(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

static int replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: no such file or directory: %s\n", path);
        failed_inputs++;
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        return replay_file(path);
    }
    struct dirent **names;
    int n = scandir(path, &names, only_visible, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: cannot list %s\n", path);
        failed_inputs++;
        return 1;
    }
    int bad = 0;
    for (int i = 0; i < n; i++) {
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, names[i]->d_name);
        if (stat(child, &st) == 0 && S_ISREG(st.st_mode)) {
            bad |= replay_file(child);
        }
        free(names[i]);
    }
    free(names);
    return bad;
}

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        bad |= replay_path(argv[i]);
    }
    if (replayed == 0) {
        fprintf(stderr, "replay: no inputs\n");
        bad = 1;
    }
    printf("%d passed, %d failed\n", replayed, failed_inputs);
    return bad;
}
