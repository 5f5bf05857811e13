/* Tests for view/ladder: the sequence diagram's rows, lanes and layout, on the shipped scenarios'
 * traces (run through the model) and on hand-built ones for the edge cases. */
#include "test.h"

#include "view/fixture.h"

#include "model/sim.h"
#include "scenario/scenario.h"
#include "util/fmt.h"
#include "view/ladder.h"

#include <stdlib.h>
#include <string.h>

static Trace *run(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/%s", MAILSIM_SOURCE_DIR, name);
    Error err = { 0 };
    World *w = scenario_load_file(path, &err);
    if (!w) {
        return NULL;
    }
    Trace *tr = sim_run_world(w, NULL);
    world_destroy(w);
    return tr;
}

/* The first row at or after `from` whose text starts with `prefix`, or -1. */
static int find_row(const Ladder *ld, size_t from, const char *prefix)
{
    for (size_t k = from; k < ladder_row_count(ld); k++) {
        if (strncmp(ladder_row(ld, k)->text, prefix, strlen(prefix)) == 0) {
            return (int)k;
        }
    }
    return -1;
}

/* s with every no-break space (U+00A0) made a plain space, into buf. */
static const char *plain(const char *s, char *buf, size_t size)
{
    size_t n = 0;
    for (; *s && n + 1 < size; s++) {
        if ((unsigned char)s[0] == 0xC2 && (unsigned char)s[1] == 0xA0) {
            buf[n++] = ' ';
            s++;
        } else {
            buf[n++] = *s;
        }
    }
    buf[n] = '\0';
    return buf;
}

/* Scenario 05: RCPT TO gets 450 4.2.0 (temporary), the wait until the retry is a labelled gap
 * with the real duration, and the retry's RCPT TO then gets 250. */
static void ladder_should_show_greylisting_as_temporary_refusal_gap_then_250(void)
{
    Trace *tr = run("05-greylisting.json");
    REQUIRE(tr != NULL);
    Ladder *ld = ladder_build(tr, trace_find_msg(tr, "m1"), NULL);
    int refusal = find_row(ld, 0, "450 4.2.0");
    REQUIRE(refusal >= 0);
    const LadderRow *r = ladder_row(ld, (size_t)refusal);
    CHECK_EQ_STR(ladder_class_name(r->cls), "refusal-temporary");
    CHECK(r->tag && strstr(r->tag, "later") && strstr(r->tag, "\u27f3"));
    CHECK(r->from != r->to && r->to != LADDER_NO_LANE);
    CHECK_EQ_STR(ladder_lane(ld, (size_t)r->from)->name, "mx.b.example");

    int gap = -1;
    for (size_t k = (size_t)refusal; k < ladder_row_count(ld) && gap < 0; k++) {
        gap = ladder_row(ld, k)->cls == LADDER_GAP ? (int)k : -1;
    }
    REQUIRE(gap > refusal && (size_t)gap + 1 < ladder_row_count(ld));
    const LadderRow *before = ladder_row(ld, (size_t)gap - 1), *after = ladder_row(ld, (size_t)gap + 1);
    char d[64], want[96], got[128];
    fmt_duration(after->t_us - before->t_us, d, sizeof d);
    snprintf(want, sizeof want, "\u27f3 %s later", d);
    CHECK_EQ_STR(plain(ladder_row(ld, (size_t)gap)->text, got, sizeof got), want);
    CHECK(after->t_us - before->t_us > INT64_C(500000000)); /* the greylisting wait, not a hop */

    int ok = find_row(ld, (size_t)gap, "250 2.1.5");
    REQUIRE(ok > gap);
    CHECK_EQ_STR(ladder_class_name(ladder_row(ld, (size_t)ok)->cls), "reply");
    CHECK(find_row(ld, (size_t)gap, "450") < 0);
    ladder_destroy(ld);
    trace_destroy(tr);
}

/* Scenario 03: RCPT TO gets 550 5.1.1 (permanent), then the bounce continues the ladder. */
static void ladder_should_show_unknown_user_as_permanent_refusal_then_the_bounce(void)
{
    Trace *tr = run("03-unknown-user.json");
    REQUIRE(tr != NULL);
    int32_t m1 = trace_find_msg(tr, "m1"), dsn = trace_find_msg(tr, "m1-dsn");
    REQUIRE(m1 >= 0 && dsn >= 0);
    Ladder *ld = ladder_build(tr, m1, NULL);
    int refusal = find_row(ld, 0, "550 5.1.1");
    REQUIRE(refusal >= 0);
    const LadderRow *r = ladder_row(ld, (size_t)refusal);
    CHECK_EQ_STR(ladder_class_name(r->cls), "refusal-permanent");
    CHECK(r->tag && strstr(r->tag, "refused") && strstr(r->tag, "\u2716"));
    CHECK(!r->bounce);
    size_t bounce_rows = 0;
    bool delivered = false, downloaded = false;
    for (size_t k = (size_t)refusal + 1; k < ladder_row_count(ld); k++) {
        const LadderRow *b = ladder_row(ld, k);
        bounce_rows += b->bounce;
        CHECK(!b->bounce || b->msg == dsn);
        delivered |= b->bounce && b->cls == LADDER_DELIVERY;
        downloaded |= strstr(b->text, "LOGIN alice") != NULL;
    }
    CHECK(bounce_rows >= 3);
    CHECK(delivered);
    CHECK(downloaded); /* the session in which Alice reads the bounce, LOGIN included */
    int give_up = find_row(ld, 0, "\u2716 refused for good: bounce m1-dsn");
    CHECK(give_up > refusal);
    CHECK(strstr(ladder_frame(ld)->title, "bounce") != NULL);
    ladder_destroy(ld);
    trace_destroy(tr);
}

/* Lanes come in the order the message first reaches the nodes, each node once. */
static void ladder_should_order_lanes_by_first_reach(void)
{
    Trace *tr = run("05-greylisting.json");
    REQUIRE(tr != NULL);
    Ladder *ld = ladder_build(tr, 0, NULL);
    static const char *const want[] = { "alice-laptop",    "smtp.a.example", "dns.a.example",
                                        "mx.b.example",    "spamd.b.example", "dns.b.example",
                                        "store.b.example", "bob-laptop" };
    REQUIRE(ladder_lane_count(ld) == sizeof want / sizeof want[0]);
    for (size_t i = 0; i < ladder_lane_count(ld); i++) {
        /* By node: eight lanes are too narrow for every whole name. */
        CHECK_EQ_INT(ladder_lane(ld, i)->node, trace_find_node(tr, want[i]));
        if (i > 0) {
            CHECK(ladder_lane(ld, i)->x > ladder_lane(ld, i - 1)->x);
        }
    }
    CHECK_EQ_INT(ladder_lane(ld, 1)->kind, NODE_OUTGOING);
    CHECK_EQ_STR(ladder_lane(ld, 1)->role, "outgoing server");
    ladder_destroy(ld);
    trace_destroy(tr);
}

/* Hide-future mode leaves out every row (and lane) after the playhead; otherwise the rows after
 * it are kept and marked as future. */
static void ladder_should_hide_or_mark_the_future(void)
{
    Trace *tr = run("05-greylisting.json");
    REQUIRE(tr != NULL);
    Ladder *all = ladder_build(tr, 0, NULL);
    int refusal = find_row(all, 0, "450 4.2.0");
    REQUIRE(refusal >= 0);
    int64_t until = ladder_row(all, (size_t)refusal)->t_us;

    LadderOptions hide = { until, true };
    Ladder *ld = ladder_build(tr, 0, &hide);
    REQUIRE(ladder_row_count(ld) > 0);
    const LadderRow *last = ladder_row(ld, ladder_row_count(ld) - 1);
    CHECK(last->t_us == until);
    CHECK(ladder_row_count(ld) < ladder_row_count(all));
    CHECK_EQ_INT(ladder_lane_count(ld), 4); /* the filter, store and Bob are not reached yet */
    CHECK(ladder_frame(ld)->playhead_y >= last->y + last->h - 0.01f);
    CHECK(strstr(ladder_frame(ld)->playhead_label, "00:00:02.370") != NULL);

    LadderOptions mark = { until, false };
    Ladder *dim = ladder_build(tr, 0, &mark);
    CHECK_EQ_INT(ladder_row_count(dim), ladder_row_count(all));
    size_t future = 0;
    for (size_t k = 0; k < ladder_row_count(dim); k++) {
        const LadderRow *r = ladder_row(dim, k);
        CHECK(r->future == (r->t_us > until));
        future += r->future;
    }
    CHECK(future > 10);
    CHECK(ladder_frame(dim)->playhead_y > 0);
    CHECK(ladder_frame(all)->playhead_y < 0);
    ladder_destroy(dim);
    ladder_destroy(ld);
    ladder_destroy(all);
    trace_destroy(tr);
}

static void ladder_should_find_the_row_under_a_y(void)
{
    Trace *tr = run("01-happy-path.json");
    REQUIRE(tr != NULL);
    Ladder *ld = ladder_build(tr, 0, NULL);
    REQUIRE(ladder_row_count(ld) > 10);
    for (size_t k = 0; k < ladder_row_count(ld); k++) {
        const LadderRow *r = ladder_row(ld, k);
        CHECK_EQ_INT(ladder_row_at(ld, r->y + r->h / 2), (int)k);
        CHECK_EQ_INT(ladder_row_at(ld, r->y), (int)k);
        CHECK(r->h > 0);
        CHECK(k == 0 || r->y >= ladder_row(ld, k - 1)->y + ladder_row(ld, k - 1)->h - 0.01f);
    }
    CHECK_EQ_INT(ladder_row_at(ld, ladder_row(ld, 0)->y - 1), -1);
    const LadderRow *last = ladder_row(ld, ladder_row_count(ld) - 1);
    CHECK_EQ_INT(ladder_row_at(ld, last->y + last->h + 1), -1);
    ladder_destroy(ld);
    trace_destroy(tr);
}

/* A very long reply is wrapped to at most LADDER_MAX_LINES lines and its middle elided with "…",
 * keeping its start (the code) and its end. */
static void ladder_should_wrap_and_elide_long_lines(void)
{
    Trace *tr = fixture_happy();
    Fx fx = { tr, 0 };
    char line[700];
    strcpy(line, "554 5.7.1");
    for (int i = 0; i < 60; i++) {
        strcat(line, " blah");
    }
    strcat(line, " END");
    fx_reply(&fx, 700000, N_MX_B, N_SMTP_A, 700040, 554, line);
    Ladder *ld = ladder_build(tr, 0, NULL);
    int k = find_row(ld, 0, "554 5.7.1");
    REQUIRE(k >= 0);
    const LadderRow *r = ladder_row(ld, (size_t)k);
    CHECK(r->nlines >= 1 && r->nlines <= LADDER_MAX_LINES);
    CHECK(strncmp(r->lines[0], "554 5.7.1", 9) == 0);
    const char *tail = r->lines[r->nlines - 1];
    CHECK(strlen(tail) >= 3 && strcmp(tail + strlen(tail) - 3, "END") == 0);
    bool ellipsis = false;
    float widest = 0;
    for (int j = 0; j < r->nlines; j++) {
        ellipsis |= strstr(r->lines[j], "\u2026") != NULL;
        widest = widest > ladder_text_width(r->lines[j], LADDER_TEXT_PX)
                     ? widest
                     : ladder_text_width(r->lines[j], LADDER_TEXT_PX);
    }
    CHECK(ellipsis);
    CHECK(widest <= ladder_frame(ld)->width);
    CHECK_EQ_STR(ladder_class_name(r->cls), "refusal-permanent");
    ladder_destroy(ld);
    trace_destroy(tr);
}

/* Every shipped scenario's every message: the figure stays within LADDER_MAX_W (seven lanes fit),
 * every arrow joins two lanes, and the rows run down in time order. */
static void ladder_should_fit_every_shipped_message(void)
{
    static const char *const names[] = { "01-happy-path.json", "02-mx-fallback.json",
                                         "03-unknown-user.json", "05-greylisting.json",
                                         "09-spam-filtered.json", "11-server-outage-retry.json",
                                         "14-give-up.json" };
    for (size_t s = 0; s < sizeof names / sizeof names[0]; s++) {
        Trace *tr = run(names[s]);
        CHECK(tr != NULL);
        if (!tr) {
            continue;
        }
        for (size_t m = 0; m < trace_msg_count(tr) && m < 4; m++) {
            Ladder *ld = ladder_build(tr, (int32_t)m, NULL);
            const LadderFrame *f = ladder_frame(ld);
            CHECK(f->width <= LADDER_MAX_W);
            CHECK(ladder_row_count(ld) > 0);
            for (size_t k = 0; k < ladder_row_count(ld); k++) {
                const LadderRow *r = ladder_row(ld, k);
                CHECK(k == 0 || r->t_us >= ladder_row(ld, k - 1)->t_us);
                CHECK(r->cls == LADDER_GAP || (r->from >= 0 && (size_t)r->from < ladder_lane_count(ld)));
                CHECK(r->nlines >= 1 && r->nlines <= LADDER_MAX_LINES);
            }
            ladder_destroy(ld);
        }
        trace_destroy(tr);
    }
}

/* A refusal's ink reads on the panel (text contrast), and the two refusals differ in colour. */
static void ladder_should_ink_refusals_readably(void)
{
    Rgba bg = theme_color(THEME_LIGHT, CR_PANEL);
    Rgba temp = ladder_ink(THEME_LIGHT, CR_SMTP_DEFER, 4.5);
    Rgba perm = ladder_ink(THEME_LIGHT, CR_SMTP_REJECT, 4.5);
    CHECK(theme_contrast(temp, bg) >= 4.5);
    CHECK(theme_contrast(perm, bg) >= 4.5);
    CHECK(temp.r != perm.r || temp.g != perm.g || temp.b != perm.b);
    LadderRow r = { .cls = LADDER_REFUSAL_TEMP };
    CHECK_EQ_INT(ladder_row_role(&r), CR_SMTP_DEFER);
    r.cls = LADDER_REFUSAL_PERM;
    CHECK_EQ_INT(ladder_row_role(&r), CR_SMTP_REJECT);
}

int main(void)
{
    static const TestCase cases[] = {
        { "ladder_should_show_greylisting_as_temporary_refusal_gap_then_250",
          ladder_should_show_greylisting_as_temporary_refusal_gap_then_250 },
        { "ladder_should_show_unknown_user_as_permanent_refusal_then_the_bounce",
          ladder_should_show_unknown_user_as_permanent_refusal_then_the_bounce },
        { "ladder_should_order_lanes_by_first_reach", ladder_should_order_lanes_by_first_reach },
        { "ladder_should_hide_or_mark_the_future", ladder_should_hide_or_mark_the_future },
        { "ladder_should_find_the_row_under_a_y", ladder_should_find_the_row_under_a_y },
        { "ladder_should_wrap_and_elide_long_lines", ladder_should_wrap_and_elide_long_lines },
        { "ladder_should_fit_every_shipped_message", ladder_should_fit_every_shipped_message },
        { "ladder_should_ink_refusals_readably", ladder_should_ink_refusals_readably },
    };
    return test_main(cases, sizeof cases / sizeof cases[0]);
}
