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
    "{\"format\":\"mailsim-trace\",\"version\":2,\"scenario\":\"bad\",\"seed\":1,\"title\":\"A "
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

/* before + `line_bytes` - len(pre) - len(post) `fill_char`s between pre and post + "\n" + after,
 * in a new string (its length in *len): one line `line_bytes` long, filled to the byte. */
static char *with_filled_line(const char *before, const char *pre, size_t line_bytes,
                              const char *post, const char *after, char fill_char, size_t *len)
{
    size_t nb = strlen(before), npre = strlen(pre), npost = strlen(post), na = strlen(after);
    size_t fill = line_bytes - npre - npost;
    *len = nb + line_bytes + 1 + na;
    char *text = malloc(*len + 1), *p = text;
    memcpy(p, before, nb);
    p += nb;
    memcpy(p, pre, npre);
    p += npre;
    memset(p, fill_char, fill);
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
                            line_bytes, "\"}", "", 'x', len);
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

/* A header line `bytes` long (filled with spaces between its keys: no header string may be
 * longer than 64 KiB), then the control trace's events. */
static char *with_long_header(size_t bytes, size_t *len)
{
    static const char pre[] = "{\"format\":\"mailsim-trace\",\"version\":2,\"scenario\":\"big\","
                              "\"seed\":1,\"nodes\":[{\"id\":\"alice-laptop\",\"kind\":\"client\"},"
                              "{\"id\":\"smtp.a.example\",\"kind\":\"outgoing\"}],\"links\":[],";
    return with_filled_line("", pre, bytes, "\"lesson\":\"big\"}", strchr(CONTROL, '\n') + 1, ' ',
                            len);
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
        CHECK_EQ_STR(trace_lesson(tr), "big");
        CHECK_EQ_INT(trace_node_count(tr), 2);
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

/* The control trace with its title (or a node's label) `n` bytes long. */
static char *control_with(const char *key, size_t n, size_t *len)
{
    const char *old = strcmp(key, "title") == 0 ? "\"title\":\"A broken trace\""
                                                : "\"kind\":\"client\"}";
    const char *at = strstr(CONTROL, old);
    size_t head = (size_t)(at - CONTROL), skip = strlen(old);
    char *text = malloc(sizeof CONTROL + n + 64);
    memcpy(text, CONTROL, head);
    size_t k = head + (size_t)sprintf(text + head, strcmp(key, "title") == 0 ? "\"title\":\""
                                                                             : "\"kind\":\"client\",\"label\":\"");
    memset(text + k, 'T', n);
    k += n;
    k += (size_t)sprintf(text + k, strcmp(key, "title") == 0 ? "\"" : "\"}");
    memcpy(text + k, CONTROL + head + skip, sizeof CONTROL - head - skip);
    *len = k + sizeof CONTROL - 1 - head - skip;
    return text;
}

/* A header string (title, lesson, scenario, a node's id, label, ip) is at most 64 KiB, the
 * scenario's own string limit: a title of a million characters took 2.4 GB to draw. */
static void trace_should_refuse_a_header_string_over_64_kib(void)
{
    const char *keys[] = { "title", "label" };
    for (int k = 0; k < 2; k++) {
        for (size_t n = TRACE_MAX_HEADER_STRING; n <= TRACE_MAX_HEADER_STRING + 1; n++) {
            size_t len = 0;
            char line[1400], want[200];
            char *text = control_with(keys[k], n, &len);
            Trace *tr = read_text(text, len, "t.jsonl", line, sizeof line);
            CHECK((tr != NULL) == (n == TRACE_MAX_HEADER_STRING));
            if (tr && k == 0) {
                CHECK_EQ_INT(strlen(trace_title(tr)), n);
            }
            if (!tr) {
                snprintf(want, sizeof want, "t.jsonl: line 1: \"%s\" is longer than 65536 bytes "
                                            "(64 KiB), the limit for a header string", keys[k]);
                CHECK_EQ_STR(line, want);
            }
            trace_destroy(tr);
            free(text);
        }
    }
}

/* An unknown key is ignored up to 64 bytes and refused beyond, naming the line. */
static void trace_should_refuse_a_key_over_64_bytes(void)
{
    for (size_t n = TRACE_MAX_KEY; n <= TRACE_MAX_KEY + 1; n++) {
        char key[80], text[sizeof CONTROL + 200], line[1400];
        memset(key, 'k', n);
        key[n] = '\0';
        size_t first = strcspn(CONTROL, "\n") + 1;
        int len = snprintf(text, sizeof text, "%.*s{\"%s\":0,%s", (int)first, CONTROL, key,
                           CONTROL + first + 1);
        Trace *tr = read_text(text, (size_t)len, "t.jsonl", line, sizeof line);
        CHECK((tr != NULL) == (n == TRACE_MAX_KEY));
        if (!tr) {
            CHECK(strstr(line, "t.jsonl: line 2: a key of 65 bytes (\"kkkk") == line);
            CHECK(strstr(line, "...\"); no key of a trace is longer than 64 bytes") != NULL);
        }
        trace_destroy(tr);
    }
}

/* trace_read_jsonl_after: the bytes a sniff already read, then the stream, read as one trace,
 * whatever the split (inside the header, at a newline, the whole file). */
static void trace_should_read_the_same_trace_after_a_sniffed_head(void)
{
    char line[1400];
    Trace *whole = read_text(CONTROL, sizeof CONTROL - 1, "t.jsonl", line, sizeof line);
    REQUIRE(whole);
    size_t splits[] = { 0, 1, 10, strcspn(CONTROL, "\n"), strcspn(CONTROL, "\n") + 1,
                        sizeof CONTROL - 1 };
    for (size_t k = 0; k < sizeof splits / sizeof splits[0]; k++) {
        size_t at = splits[k];
        FILE *rest = tmpfile();
        REQUIRE(rest);
        fputs(CONTROL + at, rest);
        rewind(rest);
        Error err = { 0 };
        Trace *tr = trace_read_jsonl_after(rest, CONTROL, at, "t.jsonl", &err);
        fclose(rest);
        CHECK(tr != NULL);
        if (tr) {
            CHECK_EQ_INT(trace_count(tr), trace_count(whole));
            CHECK_EQ_INT(trace_node_count(tr), trace_node_count(whole));
            CHECK_EQ_STR(trace_title(tr), trace_title(whole));
        }
        trace_destroy(tr);
    }
    trace_destroy(whole);
}

RUN_TESTS(TEST_CASE(trace_should_read_the_control_trace),
          TEST_CASE(trace_should_refuse_each_bad_trace_with_its_error),
          TEST_CASE(trace_should_refuse_a_line_longer_than_the_limit),
          TEST_CASE(trace_should_accept_recipients_up_to_the_limit),
          TEST_CASE(trace_should_give_the_header_a_limit_of_its_own),
          TEST_CASE(trace_should_refuse_a_header_string_over_64_kib),
          TEST_CASE(trace_should_refuse_a_key_over_64_bytes),
          TEST_CASE(trace_should_read_the_same_trace_after_a_sniffed_head))
