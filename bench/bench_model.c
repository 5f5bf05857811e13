/* bench_model: the whole mail model under a newsletter-sized load.
 *
 *   bench_model [RECIPIENTS=10000] [--trace] [--smtp-submit] [--no-conncache] [--no-pipelining]
 *
 * One sending organisation (news@big.example through smtp.big.example) mails RECIPIENTS
 * addresses spread over 1 000 domains as one mailing: a copy per recipient ("one_per_recipient",
 * docs/scenario-format.md), handed over at 2 000 copies/s.
 * The mix (decided per recipient/domain by a fixed hash, so every run is the same):
 *   5 % unknown users (550 5.1.1), 2 % full mailboxes (552 5.2.2), 3 % of domains greylist
 *   (450 then a retry), 1 % of domains check a DNSBL that lists the sender (554 5.7.1),
 *   every domain runs a spam filter, and domain 0's server is overloaded (2 sessions, backlog 2:
 *   queueing and 421 4.3.2). The run stops when everything is settled or at a 6-hour horizon.
 * The world is bulk.c's, shared with bench_player. The newsletter application hands its copies
 * to smtp.big.example the way list managers do, with the sendmail command (the client's
 * "submit": "pickup", docs/scenario-format.md): no SMTP submission dialogue per copy (about 17
 * engine events a recipient with the connection cache and PIPELINING, 27 without either).
 * --smtp-submit makes it submit every copy over SMTP (port 587, AUTH) instead.
 * --no-conncache and --no-pipelining turn off the sending server's connection cache
 * (smtp_connection_cache_on_demand) and its use of PIPELINING (both on by default, as in
 * Postfix), so one build measures the relay with and without them (bench/compare-relay.sh).
 * Prints wall time, events, events/s, peak RSS and the outcome counts; the last line is
 * `events_per_s=N`.
 */
#include "bulk.h"
#include "model/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 10000;
    bool trace = false, smtp_submit = false, conncache = true, pipelining = true;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--trace") == 0) {
            trace = true;
        } else if (strcmp(argv[i], "--smtp-submit") == 0) {
            smtp_submit = true;
        } else if (strcmp(argv[i], "--no-conncache") == 0) {
            conncache = false;
        } else if (strcmp(argv[i], "--no-pipelining") == 0) {
            pipelining = false;
        } else {
            fprintf(stderr, "usage: bench_model [RECIPIENTS] [--trace] [--smtp-submit] "
                            "[--no-conncache] [--no-pipelining]\n");
            return 2;
        }
    }
    double t0 = bulk_now_s();
    World *w = bulk_world(n);
    int32_t app = world_find_node(w, "newsletter-app");
    w->nodes[app].u.client.pickup = !smtp_submit;
    OutgoingCfg *out = &w->nodes[world_find_node(w, "smtp.big.example")].u.out;
    out->connection_cache = conncache;
    out->pipelining = pipelining;
    double t1 = bulk_now_s();
    SimOptions opt = { .no_trace = !trace };
    Sim *sim = sim_create(w, &opt);
    sim_run(sim);
    double t2 = bulk_now_s();
    const SimStats *st = sim_stats(sim);
    size_t trace_bytes = 0, events = 0;
    if (trace) {
        trace_bytes = trace_memory_bytes(sim_trace(sim));
        events = trace_count(sim_trace(sim));
    }
    printf("recipients=%u trace=%s submission=%s conncache=%s pipelining=%s build_s=%.2f "
           "run_s=%.2f sim_end=%.0fs\n",
           n, trace ? "on" : "off", smtp_submit ? "smtp" : "pickup", conncache ? "on" : "off",
           pipelining ? "on" : "off", t1 - t0, t2 - t1, (double)st->end_us / 1e6);
    printf("engine_events=%llu delivered=%llu bounced=%llu deferred=%llu dropped=%llu%s\n",
           (unsigned long long)st->events, (unsigned long long)st->delivered,
           (unsigned long long)st->bounced, (unsigned long long)st->deferred,
           (unsigned long long)st->dropped, st->hit_horizon ? " (stopped at the horizon)" : "");
    if (trace) {
        printf("trace_events=%zu trace_bytes=%zu bytes_per_event=%.1f\n", events, trace_bytes,
               events ? (double)trace_bytes / (double)events : 0.0);
    }
    printf("events_per_recipient=%.2f\n", n ? (double)st->events / n : 0.0);
    printf("peak_rss_mb=%.1f\n", bulk_peak_rss_mb());
    printf("events_per_s=%.0f\n", (double)st->events / (t2 - t1));
    sim_destroy(sim);
    world_destroy(w);
    return 0;
}
