/* multimatch: Aho-Corasick over bytes (see multimatch.h).
 *
 * The trie's edges are one SigMap keyed by (node, byte), so a node costs a few words whatever
 * its fan-out (a full 256-way table per node would be 1 KiB each). Nodes 0..set_count-1 are the
 * sets' roots; a root fails to itself. Invariants after create: fail[n] is the node of the
 * longest proper suffix of n's string that is in n's set's trie; out[n] is
 * the nearest node on n's fail chain (n excluded) that ends a needle, or NO_NODE. A scan stamps
 * every needle node it reports with the scan's number and stops walking an out chain at a node
 * already stamped: that node's whole chain was reported when it was stamped. So a scan costs the
 * text's length (amortised over fail links) plus the needles it reports. */
#include "util/multimatch.h"

#include "util/sigmap.h"
#include "util/xalloc.h"

#include <assert.h>
#include <stdlib.h>

#define NO_NODE UINT32_MAX

typedef struct {
    uint32_t fail, out;
    uint32_t needle;  /* first needle ending here, or NO_NODE */
    uint32_t child;   /* first child, for the breadth-first pass */
    uint32_t sibling; /* next child of this node's parent */
    uint32_t stamp;   /* the last scan that reported this node's needles */
    unsigned char byte; /* on the edge from the parent */
} Node;

struct MultiMatch {
    SigMap edges;          /* (node, byte) -> node */
    Node *nodes;
    size_t node_count, node_cap;
    uint32_t *same;        /* per needle: the next needle equal to it, or NO_NODE */
    uint32_t root_count;   /* the sets */
    uint32_t scan;
};

static Sig edge_key(uint32_t node, unsigned char byte)
{
    return (Sig){ node, byte };
}

static uint32_t edge(const MultiMatch *m, uint32_t node, unsigned char byte)
{
    uint32_t to = sigmap_get(&m->edges, edge_key(node, byte));
    return to == SIGMAP_NONE ? NO_NODE : to;
}

static uint32_t add_node(MultiMatch *m)
{
    m->nodes = xgrow(m->nodes, &m->node_cap, m->node_count + 1, sizeof *m->nodes);
    m->nodes[m->node_count] = (Node){ .fail = (uint32_t)m->node_count, /* a root's own */
                                      .out = NO_NODE,
                                      .needle = NO_NODE,
                                      .child = NO_NODE,
                                      .sibling = NO_NODE };
    return (uint32_t)m->node_count++;
}

static void insert(MultiMatch *m, const char *needle, uint32_t index, uint32_t root)
{
    uint32_t at = root;
    for (const unsigned char *p = (const unsigned char *)needle; *p; p++) {
        uint32_t next = sigmap_get_or_add(&m->edges, edge_key(at, *p), (uint32_t)m->node_count);
        if (next == m->node_count) {
            add_node(m);
            m->nodes[next].byte = *p;
            m->nodes[next].sibling = m->nodes[at].child;
            m->nodes[at].child = next;
        }
        at = next;
    }
    /* Equal needles chain from the node: the later one first, which the scan does not mind. */
    m->same[index] = m->nodes[at].needle;
    m->nodes[at].needle = index;
}

/* The node reached from `from` by `byte`, following fail links: the automaton's step. */
static uint32_t step(const MultiMatch *m, uint32_t from, unsigned char byte)
{
    for (;;) {
        uint32_t to = edge(m, from, byte);
        if (to != NO_NODE) {
            return to;
        }
        if (from < m->root_count) {
            return from;
        }
        from = m->nodes[from].fail;
    }
}

static void link_children(MultiMatch *m, uint32_t parent, uint32_t *queue, size_t *tail)
{
    for (uint32_t c = m->nodes[parent].child; c != NO_NODE; c = m->nodes[c].sibling) {
        queue[(*tail)++] = c;
    }
}

/* Breadth first, so a node's fail target (shallower) has its own links already. */
static void build_links(MultiMatch *m)
{
    uint32_t *queue = xmalloc(m->node_count * sizeof *queue);
    size_t head = 0, tail = 0;
    for (uint32_t r = 0; r < m->root_count; r++) {
        for (uint32_t c = m->nodes[r].child; c != NO_NODE; c = m->nodes[c].sibling) {
            m->nodes[c].fail = r; /* depth 1 */
        }
        link_children(m, r, queue, &tail);
    }
    for (; head < tail; head++) {
        uint32_t n = queue[head];
        Node *node = &m->nodes[n];
        for (uint32_t c = node->child; c != NO_NODE; c = m->nodes[c].sibling) {
            m->nodes[c].fail = step(m, node->fail, m->nodes[c].byte);
        }
        uint32_t f = node->fail;
        node->out = m->nodes[f].needle != NO_NODE ? f : m->nodes[f].out;
        link_children(m, n, queue, &tail);
    }
    free(queue);
}

MultiMatch *multimatch_create(const char *const *needles, const uint32_t *set_of, uint32_t count,
                              uint32_t set_count)
{
    assert(set_count >= 1);
    MultiMatch *m = xcalloc(1, sizeof *m);
    m->same = xmalloc((count ? count : 1) * sizeof *m->same);
    m->root_count = set_count;
    for (uint32_t r = 0; r < set_count; r++) {
        add_node(m);
    }
    for (uint32_t i = 0; i < count; i++) {
        assert(needles[i] && (!set_of || set_of[i] < set_count));
        insert(m, needles[i], i, set_of ? set_of[i] : 0);
    }
    build_links(m);
    return m;
}

static void report(MultiMatch *m, uint32_t n, MultiMatchFn fn, void *ctx)
{
    while (n != NO_NODE && m->nodes[n].stamp != m->scan) {
        m->nodes[n].stamp = m->scan;
        for (uint32_t i = m->nodes[n].needle; i != NO_NODE; i = m->same[i]) {
            fn(ctx, i);
        }
        n = m->nodes[n].out;
    }
}

void multimatch_scan(MultiMatch *m, uint32_t set, const char *text, size_t len, MultiMatchFn fn,
                     void *ctx)
{
    assert(set < m->root_count);
    if (++m->scan == 0) { /* wrapped: no node may look stamped by this scan */
        for (size_t i = 0; i < m->node_count; i++) {
            m->nodes[i].stamp = 0;
        }
        m->scan = 1;
    }
    report(m, set, fn, ctx); /* the empty needle, if any */
    if (m->nodes[set].child == NO_NODE) {
        return; /* no other needle: nothing to read */
    }
    uint32_t at = set;
    for (size_t i = 0; i < len; i++) {
        at = step(m, at, (unsigned char)text[i]);
        report(m, m->nodes[at].needle != NO_NODE ? at : m->nodes[at].out, fn, ctx);
    }
}

void multimatch_destroy(MultiMatch *m)
{
    if (!m) {
        return;
    }
    sigmap_free(&m->edges);
    free(m->nodes);
    free(m->same);
    free(m);
}
