/* test_scenario_limits: every limit of the scenario loader (scenario.h, docs/scenario-format.md
 * "Limits") refuses a file just beyond it with a message that names the limit, and accepts one at
 * it. The inputs are made here: most are too big to keep in tests/data/bad/.
 */
#define _POSIX_C_SOURCE 200809L

#include "test.h"

#include "model/sim.h"
#include "scenario/scenario.h"
#include "trace/trace_jsonl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

/* The smallest scenario that loads: a client that can send, its server and a resolver. `extra`
 * is spliced in after the nodes (",\"messages\": [...]" and the like); `title` may be NULL. */
static char *scenario(const char *title, const char *extra)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fprintf(out, "{\"mailsim\": 1, \"title\": \"%s\", \"nodes\": ["
                 "{\"id\": \"alice\", \"kind\": \"client\", \"address\": \"alice@a.example\", "
                 "\"submit_to\": \"smtp.a\"},"
                 "{\"id\": \"smtp.a\", \"kind\": \"outgoing\", \"ip\": \"198.51.100.10\", "
                 "\"resolver\": \"dns.a\"},"
                 "{\"id\": \"dns.a\", \"kind\": \"resolver\"}]%s}",
            title ? title : "limits", extra ? extra : "");
    fclose(out);
    return text;
}

/* Loads `text`; returns true if it loaded, else copies the error line into `line`. */
static bool load(const char *text, size_t len, char *line, size_t size)
{
    Error err = { 0 };
    World *w = scenario_load_string(text, len, "limits.json", &err);
    line[0] = '\0';
    if (!w) {
        error_format(&err, line, (unsigned)size);
        return false;
    }
    world_destroy(w);
    return true;
}

/* A growing text, for the big inputs. */
typedef struct {
    char *text;
    size_t len;
    FILE *out;
} Text;

static void text_begin(Text *t)
{
    t->text = NULL;
    t->len = 0;
    t->out = open_memstream(&t->text, &t->len);
}

static void text_put(Text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(t->out, fmt, ap);
    va_end(ap);
}

static void text_end(Text *t)
{
    fclose(t->out);
}

static void scenario_should_load_the_base_scenario(void)
{
    char line[1400];
    char *text = scenario(NULL, NULL);
    CHECK(load(text, strlen(text), line, sizeof line));
    CHECK_EQ_STR(line, "");
    free(text);
}

static void scenario_should_refuse_a_file_over_8_mib(void)
{
    char line[1400];
    size_t len = SCENARIO_MAX_FILE_BYTES + 1;
    char *text = malloc(len);
    memset(text, ' ', len);
    CHECK(!load(text, len, line, sizeof line));
    CHECK_EQ_STR(line, "limits.json: the file is 8388609 bytes; the limit for a scenario is "
                       "8388608 bytes (8 MiB)");

    /* The same from a file: refused after reading at most one byte past the limit. */
    char path[] = "/tmp/mailsim-limits-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        FILE *f = fdopen(fd, "wb");
        fwrite(text, 1, len, f);
        fclose(f);
        Error err = { 0 };
        World *w = scenario_load_file(path, &err);
        CHECK(w == NULL);
        CHECK(strstr(err.msg, "larger than 8388608 bytes (8 MiB)") != NULL);
        world_destroy(w);
        remove(path);
    }
    free(text);
}

static void scenario_should_refuse_nesting_deeper_than_32(void)
{
    char line[1400];
    char extra[256];
    /* The top-level object is level 1; "captions" [ is 2; then 30 or 31 more. */
    for (int depth = 32; depth <= 33; depth++) {
        int inner = depth - 2;
        snprintf(extra, sizeof extra, ", \"captions\": [%.*s%.*s]", inner,
                 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", inner,
                 "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
        char *text = scenario(NULL, extra);
        CHECK(!load(text, strlen(text), line, sizeof line));
        bool says_depth = strstr(line, "nested more than 32 deep") != NULL;
        CHECK(depth == 33 ? says_depth : !says_depth);
        free(text);
    }
}

static void scenario_should_refuse_a_string_over_64_kib(void)
{
    char line[1400];
    for (size_t n = SCENARIO_MAX_STRING_BYTES; n <= SCENARIO_MAX_STRING_BYTES + 1; n++) {
        char *title = malloc(n + 1);
        memset(title, 'x', n);
        title[n] = '\0';
        char *text = scenario(title, NULL);
        bool loaded = load(text, strlen(text), line, sizeof line);
        CHECK(loaded == (n == SCENARIO_MAX_STRING_BYTES));
        if (!loaded) {
            CHECK_EQ_STR(line, "limits.json: $.title: a string of 65537 bytes; the limit is 65536 "
                               "bytes (64 KiB)");
        }
        free(text);
        free(title);
    }
}

/* The least bandwidth is what rounds to 1 bit/s, 0.0000005 Mbit/s, and the message says so (it
 * used to say "> 0", which 4e-07 is). */
static void scenario_should_state_the_least_bandwidth_it_takes(void)
{
    char line[1400];
    char *text = scenario(NULL, ",\"network\": {\"bandwidth_mbps\": 4e-07}");
    CHECK(!load(text, strlen(text), line, sizeof line));
    CHECK_EQ_STR(line, "limits.json: $.network.bandwidth_mbps: expected a bandwidth in Mbit/s from "
                       "0.0000005 to 1000000 (it is rounded to whole bit/s, at least 1), got 4e-07");
    free(text);
    text = scenario(NULL, ",\"network\": {\"bandwidth_mbps\": 0.0000005}");
    CHECK(load(text, strlen(text), line, sizeof line));
    free(text);
    text = scenario(NULL, ",\"network\": {\"bandwidth_mbps\": 1000000.001}");
    CHECK(!load(text, strlen(text), line, sizeof line));
    free(text);
}

static void scenario_should_refuse_more_than_10000_nodes(void)
{
    char line[1400];
    Text t;
    text_begin(&t);
    text_put(&t, "{\"mailsim\": 1, \"title\": \"t\", \"nodes\": [");
    for (unsigned i = 0; i <= SCENARIO_MAX_NODES; i++) {
        text_put(&t, "%s{\"id\": \"r%u\", \"kind\": \"resolver\"}", i ? "," : "", i);
    }
    text_put(&t, "]}");
    text_end(&t);
    CHECK(!load(t.text, t.len, line, sizeof line));
    CHECK_EQ_STR(line, "limits.json: $.nodes: 10001 nodes; the limit is 10000");
    free(t.text);
}

/* `messages` messages to `rcpts` recipients each. */
static char *many_recipients(unsigned messages, unsigned rcpts)
{
    Text t;
    text_begin(&t);
    text_put(&t, ", \"messages\": [");
    for (unsigned m = 0; m < messages; m++) {
        text_put(&t, "%s{\"from\": \"alice@a.example\", \"to\": [", m ? "," : "");
        for (unsigned r = 0; r < rcpts; r++) {
            text_put(&t, "%s\"b@b\"", r ? "," : "");
        }
        text_put(&t, "]}");
    }
    text_put(&t, "]");
    text_end(&t);
    char *text = scenario(NULL, t.text);
    free(t.text);
    return text;
}

static void scenario_should_refuse_more_than_1000_recipients_in_a_message(void)
{
    char line[1400];
    char *text = many_recipients(1, SCENARIO_MAX_RCPTS_PER_MESSAGE);
    CHECK(load(text, strlen(text), line, sizeof line));
    free(text);
    text = many_recipients(1, SCENARIO_MAX_RCPTS_PER_MESSAGE + 1);
    CHECK(!load(text, strlen(text), line, sizeof line));
    CHECK_EQ_STR(line, "limits.json: $.messages[0].to: 1001 recipient addresses; the limit is 1000");
    free(text);
}

static void scenario_should_refuse_more_than_a_million_recipients_in_all(void)
{
    char line[1400];
    char *text = many_recipients(SCENARIO_MAX_RECIPIENTS / 1000 + 1, 1000);
    CHECK(strlen(text) <= SCENARIO_MAX_FILE_BYTES); /* the file-size limit does not stop it */
    CHECK(!load(text, strlen(text), line, sizeof line));
    CHECK_EQ_STR(line, "limits.json: $.messages[1000].to: the messages have more than 1000000 "
                       "recipients in all (the limit)");
    free(text);
}

/* A scenario whose array `key` holds `count` empty objects must be refused with `expected`
 * (the count is checked before any entry is read). */
static void check_refuses_entries(const char *key, unsigned count, const char *expected)
{
    char line[1400];
    Text t;
    text_begin(&t);
    text_put(&t, ", \"%s\": [", key);
    for (unsigned i = 0; i < count; i++) {
        text_put(&t, "%s{}", i ? "," : "");
    }
    text_put(&t, "]");
    text_end(&t);
    char *text = scenario(NULL, t.text);
    CHECK(!load(text, strlen(text), line, sizeof line));
    CHECK_EQ_STR(line, expected);
    free(text);
    free(t.text);
}

static void scenario_should_refuse_more_than_100000_actions(void)
{
    check_refuses_entries("actions", SCENARIO_MAX_ACTIONS + 1,
                          "limits.json: $.actions: 100001 actions; the limit is 100000");
}

static void scenario_should_refuse_a_century_of_simulated_time(void)
{
    char line[1400];
    char *text = scenario(NULL, ", \"horizon_s\": 3153600000");
    CHECK(!load(text, strlen(text), line, sizeof line));
    CHECK_EQ_STR(line, "limits.json: $.horizon_s: expected at most 31622400 seconds (366 days), "
                       "got 3153600000");
    free(text);
    text = scenario(NULL, ", \"horizon_s\": 31622400");
    CHECK(load(text, strlen(text), line, sizeof line));
    free(text);
}

static void scenario_should_refuse_any_time_beyond_366_days(void)
{
    char line[1400];
    char *text = scenario(NULL, ", \"network\": {\"latency_ms\": 1e12}");
    CHECK(!load(text, strlen(text), line, sizeof line));
    CHECK_EQ_STR(line, "limits.json: $.network.latency_ms: expected at most 31622400000 "
                       "milliseconds (366 days), got 1000000000000");
    free(text);
}

static void scenario_should_refuse_a_message_over_1_gib(void)
{
    char line[1400];
    char *text = scenario(NULL, ", \"messages\": [{\"from\": \"alice@a.example\", \"to\": "
                                "[\"bob@b.example\"], \"size_bytes\": 1073741825}]");
    CHECK(!load(text, strlen(text), line, sizeof line));
    CHECK_EQ_STR(line, "limits.json: $.messages[0].size_bytes: expected an integer from 1 to "
                       "1073741824, got 1073741825");
    free(text);
    /* Attachments below the limit one by one, above it together. */
    text = scenario(NULL, ", \"messages\": [{\"from\": \"alice@a.example\", \"to\": "
                          "[\"bob@b.example\"], \"attachments\": ["
                          "{\"name\": \"a.iso\", \"size_bytes\": 1073741824},"
                          "{\"name\": \"b.txt\", \"size_bytes\": 1}]}]");
    CHECK(!load(text, strlen(text), line, sizeof line));
    CHECK_EQ_STR(line, "limits.json: $.messages[0].attachments[1].size_bytes: the attachments add "
                       "up to 1073741825 bytes; the limit for one message is 1073741824 bytes "
                       "(1 GiB)");
    free(text);
}

static void scenario_should_refuse_an_integer_beyond_2_to_the_53(void)
{
    char line[1400];
    char *text = scenario(NULL, ", \"seed\": 9007199254740992");
    CHECK(!load(text, strlen(text), line, sizeof line));
    CHECK_EQ_STR(line, "limits.json: $.seed: expected an integer from 0 to 9007199254740991, got "
                       "9007199254740992");
    free(text);
}

/* `out` outgoing and `in` incoming servers, every incoming one reachable through an A record:
 * world_finalize links each outgoing server to each incoming one. */
static char *servers(unsigned out, unsigned in)
{
    Text t;
    text_begin(&t);
    text_put(&t, "{\"mailsim\": 1, \"title\": \"servers\", \"nodes\": ["
                 "{\"id\": \"dns\", \"kind\": \"resolver\"},"
                 "{\"id\": \"st\", \"kind\": \"store\"}");
    for (unsigned i = 0; i < out; i++) {
        text_put(&t, ",{\"id\": \"o%u\", \"kind\": \"outgoing\", \"ip\": \"10.%u.%u.1\", "
                     "\"resolver\": \"dns\"}",
                 i, i / 250, i % 250);
    }
    for (unsigned i = 0; i < in; i++) {
        text_put(&t, ",{\"id\": \"i%u\", \"kind\": \"incoming\", \"ip\": \"11.%u.%u.1\", "
                     "\"domains\": [\"d%u.example\"], \"store\": \"st\"}",
                 i, i / 250, i % 250, i);
    }
    text_put(&t, "], \"dns\": {\"records\": [");
    for (unsigned i = 0; i < in; i++) {
        text_put(&t, "%s{\"name\": \"mx%u.example\", \"type\": \"A\", \"addr\": \"11.%u.%u.1\"}",
                 i ? "," : "", i, i / 250, i % 250);
    }
    text_put(&t, "]}}");
    text_end(&t);
    return t.text;
}

static void scenario_should_refuse_more_than_100000_server_pairs(void)
{
    char line[1400];
    char *text = servers(317, 316);
    CHECK(!load(text, strlen(text), line, sizeof line));
    CHECK_EQ_STR(line, "limits.json: $.nodes: 317 outgoing times 316 incoming servers make 100172 "
                       "pairs, each a link in the picture; the limit is 100000 pairs");
    free(text);
}

/* The trace of the largest topology the loader takes reads back: its header line is over 1 MiB,
 * within the header's own limit. */
static void scenario_should_give_the_biggest_topology_a_readable_trace(void)
{
    char *text = servers(316, 316);
    Error err = { 0 };
    World *w = scenario_load_string(text, strlen(text), "pairs.json", &err);
    CHECK(w != NULL);
    if (w) {
        Trace *tr = sim_run_world(w, NULL);
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        CHECK(trace_write_jsonl(tr, out));
        fclose(out);
        CHECK(strcspn(buf, "\n") > TRACE_MAX_LINE);
        FILE *in = fmemopen(buf, len, "rb");
        Error rerr = { 0 };
        Trace *again = trace_read_jsonl(in, "pairs.jsonl", &rerr);
        fclose(in);
        CHECK(again != NULL);
        CHECK_EQ_STR(rerr.msg, "");
        if (again) {
            CHECK_EQ_INT(trace_link_count(again), trace_link_count(tr));
        }
        trace_destroy(again);
        trace_destroy(tr);
        free(buf);
        world_destroy(w);
    }
    free(text);
}

/* `n` links between distinct pairs of 400 resolvers (the base's nodes are not used), and with
 * `dup` one more that joins the ends of the first again. */
static char *many_links(unsigned n, bool dup)
{
    Text t;
    text_begin(&t);
    text_put(&t, "{\"mailsim\": 1, \"title\": \"links\", \"nodes\": [");
    for (unsigned i = 0; i < 400; i++) {
        text_put(&t, "%s{\"id\": \"r%u\", \"kind\": \"resolver\"}", i ? "," : "", i);
    }
    text_put(&t, "], \"links\": [");
    for (unsigned k = 0; k < n; k++) {
        unsigned a = k % 400, b = (a + 1 + k / 400) % 400;
        text_put(&t, "%s{\"between\": [\"r%u\", \"r%u\"]}", k ? "," : "", a, b);
    }
    text_put(&t, "%s]}", dup ? ",{\"between\": [\"r1\", \"r0\"]}" : "");
    text_end(&t);
    return t.text;
}

static void scenario_should_refuse_more_than_100000_links(void)
{
    check_refuses_entries("links", SCENARIO_MAX_LINKS + 1,
                          "limits.json: $.links: 100001 links; the limit is 100000");
}

/* A null MX for nomail.example (so the rule has something to check), `n` MX records for n other
 * domains, and with `conflict` a null MX for the last of them too. */
static char *many_mx(unsigned n, bool conflict)
{
    Text t;
    text_begin(&t);
    text_put(&t, ", \"dns\": {\"records\": [{\"name\": \"nomail.example\", \"type\": \"MX\", "
                 "\"host\": \".\"}");
    for (unsigned i = 0; i < n; i++) {
        text_put(&t, ",{\"name\": \"d%u.example\", \"type\": \"MX\", \"host\": \"mx.example\"}", i);
    }
    if (conflict) {
        text_put(&t, ",{\"name\": \"d%u.example\", \"type\": \"MX\", \"host\": \".\"}", n - 1);
    }
    text_put(&t, "]}");
    text_end(&t);
    char *text = scenario(NULL, t.text);
    free(t.text);
    return text;
}

/* The null-MX rule, checked through maps from each name to its first MX and first null MX,
 * still finds the first conflict among many records and names both. */
static void scenario_should_find_a_null_mx_conflict_among_many_records(void)
{
    char line[1400];
    char *text = many_mx(40000, false);
    CHECK(load(text, strlen(text), line, sizeof line));
    free(text);
    text = many_mx(40000, true);
    CHECK(!load(text, strlen(text), line, sizeof line));
    CHECK_EQ_STR(line, "limits.json: $.dns.records[40001]: d39999.example has a null MX (RFC 7505: "
                       "it accepts no mail) and another MX record (at $.dns.records[40000]); a "
                       "null MX must be the domain's only MX");
    free(text);
}

/* Links listed between distinct pairs all load; the same pair twice is named with both places. */
static void scenario_should_find_a_duplicate_among_many_links(void)
{
    char line[1400];
    char *text = many_links(40000, false);
    CHECK(load(text, strlen(text), line, sizeof line));
    free(text);
    text = many_links(40000, true);
    CHECK(!load(text, strlen(text), line, sizeof line));
    CHECK_EQ_STR(line, "limits.json: $.links[40000].between: the link between \"r1\" and \"r0\" is "
                       "already defined at $.links[0]");
    free(text);
}

RUN_TESTS(TEST_CASE(scenario_should_load_the_base_scenario),
          TEST_CASE(scenario_should_refuse_a_file_over_8_mib),
          TEST_CASE(scenario_should_refuse_nesting_deeper_than_32),
          TEST_CASE(scenario_should_refuse_a_string_over_64_kib),
          TEST_CASE(scenario_should_state_the_least_bandwidth_it_takes),
          TEST_CASE(scenario_should_refuse_more_than_10000_nodes),
          TEST_CASE(scenario_should_refuse_more_than_1000_recipients_in_a_message),
          TEST_CASE(scenario_should_refuse_more_than_a_million_recipients_in_all),
          TEST_CASE(scenario_should_refuse_more_than_100000_actions),
          TEST_CASE(scenario_should_refuse_a_century_of_simulated_time),
          TEST_CASE(scenario_should_refuse_any_time_beyond_366_days),
          TEST_CASE(scenario_should_refuse_a_message_over_1_gib),
          TEST_CASE(scenario_should_refuse_an_integer_beyond_2_to_the_53),
          TEST_CASE(scenario_should_refuse_more_than_100000_server_pairs),
          TEST_CASE(scenario_should_give_the_biggest_topology_a_readable_trace),
          TEST_CASE(scenario_should_refuse_more_than_100000_links),
          TEST_CASE(scenario_should_find_a_duplicate_among_many_links),
          TEST_CASE(scenario_should_find_a_null_mx_conflict_among_many_records))
