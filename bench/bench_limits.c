/* bench_limits: the largest legal scenarios for the model's size-dependent work, one per case.
 *
 *   bench_limits [--cpu-limit SECONDS] [CASE...]     CASE: dns_failures uribl served_domains
 *                                                       subject (default: all four)
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
 *                   trace, which is written as JSON Lines to a temporary file and read back.
 * Each case runs in a child process (fork), so its peak RSS is its own; the child reports the CPU
 * seconds (user + system, getrusage) of generating + loading and of the run. --cpu-limit stops a
 * case after that many CPU seconds (setrlimit) and reports it as stopped.
 * A benchmark, not a test: never part of ctest (bench/CMakeLists.txt).
 */
#define _POSIX_C_SOURCE 200809L

#include "model/sim.h"
#include "scenario/scenario.h"
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

/* ---- running a case ---- */

typedef struct {
    const char *name;
    void (*build)(Text *t);
    bool trace; /* run with a trace, write it and read it back */
} Case;

static const Case CASES[] = {
    { "dns_failures", scenario_dns_failures, false },
    { "uribl", scenario_uribl, false },
    { "served_domains", scenario_served_domains, false },
    { "subject", scenario_subject, true },
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

/* The child: builds, loads and runs one case, prints its table row. */
static int run_case(const Case *c)
{
    double t0 = cpu_s();
    Text json = { 0 };
    c->build(&json);
    Error err = { 0 };
    World *w = scenario_load_string(json.s, json.len, c->name, &err);
    if (!w) {
        char msg[600];
        printf("%-15s refused by the loader: %s\n", c->name, error_format(&err, msg, sizeof msg));
        free(json.s);
        return 1;
    }
    double t1 = cpu_s();
    SimOptions opt = { .no_trace = !c->trace };
    Sim *sim = sim_create(w, &opt);
    sim_run(sim);
    double t2 = cpu_s();
    char note[512] = "";
    if (c->trace) {
        char result[400];
        snprintf(note, sizeof note, "trace reads back: %s",
                 trace_round_trip(sim_trace(sim), result, sizeof result));
    }
    const SimStats *st = sim_stats(sim);
    printf("%-15s %8.2f MB %9.2f %9.2f %9.2f %9.1f %9llu  %s\n", c->name,
           (double)json.len / (1024.0 * 1024.0), t1 - t0, t2 - t1, t2 - t0, peak_rss_mb(),
           (unsigned long long)st->events, note);
    sim_destroy(sim);
    world_destroy(w);
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
            fprintf(stderr, "usage: bench_limits [--cpu-limit SECONDS] [dns_failures] [uribl] "
                            "[served_domains] [subject]\n");
            return 2;
        }
        chosen[k] = any = true;
    }
    printf("%-15s %11s %9s %9s %9s %9s %9s\n", "case", "json", "load_cpu", "run_cpu", "total_cpu",
           "peak_MB", "events");
    for (size_t k = 0; k < CASE_COUNT; k++) {
        if (!any || chosen[k]) {
            run_in_child(&CASES[k], cpu_limit_s);
        }
    }
    return 0;
}
