/* bench_layout: what laying out a large topology costs, SDL-free.
 *
 *   bench_layout [NODES:LINKS ...]   (default: the table below)
 *
 * Each case is a trace with NODES nodes (the six kinds in turn, so every column and the top row
 * fill) and LINKS links between random pairs (a fixed seed), one compose event. Timed: index
 * (traceindex_create), layout_create (roles, columns, adjacency, a first placement) and one
 * layout_resize at the design size and at 133 % text (Ctrl +): what opening a trace and one
 * window resize cost. Layout work must grow linearly with nodes + links: the last column,
 * microseconds per node-or-link, stays flat down the table when it does.
 */
#include "bulk.h"

#include "view/layout.h"
#include "view/traceindex.h"

#include <stdio.h>
#include <stdlib.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint32_t rng_below(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static Trace *topology_trace(uint32_t nodes, uint32_t links)
{
    static const NodeKind KINDS[] = { NODE_CLIENT, NODE_OUTGOING, NODE_RESOLVER,
                                      NODE_INCOMING, NODE_FILTER, NODE_STORE };
    Trace *tr = trace_create();
    trace_set_meta(tr, "bench-layout", "A large topology", "", 1);
    char buf[64];
    for (uint32_t i = 0; i < nodes; i++) {
        snprintf(buf, sizeof buf, "n%u.example", i);
        TraceNode n = { strpool_intern(trace_strings(tr), buf), STR_EMPTY, STR_EMPTY,
                        KINDS[i % 6], false, 0, 0 };
        trace_add_node(tr, &n);
    }
    for (uint32_t i = 0; i < links && nodes > 1; i++) {
        int32_t a = (int32_t)rng_below(nodes), b = (int32_t)rng_below(nodes - 1);
        b += b >= a;
        TraceLink l = { a, b, 20000 };
        trace_add_link(tr, &l);
    }
    TraceEvent e = trace_event_init(TK_COMPOSE, 1000000);
    e.from = 0;
    trace_append(tr, &e);
    return tr;
}

static void bench_case(uint32_t nodes, uint32_t links)
{
    Trace *tr = topology_trace(nodes, links);
    double t0 = bulk_now_s();
    TraceIndex *ix = traceindex_create(tr);
    double t1 = bulk_now_s();
    Layout *lay = layout_create(ix);
    double t2 = bulk_now_s();
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    double t3 = bulk_now_s();
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.33f);
    double t4 = bulk_now_s();
    double layout_s = (t2 - t1) + (t3 - t2);
    printf("| %7u | %9u | %9.3f | %9.3f | %9.3f | %9.3f | %8.3f |\n", nodes, links,
           (t1 - t0) * 1e3, (t2 - t1) * 1e3, (t3 - t2) * 1e3, (t4 - t3) * 1e3,
           layout_s * 1e6 / (double)(nodes + links));
    fflush(stdout);
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

int main(int argc, char **argv)
{
    static const uint32_t DEFAULTS[][2] = {
        { 1000, 0 },      { 10000, 0 },      { 10000, 10000 }, { 10000, 100000 },
        { 200, 20000 },   { 200, 40000 },    { 32767, 1000000 },
    };
    printf("| nodes   | links     | index ms  | create ms | resize ms | 133%% ms   | us/item  |\n");
    printf("|---------|-----------|-----------|-----------|-----------|-----------|----------|\n");
    if (argc > 1) {
        for (int i = 1; i < argc; i++) {
            unsigned n = 0, l = 0;
            if (sscanf(argv[i], "%u:%u", &n, &l) != 2) {
                fprintf(stderr, "bench_layout: %s: expected NODES:LINKS\n", argv[i]);
                return 2;
            }
            bench_case(n, l);
        }
        return 0;
    }
    for (size_t i = 0; i < sizeof DEFAULTS / sizeof DEFAULTS[0]; i++) {
        bench_case(DEFAULTS[i][0], DEFAULTS[i][1]);
    }
    return 0;
}
