/* test_trace_bad: the trace reader (the replay path) against broken and hostile traces.
 *
 * tests/data/bad-traces/NAME.jsonl each differ from the control trace below in one way; NAME.err
 * holds the one line the reader must give for it ("FILE: line N: MESSAGE", FILE relative to the
 * repository root, which is where ctest runs this). The limits (line length, recipients) and the
 * reader's linear time are tested on inputs made here, too big to keep in the repository.
 */
#define _POSIX_C_SOURCE 200809L

#include "test.h"

#include "trace/trace_jsonl.h"

#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#define BAD_DIR "tests/data/bad-traces"

/* The trace every bad one is a variation of. */
static const char CONTROL[] =
    "{\"format\":\"mailsim-trace\",\"version\":1,\"scenario\":\"bad\",\"seed\":1,\"title\":\"A "
    "broken trace\",\"lesson\":\"\",\"nodes\":[{\"id\":\"alice-laptop\",\"kind\":\"client\"},{"
    "\"id\":\"smtp.a.example\",\"kind\":\"outgoing\",\"ip\":\"198.51.100.10\"}],\"links\":[{"
    "\"a\":\"alice-laptop\",\"b\":\"smtp.a.example\",\"latency\":0.020000}]}\n"
    "{\"t\":1.000000,\"kind\":\"compose\",\"msg\":\"m1\",\"from\":\"alice-laptop\",\"sender\":"
    "\"alice@a.example\",\"rcpt\":[\"bob@b.example\"],\"subject\":\"Lunch on Friday?\",\"size\":"
    "707}\n"
    "{\"t\":1.000000,\"kind\":\"header\",\"msg\":\"m1\",\"from\":\"alice-laptop\",\"text\":\"From: "
    "Alice <alice@a.example>\"}\n"
    "{\"t\":1.100000,\"kind\":\"hop\",\"msg\":\"m1\",\"from\":\"alice-laptop\",\"to\":\"smtp.a."
    "example\",\"arrive\":1.120000,\"text\":\"submission\"}\n"
    "{\"t\":1.120000,\"kind\":\"smtp\",\"msg\":\"m1\",\"from\":\"smtp.a.example\",\"to\":\"alice-"
    "laptop\",\"arrive\":1.140000,\"dir\":\"reply\",\"line\":\"250 2.0.0 Ok: queued as "
    "3F2A1B0C4D\",\"code\":250}\n";

/* Reads `len` bytes of text as a trace named `name`; the error line goes to `line`. */
static Trace *read_text(const char *text, size_t len, const char *name, char *line, size_t size)
{
    static char empty[1];
    FILE *in = fmemopen(len ? (void *)text : empty, len, "rb");
    Error err = { 0 };
    Trace *tr = in ? trace_read_jsonl(in, name, &err) : NULL;
    if (in) {
        fclose(in);
    }
    error_format(&err, line, (unsigned)size);
    return tr;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    *len = fread(buf, 1, cap - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static int is_jsonl(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return n > 6 && strcmp(e->d_name + n - 6, ".jsonl") == 0;
}

static void trace_should_read_the_control_trace(void)
{
    char line[1400];
    Trace *tr = read_text(CONTROL, sizeof CONTROL - 1, "control.jsonl", line, sizeof line);
    CHECK(tr != NULL);
    if (tr) {
        CHECK_EQ_INT(trace_count(tr), 4);
        CHECK_EQ_INT(trace_node_count(tr), 2);
        trace_destroy(tr);
    }
}

static void trace_should_refuse_each_bad_trace_with_its_error(void)
{
    struct dirent **names;
    int n = scandir(BAD_DIR, &names, is_jsonl, alphasort);
    CHECK(n >= 30);
    for (int i = 0; i < n; i++) {
        char path[512], err_path[512], line[1400];
        snprintf(path, sizeof path, "%s/%s", BAD_DIR, names[i]->d_name);
        snprintf(err_path, sizeof err_path, "%.*s.err", (int)strlen(path) - 6, path);
        size_t len = 0, err_len = 0;
        char *text = read_file(path, &len);
        char *want = read_file(err_path, &err_len);
        CHECK(text != NULL);
        CHECK(want != NULL);
        if (text && want) {
            want[strcspn(want, "\n")] = '\0';
            Trace *tr = read_text(text, len, path, line, sizeof line);
            CHECK(tr == NULL);
            CHECK_EQ_STR(line, want);
            trace_destroy(tr);
        }
        free(text);
        free(want);
        free(names[i]);
    }
    if (n >= 0) {
        free(names);
    }
}

/* before + `line_bytes` - len(pre) - len(post) 'x's between pre and post + "\n" + after, in
 * a new string (its length in *len): one line `line_bytes` long, filled to the byte. */
static char *with_filled_line(const char *before, const char *pre, size_t line_bytes,
                              const char *post, const char *after, size_t *len)
{
    size_t nb = strlen(before), npre = strlen(pre), npost = strlen(post), na = strlen(after);
    size_t fill = line_bytes - npre - npost;
    *len = nb + line_bytes + 1 + na;
    char *text = malloc(*len + 1), *p = text;
    memcpy(p, before, nb);
    p += nb;
    memcpy(p, pre, npre);
    p += npre;
    memset(p, 'x', fill);
    p += fill;
    memcpy(p, post, npost);
    p += npost;
    *p++ = '\n';
    memcpy(p, after, na + 1);
    return text;
}

/* The control trace with one more event line whose text makes the line `line_bytes` long. */
static char *with_long_line(size_t line_bytes, size_t *len)
{
    return with_filled_line(CONTROL, "{\"t\":2,\"kind\":\"queue\",\"msg\":\"m1\",\"text\":\"",
                            line_bytes, "\"}", "", len);
}

static void trace_should_refuse_a_line_longer_than_the_limit(void)
{
    char line[1400];
    size_t len;
    char *text = with_long_line(TRACE_MAX_LINE, &len);
    Trace *tr = read_text(text, len, "long.jsonl", line, sizeof line);
    CHECK(tr != NULL); /* exactly at the limit: read */
    trace_destroy(tr);
    free(text);

    text = with_long_line(TRACE_MAX_LINE + 1, &len);
    tr = read_text(text, len, "long.jsonl", line, sizeof line);
    CHECK(tr == NULL);
    CHECK_EQ_STR(line, "long.jsonl: line 6: line is longer than 1048576 bytes");
    trace_destroy(tr);
    free(text);
}

static void trace_should_accept_recipients_up_to_the_limit(void)
{
    /* The header and a compose line with TRACE_MAX_RCPTS recipients. */
    size_t cap = 64 * 1024, len = 0;
    char *text = malloc(cap);
    const char *header_end = strchr(CONTROL, '\n') + 1;
    len = (size_t)(header_end - CONTROL);
    memcpy(text, CONTROL, len);
    len += (size_t)snprintf(text + len, cap - len,
                            "{\"t\":1,\"kind\":\"compose\",\"msg\":\"m1\",\"sender\":\"a@a.example\","
                            "\"subject\":\"\",\"size\":1,\"rcpt\":[");
    for (unsigned i = 0; i < TRACE_MAX_RCPTS; i++) {
        len += (size_t)snprintf(text + len, cap - len, "%s\"r%u@b.example\"", i ? "," : "", i);
    }
    len += (size_t)snprintf(text + len, cap - len, "]}\n");
    char line[1400];
    Trace *tr = read_text(text, len, "rcpts.jsonl", line, sizeof line);
    CHECK(tr != NULL);
    if (tr) {
        CHECK_EQ_INT(trace_msg(tr, 0)->rcpt_count, TRACE_MAX_RCPTS);
    }
    trace_destroy(tr);
    free(text);
}

/* A header line `bytes` long (a long "lesson"), then the control trace's events. */
static char *with_long_header(size_t bytes, size_t *len)
{
    static const char pre[] = "{\"format\":\"mailsim-trace\",\"version\":1,\"scenario\":\"big\","
                              "\"seed\":1,\"nodes\":[{\"id\":\"alice-laptop\",\"kind\":\"client\"},"
                              "{\"id\":\"smtp.a.example\",\"kind\":\"outgoing\"}],\"links\":[],"
                              "\"lesson\":\"";
    return with_filled_line("", pre, bytes, "\"}", strchr(CONTROL, '\n') + 1, len);
}

/* The header carries the topology, which for the largest scenarios is more than an event line
 * may hold: it has a limit of its own, 64 MiB. */
static void trace_should_give_the_header_a_limit_of_its_own(void)
{
    char line[1400];
    size_t len;
    char *text = with_long_header(TRACE_MAX_HEADER_LINE, &len);
    Trace *tr = read_text(text, len, "header.jsonl", line, sizeof line);
    CHECK(tr != NULL);
    if (tr) {
        CHECK(strlen(trace_lesson(tr)) > TRACE_MAX_HEADER_LINE - 1000);
    }
    trace_destroy(tr);
    free(text);

    text = with_long_header(TRACE_MAX_HEADER_LINE + 1, &len);
    tr = read_text(text, len, "header.jsonl", line, sizeof line);
    CHECK(tr == NULL);
    CHECK_EQ_STR(line, "header.jsonl: line 1: the header line is longer than 67108864 bytes");
    trace_destroy(tr);
    free(text);
}

RUN_TESTS(TEST_CASE(trace_should_read_the_control_trace),
          TEST_CASE(trace_should_refuse_each_bad_trace_with_its_error),
          TEST_CASE(trace_should_refuse_a_line_longer_than_the_limit),
          TEST_CASE(trace_should_accept_recipients_up_to_the_limit),
          TEST_CASE(trace_should_give_the_header_a_limit_of_its_own))
