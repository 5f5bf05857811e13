/* bench_limits: the largest legal scenarios for the model's size-dependent work, one per case.
 *
 *   bench_limits [--cpu-limit SECONDS] [CASE...]     CASE: dns_failures uribl served_domains
 *                                                       subject captions expectations title
 *                                                       expect_text title_64k header_key
 *                                                       mailing mailing_before
 *                                                       mailing_at_limit (default: all but
 *                                                       expect_text and the mailing cases)
 *
 * Each case writes a scenario as JSON text in memory, within every limit of
 * docs/scenario-format.md ("Limits"), loads it with the real loader (scenario_load_string) and
 * runs it to the end:
 *   dns_failures    100 000 dns_failure actions, for good: 99 999 on other domains and the last
 *                   on b.example, while a mailing of 3 000 copies to b.example asks an uncached
 *                   resolver at every attempt until the copies bounce after 5 days;
 *   uribl           a filter with 300 000 URIBL names scoring a 64 KiB body of URLs (none listed),
 *                   in each of 20 copies of a mailing;
 *   served_domains  an incoming server for 200 000 domains, 100 messages of 1 000 recipients
 *                   (100 000 RCPTs) to the last of them;
 *   subject         a 60 KiB subject of multi-byte UTF-8 characters, a 20 000-character display
 *                   name and a 30 000-character attachment name, 1 000 recipients; run with a
 *                   trace, which is written as JSON Lines to a temporary file and read back;
 *   captions        200 000 caption rules that never match (SMTP codes 100..199, which no server
 *                   replies), over a mailing of 3 000 copies delivered (about 130 000 events);
 *   expectations    150 000 event expectations that never hold (the same codes), checked with
 *                   mailsim check's checker against the same run;
 *   expect_text     150 000 expectations of SMTP events each with its own text_contains: one
 *                   Aho-Corasick pass per event and group (util/multimatch), only when asked for;
 *   title           a trace (made here as text, not by a run) whose title is 1 000 000
 *                   characters, read by the trace reader and narrated;
 *   title_64k       the same with the longest title the reader takes (64 KiB);
 *   header_key      a trace whose header line is 64 MiB, nearly all of it one unknown key;
 *   mailing         a mailing of 1 000 000 copies, one per recipient (2-character local parts at
 *                   2-character domains that do not exist, so the 8 MiB file holds them), run
 *                   with a trace as `mailsim run` does: refused before the run, as its copies
 *                   alone record more than TRACE_MAX_EVENTS (sim_min_trace_events);
 *   mailing_before  the same run as mailsim ran it before that check, to a trace limit of
 *                   50 000 000 events: 22 s and 4.2 GB;
 *   mailing_at_limit  the largest such mailing the check lets run (TRACE_MAX_EVENTS / 7 copies
 *                   without a Date header, all composed at once), so every copy is in flight
 *                   when the trace fills: the most memory a trace event brings;
 *                   the mailing cases only when asked for.
 * Each case runs in a child process (fork), so its peak RSS is its own; the child reports the CPU
 * seconds (user + system, getrusage) of generating + loading and of the run, and for a traced
 * run what stays resident after it: the model's state, the trace, the world. --cpu-limit stops a
 * case after that many CPU seconds (setrlimit) and reports it as stopped.
 * A benchmark, not a test: never part of ctest (bench/CMakeLists.txt).
 */
#define _POSIX_C_SOURCE 200809L

#include "model/sim.h"
#include "scenario/scenario.h"
#include "text/expect.h"
#include "text/narrate.h"
#include "text/summary.h"
#include "trace/trace_jsonl.h"
#include "util/error.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* ---- a growable text buffer ---- */

typedef struct {
    char *s;
    size_t len, cap;
} Text;

static void text_grow(Text *t, size_t more)
{
    if (t->len + more + 1 <= t->cap) {
        return;
    }
    size_t cap = t->cap ? t->cap : 4096;
    while (cap < t->len + more + 1) {
        cap *= 2;
    }
    char *s = realloc(t->s, cap);
    if (!s) {
        fprintf(stderr, "bench_limits: out of memory\n");
        exit(1);
    }
    t->s = s;
    t->cap = cap;
}

static void text_add(Text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    text_grow(t, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* `count` copies of `unit` (a string literal). */
static void text_repeat(Text *t, const char *unit, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        text_add(t, "%s", unit);
    }
}

/* ---- the scenarios ---- */

/* The nodes every case shares: alice at a.example sends through smtp.a.example (whose resolver
 * has no cache when `cache` is false, so every look-up reaches the DNS data); mx.b.example takes
 * mail for `domains` (written by the caller, a JSON array's inside) through an optional filter
 * (`filter_extra`: its extra fields, or NULL for no filter) into store.b.example, whose
 * mailboxes are `mailboxes` (likewise). */
static void common_nodes(Text *t, bool cache, const char *display_name, void (*domains)(Text *),
                         const char *filter_extra, void (*mailboxes)(Text *))
{
    text_add(t, "{\"mailsim\":1,\"title\":\"bench_limits\",\"seed\":1,\"horizon_s\":31622400,"
                "\"nodes\":[");
    text_add(t, "{\"id\":\"alice-laptop\",\"kind\":\"client\",\"address\":\"alice@a.example\","
                "\"submit_to\":\"smtp.a.example\"%s%s%s},",
             display_name ? ",\"name\":\"" : "", display_name ? display_name : "",
             display_name ? "\"" : "");
    text_add(t, "{\"id\":\"smtp.a.example\",\"kind\":\"outgoing\",\"ip\":\"198.51.100.10\","
                "\"resolver\":\"dns.a.example\",\"local_domains\":[\"a.example\"],"
                "\"local_store\":\"store.a.example\"},");
    text_add(t, "{\"id\":\"dns.a.example\",\"kind\":\"resolver\",\"cache\":%s},",
             cache ? "true" : "false");
    text_add(t, "{\"id\":\"store.a.example\",\"kind\":\"store\",\"mailboxes\":"
                "[{\"address\":\"alice@a.example\"}]},");
    text_add(t, "{\"id\":\"mx.b.example\",\"kind\":\"incoming\",\"ip\":\"203.0.113.25\","
                "\"domains\":[");
    domains(t);
    text_add(t, "],%s\"store\":\"store.b.example\"},",
             filter_extra ? "\"filter\":\"spamd.b.example\"," : "");
    if (filter_extra) {
        text_add(t, "{\"id\":\"spamd.b.example\",\"kind\":\"filter\",\"store\":\"store.b.example\"%s},",
                 filter_extra);
    }
    text_add(t, "{\"id\":\"store.b.example\",\"kind\":\"store\",\"mailboxes\":[");
    mailboxes(t);
    text_add(t, "]}]");
}

/* DNS records sending `domain`'s mail to mx.b.example. */
static void records_for(Text *t, const char *domain)
{
    text_add(t, ",\"dns\":{\"records\":[{\"name\":\"%s\",\"type\":\"MX\",\"pref\":10,"
                "\"host\":\"mx.b.example\",\"ttl_s\":3600},{\"name\":\"mx.b.example\","
                "\"type\":\"A\",\"addr\":\"203.0.113.25\",\"ttl_s\":3600}]}",
             domain);
}

static void domain_b(Text *t)
{
    text_add(t, "\"b.example\"");
}

#define DNS_FAILURES 100000u
#define DNS_COPIES 3000u

static void mailboxes_dns(Text *t)
{
    for (unsigned i = 0; i < DNS_COPIES; i++) {
        text_add(t, "%s{\"address\":\"u%u@b.example\"}", i ? "," : "", i);
    }
}

static void scenario_dns_failures(Text *t)
{
    common_nodes(t, false, NULL, domain_b, NULL, mailboxes_dns);
    records_for(t, "b.example");
    text_add(t, ",\"messages\":[{\"id\":\"news\",\"at_s\":1,\"from\":\"alice@a.example\","
                "\"subject\":\"News\",\"body\":\"Hello\",\"one_per_recipient\":true,"
                "\"every_s\":0.01,\"to\":[");
    for (unsigned i = 0; i < DNS_COPIES; i++) {
        text_add(t, "%s\"u%u@b.example\"", i ? "," : "", i);
    }
    /* Every failure but the last is on another domain; the last makes b.example fail for good,
     * so each copy is retried until it bounces after 5 days (a look-up per attempt). */
    text_add(t, "]}],\"actions\":[");
    for (unsigned i = 0; i + 1 < DNS_FAILURES; i++) {
        text_add(t, "{\"at_s\":0,\"do\":\"dns_failure\",\"name\":\"f%u.example\"},", i);
    }
    text_add(t, "{\"at_s\":0,\"do\":\"dns_failure\",\"name\":\"b.example\"}]}");
}

#define URIBL_NAMES 300000u
#define URIBL_COPIES 20u
#define BODY_BYTES 65536u

static void mailboxes_uribl(Text *t)
{
    for (unsigned i = 0; i < URIBL_COPIES; i++) {
        text_add(t, "%s{\"address\":\"u%u@b.example\"}", i ? "," : "", i);
    }
}

static void scenario_uribl(Text *t)
{
    Text filter = { 0 };
    text_add(&filter, ",\"uribl\":[");
    for (unsigned i = 0; i < URIBL_NAMES; i++) {
        text_add(&filter, "%s\"u%u.example\"", i ? "," : "", i);
    }
    text_add(&filter, "]");
    common_nodes(t, true, NULL, domain_b, filter.s, mailboxes_uribl);
    free(filter.s);
    records_for(t, "b.example");
    text_add(t, ",\"messages\":[{\"id\":\"m1\",\"at_s\":1,\"from\":\"alice@a.example\","
                "\"one_per_recipient\":true,\"to\":[");
    for (unsigned i = 0; i < URIBL_COPIES; i++) {
        text_add(t, "%s\"u%u@b.example\"", i ? "," : "", i);
    }
    text_add(t, "],\"subject\":\"Links\",\"body\":\"");
    static const char URL[] = "http://a.b/ "; /* a host on no list */
    text_repeat(t, URL, (BODY_BYTES - 1) / (sizeof URL - 1));
    text_add(t, "\"}]}");
}

#define SERVED_DOMAINS 200000u
#define SERVED_RCPTS 100000u

static void domains_served(Text *t)
{
    for (unsigned i = 0; i < SERVED_DOMAINS; i++) {
        text_add(t, "%s\"d%u.example\"", i ? "," : "", i);
    }
}

static void no_mailboxes(Text *t)
{
    (void)t;
}

static void scenario_served_domains(Text *t)
{
    /* Recipients are unknown users (550 5.1.1): the RCPT check still looks the domain up first,
     * and 100 000 mailboxes would not fit the file size limit beside the domains. Messages of
     * 1 000 recipients (one SMTP transaction each), so the RCPTs are most of the run. */
    common_nodes(t, true, NULL, domains_served, NULL, no_mailboxes);
    char last[32];
    snprintf(last, sizeof last, "d%u.example", SERVED_DOMAINS - 1);
    records_for(t, last);
    text_add(t, ",\"messages\":[");
    for (unsigned m = 0; m < SERVED_RCPTS / 1000; m++) {
        text_add(t, "%s{\"id\":\"m%u\",\"at_s\":1,\"from\":\"alice@a.example\","
                    "\"subject\":\"News\",\"body\":\"Hello\",\"to\":[",
                 m ? "," : "", m);
        for (unsigned i = 0; i < 1000; i++) {
            text_add(t, "%s\"u%u@%s\"", i ? "," : "", m * 1000 + i, last);
        }
        text_add(t, "]}");
    }
    text_add(t, "]}");
}

#define SUBJECT_BYTES (60u * 1024u)
#define SUBJECT_RCPTS 1000u

static void mailboxes_subject(Text *t)
{
    for (unsigned i = 0; i < SUBJECT_RCPTS; i++) {
        text_add(t, "%s{\"address\":\"\xc3\xbc%u@b.example\"}", i ? "," : "", i);
    }
}

static void scenario_subject(Text *t)
{
    Text name = { 0 };
    text_repeat(&name, "\xc3\x9f", 20000); /* "ß" */
    common_nodes(t, true, name.s, domain_b, "", mailboxes_subject);
    free(name.s);
    records_for(t, "b.example");
    text_add(t, ",\"messages\":[{\"id\":\"m1\",\"at_s\":1,\"from\":\"alice@a.example\","
                "\"subject\":\"");
    /* "é€漢": 2 + 3 + 3 bytes, so a cut at a fixed byte count lands inside a character. */
    text_repeat(t, "\xc3\xa9\xe2\x82\xac\xe6\xbc\xa2", SUBJECT_BYTES / 8);
    text_add(t, "\",\"body\":\"Hello\",\"attachments\":[{\"name\":\"");
    text_repeat(t, "\xc3\xbc", 30000); /* "ü" */
    text_add(t, ".pdf\",\"size_bytes\":1000}],\"to\":[");
    for (unsigned i = 0; i < SUBJECT_RCPTS; i++) {
        text_add(t, "%s\"\xc3\xbc%u@b.example\"", i ? "," : "", i);
    }
    text_add(t, "]}]}");
}

#define CAPTIONS 200000u
#define EXPECTATIONS 150000u
#define COPIES 3000u

/* A mailing of COPIES copies to u0..u2999@b.example, all delivered; `extra` (a JSON array's
 * name and inside) follows the messages. */
static void scenario_mailing_with(Text *t, const char *extra_key, void (*extra)(Text *))
{
    common_nodes(t, true, NULL, domain_b, NULL, mailboxes_dns);
    records_for(t, "b.example");
    text_add(t, ",\"messages\":[{\"id\":\"news\",\"at_s\":1,\"from\":\"alice@a.example\","
                "\"subject\":\"News\",\"body\":\"Hello\",\"one_per_recipient\":true,"
                "\"every_s\":0.01,\"to\":[");
    for (unsigned i = 0; i < COPIES; i++) {
        text_add(t, "%s\"u%u@b.example\"", i ? "," : "", i);
    }
    text_add(t, "]}],\"%s\":", extra_key);
    extra(t);
    text_add(t, "}");
}

static void captions_never_matching(Text *t)
{
    text_add(t, "[");
    for (unsigned i = 0; i < CAPTIONS; i++) {
        text_add(t, "%s{\"on\":{\"code\":%u},\"text\":\"c\"}", i ? "," : "", 100 + i % 100);
    }
    text_add(t, "]");
}

static void scenario_captions(Text *t)
{
    scenario_mailing_with(t, "captions", captions_never_matching);
}

static void expectations_never_holding(Text *t)
{
    text_add(t, "{\"events\":[");
    for (unsigned i = 0; i < EXPECTATIONS; i++) {
        text_add(t, "%s{\"kind\":\"smtp\",\"code\":%u}", i ? "," : "", 100 + i % 100);
    }
    text_add(t, "]}");
}

static void scenario_expectations(Text *t)
{
    scenario_mailing_with(t, "expect", expectations_never_holding);
}

/* The cost the index leaves: each distinct text_contains is looked for in every event of its
 * group (here every SMTP event). */
static void expectations_by_text(Text *t)
{
    text_add(t, "{\"events\":[");
    for (unsigned i = 0; i < EXPECTATIONS; i++) {
        text_add(t, "%s{\"kind\":\"smtp\",\"text_contains\":\"n%u\"}", i ? "," : "", i);
    }
    text_add(t, "]}");
}

static void scenario_expectations_text(Text *t)
{
    scenario_mailing_with(t, "expect", expectations_by_text);
}

/* A trace (as text) of one compose event; the header's title is `title_chars` 'T's, and an
 * unknown key of `key_bytes` bytes comes first when key_bytes > 0. */
static void trace_text(Text *t, size_t title_chars, size_t key_bytes)
{
    text_add(t, "{");
    if (key_bytes) {
        text_add(t, "\"");
        text_grow(t, key_bytes);
        memset(t->s + t->len, 'k', key_bytes);
        t->len += key_bytes;
        t->s[t->len] = '\0';
        text_add(t, "\":1,");
    }
    text_add(t, "\"format\":\"mailsim-trace\",\"version\":2,\"scenario\":\"bench\",\"seed\":1,"
                "\"title\":\"");
    text_grow(t, title_chars);
    memset(t->s + t->len, 'T', title_chars);
    t->len += title_chars;
    t->s[t->len] = '\0';
    text_add(t, "\",\"lesson\":\"\",\"nodes\":[{\"id\":\"alice-laptop\",\"kind\":\"client\"}],"
                "\"links\":[]}\n");
    text_add(t, "{\"t\":1.000000,\"kind\":\"compose\",\"msg\":\"m1\",\"from\":\"alice-laptop\","
                "\"sender\":\"alice@a.example\",\"rcpt\":[\"bob@b.example\"],\"subject\":\"Hi\","
                "\"size\":700}\n");
}

static void trace_long_title(Text *t)
{
    trace_text(t, 1000000, 0);
}

static void trace_title_64k(Text *t)
{
    trace_text(t, 65536, 0);
}

static void trace_header_key(Text *t)
{
    trace_text(t, 5, (64u << 20) - 400);
}

#define MAILING_COPIES 1000000u
#define BEFORE_MAX_TRACE_EVENTS 50000000u

/* A mailing of `copies` copies, one per recipient (2-character local parts at 2-character
 * domains that do not exist, so the 8 MiB file holds a million), with a Date header or not. */
static void scenario_mailing_of(Text *t, unsigned copies, bool date)
{
    static const char LOCAL[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    common_nodes(t, true, NULL, domain_b, NULL, no_mailboxes);
    text_add(t, ",\"messages\":[{\"id\":\"news\",\"at_s\":1,\"from\":\"alice@a.example\","
                "\"subject\":\"N\",\"body\":\"H\",\"one_per_recipient\":true,\"date\":%s,"
                "\"to\":[",
             date ? "true" : "false");
    for (unsigned i = 0; i < copies; i++) {
        unsigned a = i % 36, b = i / 36 % 36, c = i / 1296 % 36, d = i / 46656;
        text_add(t, "%s\"%c%c@%c%c\"", i ? "," : "", LOCAL[a], LOCAL[b], 'a' + d, LOCAL[c]);
    }
    text_add(t, "]}]}");
}

static void scenario_mailing(Text *t)
{
    scenario_mailing_of(t, MAILING_COPIES, true);
}

/* The most copies whose composing alone stays within the trace limit: a copy without a Date
 * header records 7 events as it is composed (sim_min_trace_events), and every copy is composed
 * at once (every_s 0), so all are in flight together when the run reaches the limit. */
static void scenario_mailing_at_limit(Text *t)
{
    scenario_mailing_of(t, TRACE_MAX_EVENTS / 7, false);
}

/* ---- running a case ---- */

typedef enum {
    RUN_PLAIN,     /* load and run without a trace */
    RUN_ROUND_TRIP, /* run with a trace, write it and read it back */
    RUN_TRACED,    /* run with a trace, as `mailsim run` does (captions applied) */
    RUN_TRACED_BEFORE, /* the same as mailsim did before its trace limit was lowered to
                          TRACE_MAX_EVENTS and checked before the run: a limit of
                          BEFORE_MAX_TRACE_EVENTS, reached only by running */
    RUN_CHECK,     /* run with a trace and check the expectations, as `mailsim check` does */
    READ_TRACE,    /* the text is a trace: read it and narrate it */
} Mode;

typedef struct {
    const char *name;
    void (*build)(Text *t);
    Mode mode;
    bool by_default;
} Case;

static const Case CASES[] = {
    { "dns_failures", scenario_dns_failures, RUN_PLAIN, true },
    { "uribl", scenario_uribl, RUN_PLAIN, true },
    { "served_domains", scenario_served_domains, RUN_PLAIN, true },
    { "subject", scenario_subject, RUN_ROUND_TRIP, true },
    { "captions", scenario_captions, RUN_TRACED, true },
    { "expectations", scenario_expectations, RUN_CHECK, true },
    { "expect_text", scenario_expectations_text, RUN_CHECK, false },
    { "title", trace_long_title, READ_TRACE, true },
    { "title_64k", trace_title_64k, READ_TRACE, true },
    { "header_key", trace_header_key, READ_TRACE, true },
    { "mailing", scenario_mailing, RUN_TRACED, false },
    { "mailing_before", scenario_mailing, RUN_TRACED_BEFORE, false },
    { "mailing_at_limit", scenario_mailing_at_limit, RUN_TRACED, false },
};
#define CASE_COUNT (sizeof CASES / sizeof CASES[0])

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0;
}

/* Writes the trace to a temporary file and reads it back; returns "yes" or the reader's error. */
static const char *trace_round_trip(const Trace *tr, char *buf, size_t size)
{
    FILE *f = tmpfile();
    if (!f) {
        snprintf(buf, size, "no temporary file");
        return buf;
    }
    Error err = { 0 };
    Trace *back = NULL;
    if (!trace_write_jsonl(tr, f) || fflush(f) != 0) {
        snprintf(buf, size, "the write failed");
    } else {
        rewind(f);
        back = trace_read_jsonl(f, "bench_limits.jsonl", &err);
        char msg[300];
        snprintf(buf, size, "%s", back ? "yes" : error_format(&err, msg, sizeof msg));
    }
    trace_destroy(back);
    fclose(f);
    return buf;
}

/* Reads the case's text as a trace and narrates it to /dev/null; prints its row. */
static int read_trace_case(const Case *c, const Text *text, double t0)
{
    double t1 = cpu_s();
    FILE *in = fmemopen(text->s, text->len, "r");
    Error err = { 0 };
    Trace *tr = in ? trace_read_jsonl(in, c->name, &err) : NULL;
    char note[700] = "read and narrated";
    if (tr) {
        FILE *out = fopen("/dev/null", "w");
        narrate_write(tr, out);
        fclose(out);
    } else {
        char msg[600];
        snprintf(note, sizeof note, "refused: %.200s", error_format(&err, msg, sizeof msg));
    }
    double t2 = cpu_s();
    printf("%-15s %8.2f MB %9.2f %9.2f %9.2f %9.1f %9zu  %s\n", c->name,
           (double)text->len / (1024.0 * 1024.0), t1 - t0, t2 - t1, t2 - t0, peak_rss_mb(),
           tr ? trace_count(tr) : 0, note);
    trace_destroy(tr);
    if (in) {
        fclose(in);
    }
    return 0;
}

/* Resident memory now (VmRSS), in MB, after handing freed memory back to the system where the C
 * library can (glibc's malloc_trim), so that what a stage frees shows as a drop. */
static double rss_now_mb(void)
{
#ifdef __GLIBC__
    malloc_trim(0);
#endif
    double kb = 0;
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtod(line + 6, NULL);
        }
    }
    if (f) {
        fclose(f);
    }
    return kb / 1024.0;
}

/* Where a traced run's memory goes, by what is resident once the run is over: the model's
 * run-time state (freed by sim_destroy), the trace (trace_destroy) and what stays (the world, its
 * strings grown by the run, the scenario text), with the trace's own share counted from its
 * arrays (capacity, so growth slack included) and the bytes per trace event. Takes the sim and
 * the world. */
static void print_memory(Sim *sim, World *w)
{
    size_t n = trace_count(sim_trace(sim));
    size_t cap_bytes = trace_memory_bytes(sim_trace(sim));
    size_t string_bytes = strpool_bytes(trace_strings_const(sim_trace(sim)));
    double all = rss_now_mb();
    Trace *tr = sim_take_trace(sim);
    sim_destroy(sim);
    double without_model = rss_now_mb();
    trace_destroy(tr);
    double without_trace = rss_now_mb();
    world_destroy(w);
    const double mb = 1024.0 * 1024.0;
    printf("%-15s resident after the run %.0f MB = model state %.0f + trace %.0f (its arrays and "
           "strings: %.0f, events %.0f, strings %.0f) + world and the rest %.0f; %.0f bytes per "
           "trace event, the trace's own %.0f\n",
           "", all, all - without_model, without_model - without_trace, (double)cap_bytes / mb,
           (double)(n * sizeof(TraceEvent)) / mb, (double)string_bytes / mb, without_trace,
           n ? all * mb / (double)n : 0.0, n ? (without_model - without_trace) * mb / (double)n : 0.0);
}

/* The child: builds, loads and runs one case, prints its table row. */
static int run_case(const Case *c)
{
    double t0 = cpu_s();
    Text json = { 0 };
    c->build(&json);
    if (c->mode == READ_TRACE) {
        int rc = read_trace_case(c, &json, t0);
        free(json.s);
        return rc;
    }
    Error err = { 0 };
    World *w = scenario_load_string(json.s, json.len, c->name, &err);
    if (!w) {
        char msg[600];
        printf("%-15s refused by the loader: %s\n", c->name, error_format(&err, msg, sizeof msg));
        free(json.s);
        return 1;
    }
    double t1 = cpu_s();
    /* What mailsim does before running a scenario whose trace it keeps (sim/app/main.c). */
    uint64_t least = sim_min_trace_events(w);
    if (c->mode != RUN_PLAIN && c->mode != RUN_TRACED_BEFORE && least > TRACE_MAX_EVENTS) {
        double t2 = cpu_s();
        printf("%-15s %8.2f MB %9.2f %9.2f %9.2f %9.1f %9u  refused before the run: at least "
               "%llu trace events, the limit is %u\n",
               c->name, (double)json.len / (1024.0 * 1024.0), t1 - t0, t2 - t1, t2 - t0,
               peak_rss_mb(), 0u, (unsigned long long)least, TRACE_MAX_EVENTS);
        world_destroy(w);
        free(json.s);
        return 0;
    }
    SimOptions opt = { .no_trace = c->mode == RUN_PLAIN,
                       .max_trace_events = c->mode == RUN_TRACED_BEFORE ? BEFORE_MAX_TRACE_EVENTS
                                                                        : TRACE_MAX_EVENTS };
    Sim *sim = sim_create(w, &opt);
    sim_run(sim);
    char note[512] = "";
    if (c->mode == RUN_CHECK) {
        FILE *out = fopen("/dev/null", "w");
        Summary *s = summary_build(sim_trace(sim));
        int unmet = expect_check(w, sim_trace(sim), s, out);
        summary_destroy(s);
        fclose(out);
        snprintf(note, sizeof note, "%d unmet expectations reported", unmet);
    }
    double t2 = cpu_s();
    if (c->mode == RUN_ROUND_TRIP) {
        char result[400];
        snprintf(note, sizeof note, "trace reads back: %s",
                 trace_round_trip(sim_trace(sim), result, sizeof result));
    }
    if (c->mode == RUN_TRACED || c->mode == RUN_TRACED_BEFORE) {
        snprintf(note, sizeof note, "%zu trace events, %zu captions%s",
                 trace_count(sim_trace(sim)), trace_caption_count(sim_trace(sim)),
                 sim_stats(sim)->hit_trace_limit ? ", stopped at the trace limit" : "");
    }
    const SimStats *st = sim_stats(sim);
    printf("%-15s %8.2f MB %9.2f %9.2f %9.2f %9.1f %9llu  %s\n", c->name,
           (double)json.len / (1024.0 * 1024.0), t1 - t0, t2 - t1, t2 - t0, peak_rss_mb(),
           (unsigned long long)st->events, note);
    if (c->mode == RUN_TRACED || c->mode == RUN_TRACED_BEFORE) {
        print_memory(sim, w);
    } else {
        sim_destroy(sim);
        world_destroy(w);
    }
    free(json.s);
    return 0;
}

static void run_in_child(const Case *c, long cpu_limit_s)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench_limits: fork");
        exit(1);
    }
    if (pid == 0) {
        if (cpu_limit_s > 0) {
            struct rlimit rl = { (rlim_t)cpu_limit_s, (rlim_t)cpu_limit_s + 1 };
            setrlimit(RLIMIT_CPU, &rl);
        }
        int rc = run_case(c);
        fflush(stdout);
        _exit(rc);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) {
        printf("%-15s stopped by signal %d (--cpu-limit %ld s reached?)\n", c->name,
               WTERMSIG(status), cpu_limit_s);
    }
}

int main(int argc, char **argv)
{
    long cpu_limit_s = 0;
    bool chosen[CASE_COUNT] = { false };
    bool any = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--cpu-limit") == 0 && i + 1 < argc) {
            cpu_limit_s = strtol(argv[++i], NULL, 10);
            continue;
        }
        size_t k = 0;
        while (k < CASE_COUNT && strcmp(argv[i], CASES[k].name) != 0) {
            k++;
        }
        if (k == CASE_COUNT) {
            fprintf(stderr, "usage: bench_limits [--cpu-limit SECONDS] [CASE...]; cases:");
            for (size_t j = 0; j < CASE_COUNT; j++) {
                fprintf(stderr, " %s", CASES[j].name);
            }
            fprintf(stderr, "\n");
            return 2;
        }
        chosen[k] = any = true;
    }
    printf("%-15s %11s %9s %9s %9s %9s %9s\n", "case", "input", "load_cpu", "run_cpu", "total_cpu",
           "peak_MB", "events");
    for (size_t k = 0; k < CASE_COUNT; k++) {
        if (any ? chosen[k] : CASES[k].by_default) {
            run_in_child(&CASES[k], cpu_limit_s);
        }
    }
    return 0;
}
