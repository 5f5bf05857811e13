/* fuzz_trace: the trace reader (the replay path) on arbitrary bytes, read through fmemopen as
 * `mailsim replay` reads a file. It must return a trace or one error naming the line, never
 * crash, leak or hang. A trace it accepts must feed the text views, and must round-trip: once
 * read and written, reading and writing again gives the same bytes (trace_jsonl.h). */
#define _POSIX_C_SOURCE 200809L

#include "fuzz.h"

#include "text/narrate.h"
#include "text/summary.h"
#include "trace/trace_jsonl.h"

#include <string.h>

/* The trace as JSON Lines, in a malloc'd buffer. */
static char *write_to_memory(const Trace *tr, size_t *len)
{
    char *buf = NULL;
    FILE *out = open_memstream(&buf, len);
    FUZZ_CHECK(out != NULL);
    FUZZ_CHECK(trace_write_jsonl(tr, out));
    fclose(out);
    return buf;
}

static Trace *read_from_memory(const char *text, size_t len, Error *err)
{
    static char empty[1];
    FILE *in = fmemopen(len ? (void *)text : empty, len, "rb");
    FUZZ_CHECK(in != NULL);
    Trace *tr = trace_read_jsonl(in, "fuzz.jsonl", err);
    fclose(in);
    return tr;
}

/* The views a recorded trace reaches outside the player. */
static void feed_views(const Trace *tr)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    FUZZ_CHECK(out != NULL);
    narrate_write(tr, out);
    Summary *s = summary_build(tr);
    FUZZ_CHECK(summary_write_json(tr, s, out));
    summary_destroy(s);
    fclose(out);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Error err = { 0 };
    Trace *tr = read_from_memory((const char *)data, size, &err);
    if (!tr) {
        fuzz_check_error(&err);
        FUZZ_CHECK(strncmp(err.where, "line ", 5) == 0);
        return 0;
    }
    FUZZ_CHECK(!err.set);
    feed_views(tr);

    size_t len1 = 0, len2 = 0;
    char *once = write_to_memory(tr, &len1);
    trace_destroy(tr);
    Error err2 = { 0 };
    Trace *again = read_from_memory(once, len1, &err2);
    if (!again) {
        char buf[1400];
        fprintf(stderr, "the written trace does not read back: %s\n",
                error_format(&err2, buf, sizeof buf));
    }
    FUZZ_CHECK(again != NULL);
    char *twice = write_to_memory(again, &len2);
    FUZZ_CHECK(len1 == len2 && memcmp(once, twice, len1) == 0);
    trace_destroy(again);
    free(once);
    free(twice);
    return 0;
}
