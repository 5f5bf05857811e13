/* test_dnsfail: a domain's broken DNS is drawn at the resolver that relays it, while the failure
 * lasts and only then — on scenario 08 (b.example's DNS answers SERVFAIL for half an hour) and on
 * hand-built traces (overlapping windows handing over, a window mended by hand, a resolver asking
 * about other names, names under the domain, any case). */
#include "view/fixture.h"
#include "test.h"
#include "shipped.h"

#include "model/sim.h"
#include "scenario/scenario.h"
#include "view/dnsfail.h"
#include "view/layout.h"
#include "view/traceindex.h"
#include "view/viewstate.h"

#include <string.h>


/* The badge of `node` that names `domain`'s DNS at t, or NULL. */
static const ViewBadge *dns_badge(const TraceIndex *ix, const Layout *lay, ViewState *vs,
                                  int32_t node, int64_t t_us, const char *domain)
{
    ViewOptions opt = viewoptions_default();
    viewstate_compute(ix, lay, t_us, &opt, vs);
    char want[128];
    snprintf(want, sizeof want, "%s DNS\n", domain);
    for (int b = 0; b < vs->nodes[node].badge_count; b++) {
        if (strncmp(vs->nodes[node].badges[b].text, want, strlen(want)) == 0) {
            return &vs->nodes[node].badges[b];
        }
    }
    return NULL;
}

/* Any badge of any node that names a domain's DNS at t. */
static int dns_badges(const TraceIndex *ix, const Layout *lay, ViewState *vs, int64_t t_us)
{
    ViewOptions opt = viewoptions_default();
    viewstate_compute(ix, lay, t_us, &opt, vs);
    int count = 0;
    for (size_t i = 0; i < vs->node_count; i++) {
        for (int b = 0; b < vs->nodes[i].badge_count; b++) {
            count += strstr(vs->nodes[i].badges[b].text, " DNS\n") != NULL;
        }
    }
    return count;
}

static void dnsfail_should_mark_b_example_dns_at_alices_resolver_while_it_fails_in_08(void)
{
    Trace *tr = shipped_run_file(MAILSIM_SOURCE_DIR "/scenarios/08-dns-servfail.json");
    REQUIRE(tr != NULL);
    TraceIndex *ix = traceindex_create(tr);
    Layout *lay = layout_create(ix);
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    ViewState *vs = viewstate_create();
    int32_t dns_a = trace_find_node(tr, "dns.a.example");
    int32_t dns_b = trace_find_node(tr, "dns.b.example");
    REQUIRE(dns_a >= 0 && dns_b >= 0);

    /* The SERVFAIL answer comes to smtp.a.example from dns.a.example, which asked b.example's
     * servers: the mark is there, a temporary one, naming b.example. */
    const TraceEvent *ev = trace_events(tr);
    int64_t servfail_us = TRACE_NO_TIME;
    for (size_t i = 0; i < trace_count(tr) && servfail_us == TRACE_NO_TIME; i++) {
        if (ev[i].kind == TK_DNS && ev[i].sub == TRACE_ANSWER && ev[i].num2 == RCODE_SERVFAIL) {
            servfail_us = ev[i].t_us;
            CHECK_EQ_INT(ev[i].from, dns_a);
        }
    }
    REQUIRE(servfail_us != TRACE_NO_TIME);
    static const int64_t inside_s[] = { 0, 1, 600, 1799 };
    for (size_t k = 0; k < sizeof inside_s / sizeof inside_s[0]; k++) {
        const ViewBadge *b = dns_badge(ix, lay, vs, dns_a, inside_s[k] * 1000000, "b.example");
        REQUIRE(b != NULL);
        CHECK_EQ_STR(b->text, "b.example DNS\n\u27f3 SERVFAIL");
        CHECK_EQ_INT(b->role, CR_SMTP_DEFER);
        CHECK(dns_badge(ix, lay, vs, dns_b, inside_s[k] * 1000000, "b.example") == NULL);
        CHECK_EQ_INT(dns_badges(ix, lay, vs, inside_s[k] * 1000000), 1);
    }
    CHECK(dns_badge(ix, lay, vs, dns_a, servfail_us, "b.example") != NULL);
    /* From the moment the servers answer again (the dns_failure_end at 30 min) it is gone. */
    CHECK_EQ_INT(dns_badges(ix, lay, vs, INT64_C(1800) * 1000000), 0);
    CHECK_EQ_INT(dns_badges(ix, lay, vs, INT64_C(2500) * 1000000), 0);
    CHECK_EQ_INT(dns_badges(ix, lay, vs, -1), 0);

    viewstate_destroy(vs);
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(tr);
}

static void fx_action(Fx *fx, int64_t t_ms, const char *what, const char *text)
{
    TraceEvent e = trace_event_init(TK_ACTION, MS(t_ms));
    e.text = fx_s(fx, text);
    e.aux = fx_s(fx, what);
    trace_append(fx->tr, &e);
}

static void fx_answer(Fx *fx, int64_t t_ms, int32_t resolver, const char *qname, TraceRcode rc)
{
    fx_dns(fx, t_ms, resolver, N_SMTP_A, t_ms + 20, TRACE_ANSWER, QTYPE_A, qname, "", rc, false);
}

/* Windows at t as "domain rcode@resolver" words, in start order. */
static void windows_at(const DnsFail *df, int64_t t_ms, char *out, size_t size)
{
    const DnsFailWindow *w[8];
    size_t n = dnsfail_at(df, MS(t_ms), w, 8);
    out[0] = '\0';
    for (size_t i = 0; i < n && i < 8; i++) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s %s@%d", i ? ", " : "", w[i]->domain,
                 trace_rcode_name(w[i]->rcode), (int)w[i]->resolver);
    }
}

static void dnsfail_should_follow_handovers_and_hand_mending_at_the_resolvers_that_ask(void)
{
    Fx fx = { trace_create(), TRACE_NONE };
    fx_topology(&fx);
    /* dns.a asks about a name under b.example (in another case), dns.b only about c.example. */
    fx_answer(&fx, 50, N_DNS_A, "MX.B.Example", RCODE_NOERROR);
    fx_answer(&fx, 60, N_DNS_B, "c.example", RCODE_NOERROR);
    fx_action(&fx, 100, "dns_failure",
              "The DNS servers for b.example fail (SERVFAIL) until 00:00:00.300");
    fx_action(&fx, 200, "dns_failure",
              "The DNS servers for b.example say the name does not exist (NXDOMAIN) until "
              "00:00:00.500");
    fx_action(&fx, 250, "dns_failure",
              "The DNS servers for c.example stop answering (timeouts) until 00:00:00.900");
    fx_action(&fx, 300, "dns_failure_end",
              "A DNS failure for b.example ends, but another still covers it (NXDOMAIN)");
    fx_action(&fx, 400, "dns_failure_end",
              "The DNS servers for b.example are mended by hand and answer again");
    fx_action(&fx, 500, "dns_failure_end",
              "The DNS servers for b.example are mended by hand, but they were not failing");
    fx_action(&fx, 700, "outage", "mx.b.example goes down (refusing connections) for good");
    DnsFail *df = dnsfail_create(fx.tr);
    char got[256];
    windows_at(df, 99, got, sizeof got);
    CHECK_EQ_STR(got, "");
    windows_at(df, 150, got, sizeof got);
    CHECK_EQ_STR(got, "b.example SERVFAIL@2");
    windows_at(df, 200, got, sizeof got);
    CHECK_EQ_STR(got, "b.example NXDOMAIN@2");
    windows_at(df, 260, got, sizeof got);
    CHECK_EQ_STR(got, "b.example NXDOMAIN@2, c.example TIMEOUT@8");
    /* The hand-over at 300 ms starts a window of its own: after c.example's, in start order. */
    windows_at(df, 350, got, sizeof got);
    CHECK_EQ_STR(got, "c.example TIMEOUT@8, b.example NXDOMAIN@2");
    windows_at(df, 400, got, sizeof got);
    CHECK_EQ_STR(got, "c.example TIMEOUT@8");
    /* c.example's failure never ends in this trace: it lasts to the end and beyond. */
    windows_at(df, 100000, got, sizeof got);
    CHECK_EQ_STR(got, "c.example TIMEOUT@8");
    CHECK(dnsfail_temporary(RCODE_SERVFAIL) && dnsfail_temporary(RCODE_TIMEOUT));
    CHECK(!dnsfail_temporary(RCODE_NXDOMAIN));
    dnsfail_destroy(df);

    /* In the picture: the permanent one is ✖ and drawn as a refusal, the timeout ⟳ "no answer". */
    TraceIndex *ix = traceindex_create(fx.tr);
    Layout *lay = layout_create(ix);
    layout_resize(lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    ViewState *vs = viewstate_create();
    const ViewBadge *b = dns_badge(ix, lay, vs, N_DNS_A, MS(260), "b.example");
    REQUIRE(b != NULL);
    CHECK_EQ_STR(b->text, "b.example DNS\n\u2716 NXDOMAIN");
    CHECK_EQ_INT(b->role, CR_SMTP_REJECT);
    b = dns_badge(ix, lay, vs, N_DNS_B, MS(260), "c.example");
    REQUIRE(b != NULL);
    CHECK_EQ_STR(b->text, "c.example DNS\n\u27f3 no answer");
    viewstate_destroy(vs);
    layout_destroy(lay);
    traceindex_destroy(ix);
    trace_destroy(fx.tr);
}

static void dnsfail_should_draw_nothing_for_a_domain_no_resolver_asks_about(void)
{
    Fx fx = { trace_create(), TRACE_NONE };
    fx_topology(&fx);
    fx_answer(&fx, 50, N_DNS_A, "xb.example", RCODE_NOERROR); /* not under b.example */
    fx_action(&fx, 100, "dns_failure", "The DNS servers for b.example fail (SERVFAIL) for good");
    fx_action(&fx, 150, "dns_failure", "no domain named here");
    DnsFail *df = dnsfail_create(fx.tr);
    CHECK_EQ_INT(dnsfail_count(df), 0);
    CHECK_EQ_INT(dnsfail_at(df, MS(120), NULL, 0), 0);
    dnsfail_destroy(df);
    dnsfail_destroy(NULL);
    trace_destroy(fx.tr);
}

int main(void)
{
    static const TestCase cases[] = {
        { "dnsfail_should_mark_b_example_dns_at_alices_resolver_while_it_fails_in_08",
          dnsfail_should_mark_b_example_dns_at_alices_resolver_while_it_fails_in_08 },
        { "dnsfail_should_follow_handovers_and_hand_mending_at_the_resolvers_that_ask",
          dnsfail_should_follow_handovers_and_hand_mending_at_the_resolvers_that_ask },
        { "dnsfail_should_draw_nothing_for_a_domain_no_resolver_asks_about",
          dnsfail_should_draw_nothing_for_a_domain_no_resolver_asks_about },
    };
    return test_main(cases, sizeof cases / sizeof cases[0]);
}
