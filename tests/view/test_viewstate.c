/* test_viewstate: the picture at time t, without a window — token positions and colours,
 * stepping determinism, node badges, captions, merging of crowded links. */
#include "view/fixture.h"
#include "test.h"

#include "view/layout.h"
#include "view/traceindex.h"
#include "view/viewstate.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    Trace *tr;
    TraceIndex *ix;
    Layout *lay;
    ViewState *vs;
    ViewOptions opt;
} View;

static View view_open(Trace *tr)
{
    View v = { tr, traceindex_create(tr), NULL, viewstate_create(), viewoptions_default() };
    v.lay = layout_create(v.ix);
    layout_resize(v.lay, LAYOUT_DESIGN_W, LAYOUT_DESIGN_H, 1.0f);
    return v;
}

static void view_close(View *v)
{
    viewstate_destroy(v->vs);
    layout_destroy(v->lay);
    traceindex_destroy(v->ix);
    trace_destroy(v->tr);
}

static const ViewState *view_at(View *v, int64_t t_us)
{
    viewstate_compute(v->ix, v->lay, t_us, &v->opt, v->vs);
    return v->vs;
}

static bool near(float a, float b)
{
    return fabsf(a - b) < 0.5f;
}

static void viewstate_should_place_m1_halfway_while_its_content_crosses(void)
{
    View v = view_open(fixture_happy());
    /* The "." carrying m1 leaves smtp.a at 1830 ms and arrives at mx.b at 1900 ms. */
    const ViewState *vs = view_at(&v, MS(1865));
    const ViewToken *m1 = viewstate_find_msg(vs, 0);
    CHECK(m1 != NULL);
    if (m1) {
        float ax, ay, bx, by;
        layout_edge_point(v.lay, N_SMTP_A, N_MX_B, &ax, &ay);
        layout_edge_point(v.lay, N_MX_B, N_SMTP_A, &bx, &by);
        CHECK_EQ_INT(m1->shape, TOKEN_ENVELOPE);
        CHECK(!(m1->flags & VT_RESTING));
        CHECK(near(m1->x, (ax + bx) / 2));
        CHECK(near(m1->y, (ay + by) / 2));
        CHECK(fabsf(m1->progress - 0.5f) < 1e-4f);
        CHECK_EQ_STR(m1->label, "m1");
    }
    view_close(&v);
}

static void viewstate_should_rest_m1_in_the_queue_until_it_is_sent(void)
{
    View v = view_open(fixture_happy());
    const ViewState *vs = view_at(&v, MS(1500)); /* DNS done, SMTP not yet */
    const ViewToken *m1 = viewstate_find_msg(vs, 0);
    CHECK(m1 && (m1->flags & VT_RESTING) && m1->node == N_SMTP_A);
    CHECK_EQ_INT(vs->nodes[N_SMTP_A].counters[NC_RESTING], 1);
    CHECK_EQ_INT(vs->nodes[N_ALICE].counters[NC_RESTING], 0);
    vs = view_at(&v, MS(1945)); /* sent at 1940; at mx.b until the hop at 1950 */
    CHECK_EQ_INT(vs->nodes[N_SMTP_A].counters[NC_RESTING], 0);
    CHECK_EQ_INT(vs->nodes[N_MX_B].counters[NC_RESTING], 1);
    CHECK_EQ_INT(vs->nodes[N_SMTP_A].counters[NC_SENT], 1);
    vs = view_at(&v, MS(999)); /* before compose */
    CHECK(viewstate_find_msg(vs, 0) == NULL);
    CHECK_EQ_INT(vs->current, UINT32_MAX);
    view_close(&v);
}

static void viewstate_should_colour_a_rejected_reply_red_and_show_its_code(void)
{
    View v = view_open(fixture_bounce());
    const ViewState *vs = view_at(&v, MS(1730)); /* the 550 travels 1710..1750 */
    const ViewToken *rej = NULL;
    for (size_t i = 0; i < vs->token_count; i++) {
        if (vs->tokens[i].flags & VT_REJECT) {
            rej = &vs->tokens[i];
        }
    }
    CHECK(rej != NULL);
    if (rej) {
        CHECK_EQ_INT(rej->role, CR_SMTP_REJECT);
        CHECK_EQ_INT(rej->shape, TOKEN_PACKET);
        CHECK(rej->flags & VT_REPLY);
        CHECK(strstr(rej->label, "550 5.1.1") != NULL);
        CHECK(strstr(rej->label, "\u2716") == rej->label);
        Rgba c = theme_color(THEME_LIGHT, (ColorRole)rej->role);
        CHECK(c.r > 180 && c.g < 130 && c.b < 60); /* vermillion: reads as red */
    }
    /* Ordinary replies are not red. */
    vs = view_at(&v, MS(1650));
    for (size_t i = 0; i < vs->token_count; i++) {
        CHECK(vs->tokens[i].role != CR_SMTP_REJECT);
    }
    view_close(&v);
}

/* Temporary and permanent failures differ in word and flag (the renderer's shape), not only in
 * hue: a refused connection is "⟳ … try later", counted as deferred at the server that refused;
 * a 550 is "✖ … refused", counted as refused. */
static void viewstate_should_tell_temporary_from_permanent_failures(void)
{
    View v = view_open(fixture_retry());
    const ViewState *vs = view_at(&v, MS(1490));
    const ViewToken *tmp = NULL;
    for (size_t i = 0; i < vs->token_count; i++) {
        tmp = (vs->tokens[i].flags & VT_REJECT) ? &vs->tokens[i] : tmp;
    }
    REQUIRE(tmp != NULL);
    CHECK(tmp->flags & VT_TEMPORARY);
    CHECK(strstr(tmp->label, "\u27f3") == tmp->label);
    CHECK(strstr(tmp->label, "try later") != NULL);
    vs = view_at(&v, MS(2000));
    CHECK_EQ_INT(vs->nodes[N_MX_B].counters[NC_TEMPFAIL], 1);
    CHECK_EQ_INT(vs->nodes[N_MX_B].counters[NC_REFUSED], 0);
    bool deferred_badge = false;
    for (int b = 0; b < vs->nodes[N_MX_B].badge_count; b++) {
        deferred_badge |= strcmp(vs->nodes[N_MX_B].badges[b].text, "\u27f3 deferred 1") == 0;
    }
    CHECK(deferred_badge);
    view_close(&v);

    v = view_open(fixture_bounce());
    vs = view_at(&v, MS(1730));
    const ViewToken *perm = NULL;
    for (size_t i = 0; i < vs->token_count; i++) {
        perm = (vs->tokens[i].flags & VT_REJECT) ? &vs->tokens[i] : perm;
    }
    REQUIRE(perm != NULL);
    CHECK(!(perm->flags & VT_TEMPORARY));
    CHECK(strstr(perm->label, "refused: User unknown") != NULL);
    view_close(&v);
}

static void viewstate_should_send_the_bounce_back_as_a_dsn_envelope(void)
{
    /* fixture_bounce hands the bounce (m1-dsn) to Alice's store with a "sent", as the model does. */
    View v = view_open(fixture_bounce());
    const ViewState *vs = view_at(&v, MS(1860));
    const ViewToken *dsn = viewstate_find_msg(vs, 1);
    CHECK(dsn && !(dsn->flags & VT_RESTING));
    CHECK(dsn && dsn->role == CR_MSG_DSN);
    CHECK(dsn && strcmp(dsn->label, "m1-dsn") == 0);
    CHECK_EQ_INT(vs->nodes[N_SMTP_A].counters[NC_BOUNCED], 1);
    /* The bounce handed to Alice's own store is not mail "sent". */
    CHECK_EQ_INT(vs->nodes[N_SMTP_A].counters[NC_SENT], 0);
    CHECK_EQ_INT(vs->nodes[N_SMTP_A].counters[NC_RESTING], 0); /* both left the queue */
    CHECK_EQ_INT(vs->nodes[N_MX_B].counters[NC_REFUSED], 1);
    vs = view_at(&v, MS(5000));
    CHECK_EQ_INT(vs->nodes[N_STORE_A].counters[NC_INBOX], 1);
    CHECK_EQ_INT(vs->nodes[N_SMTP_A].counters[NC_RESTING], 0);
    view_close(&v);
}

static void viewstate_should_return_the_same_state_after_stepping_forward_and_back(void)
{
    View v = view_open(fixture_bounce());
    ViewState *again = viewstate_create();
    int64_t t = traceindex_start(v.ix);
    int steps = 0;
    while (t != TRACE_NO_TIME) {
        view_at(&v, t);
        int64_t next = traceindex_next_time(v.ix, t);
        if (next != TRACE_NO_TIME) {
            viewstate_compute(v.ix, v.lay, next, &v.opt, again);
            int64_t back = traceindex_prev_time(v.ix, next);
            CHECK_EQ_INT(back, t);
            viewstate_compute(v.ix, v.lay, back, &v.opt, again);
            CHECK(viewstate_equal(v.vs, again));
        }
        t = next;
        steps++;
    }
    CHECK(steps > 20);
    viewstate_destroy(again);
    view_close(&v);
}

static void viewstate_should_count_inbox_and_junk_at_the_store(void)
{
    View v = view_open(fixture_happy());
    const ViewState *vs = view_at(&v, MS(2509));
    CHECK_EQ_INT(vs->nodes[N_STORE_B].counters[NC_INBOX], 0);
    vs = view_at(&v, MS(2510));
    CHECK_EQ_INT(vs->nodes[N_STORE_B].counters[NC_INBOX], 1);
    CHECK_EQ_INT(vs->nodes[N_STORE_B].counters[NC_JUNK], 0);
    CHECK_EQ_STR(vs->nodes[N_STORE_B].badges[0].text, "Inbox 1");
    vs = view_at(&v, MS(700000));
    CHECK_EQ_INT(vs->nodes[N_BOB].counters[NC_FETCHED], 1);
    view_close(&v);

    v = view_open(fixture_spam());
    vs = view_at(&v, MS(3000));
    CHECK_EQ_INT(vs->nodes[N_STORE_B].counters[NC_JUNK], 1);
    CHECK_EQ_INT(vs->nodes[N_STORE_B].counters[NC_INBOX], 0);
    CHECK_EQ_STR(vs->nodes[N_STORE_B].badges[1].text, "\u2691 Junk 1");
    view_close(&v);
}

static void viewstate_should_show_the_spam_score_against_the_threshold(void)
{
    View v = view_open(fixture_spam());
    const ViewState *vs = view_at(&v, MS(2499));
    CHECK(!vs->nodes[N_SPAMD_B].has_verdict);
    vs = view_at(&v, MS(2505));
    CHECK(vs->nodes[N_SPAMD_B].has_verdict && vs->nodes[N_SPAMD_B].verdict_spam);
    CHECK_EQ_INT(vs->nodes[N_SPAMD_B].score_milli, 7300);
    CHECK_EQ_INT(vs->nodes[N_SPAMD_B].required_milli, 5000);
    CHECK_EQ_STR(vs->nodes[N_SPAMD_B].badges[0].text, "\u2691 7.3 / 5.0 SPAM");
    const ViewToken *m1 = viewstate_find_msg(vs, 0);
    CHECK(m1 && m1->role == CR_MSG_SPAM); /* on its way to the store, tagged */
    view_close(&v);
}

static void viewstate_should_park_a_deferred_message_with_a_retry_countdown(void)
{
    View v = view_open(fixture_retry());
    const ViewState *vs = view_at(&v, MS(100000));
    const ViewNode *out = &vs->nodes[N_SMTP_A];
    CHECK_EQ_INT(out->counters[NC_RESTING], 1);
    CHECK_EQ_INT(out->counters[NC_DEFERRED], 1);
    CHECK_EQ_INT(out->next_retry_us, MS(301000));
    CHECK(out->badge_count >= 2);
    CHECK_EQ_STR(out->badges[0].text, "\u27f3 retry in 3:21");
    CHECK_EQ_INT(out->badges[0].role, CR_SMTP_DEFER);
    CHECK_EQ_STR(out->badges[1].text, "queue 1");
    CHECK(vs->nodes[N_MX_B].down);
    CHECK_EQ_STR(vs->nodes[N_MX_B].badges[0].text, "\u26a0 DOWN");
    vs = view_at(&v, MS(250000));
    CHECK(!vs->nodes[N_MX_B].down);
    vs = view_at(&v, MS(301000)); /* the retry fires */
    CHECK_EQ_INT(vs->nodes[N_SMTP_A].counters[NC_DEFERRED], 0);
    CHECK_EQ_INT(vs->nodes[N_SMTP_A].counters[NC_RESTING], 1);
    vs = view_at(&v, MS(301300));
    CHECK_EQ_INT(vs->nodes[N_SMTP_A].counters[NC_RESTING], 0);
    view_close(&v);
}

static void viewstate_should_prefer_the_scenario_caption_then_narrate(void)
{
    View v = view_open(fixture_happy());
    const ViewState *vs = view_at(&v, MS(1200)); /* the captioned MX query */
    CHECK(!vs->caption_is_narration);
    CHECK(strstr(vs->caption, "asks DNS") != NULL);
    vs = view_at(&v, MS(1410)); /* a few events later: still the same caption */
    CHECK(strstr(vs->caption, "asks DNS") != NULL);
    vs = view_at(&v, MS(1900)); /* long after: the current event's own line */
    CHECK(vs->caption_is_narration);
    CHECK(strstr(vs->caption, "250 2.0.0") != NULL || strstr(vs->caption, "Received") != NULL);
    vs = view_at(&v, MS(2510)); /* delivery has a default caption */
    CHECK(!vs->caption_is_narration);
    CHECK(strstr(vs->caption, "Inbox") != NULL);
    view_close(&v);
}

static void viewstate_should_hide_packets_but_keep_envelopes_when_detail_is_off(void)
{
    View v = view_open(fixture_happy());
    v.opt.show_packets = false;
    const ViewState *vs = view_at(&v, MS(1865));
    CHECK(vs->token_count >= 1);
    for (size_t i = 0; i < vs->token_count; i++) {
        CHECK_EQ_INT(vs->tokens[i].shape, TOKEN_ENVELOPE);
    }
    v.opt.show_packets = true;
    vs = view_at(&v, MS(1300)); /* the MX query in flight */
    const ViewToken *q = NULL;
    for (size_t i = 0; i < vs->token_count; i++) {
        q = vs->tokens[i].shape == TOKEN_PACKET ? &vs->tokens[i] : q;
    }
    CHECK(q && strcmp(q->label, "MX? b.example") == 0 && q->role == CR_DNS);
    view_close(&v);
}

static void viewstate_should_keep_commands_and_replies_on_opposite_sides(void)
{
    View v = view_open(fixture_happy());
    const ViewState *vs = view_at(&v, MS(1690)); /* RCPT TO in flight (1670..1710) */
    const ViewToken *cmd = NULL;
    for (size_t i = 0; i < vs->token_count; i++) {
        cmd = vs->tokens[i].shape == TOKEN_PACKET ? &vs->tokens[i] : cmd;
    }
    CHECK(cmd != NULL);
    float cy = cmd ? cmd->y : 0;
    vs = view_at(&v, MS(1730)); /* its reply (1710..1750) */
    const ViewToken *reply = NULL;
    for (size_t i = 0; i < vs->token_count; i++) {
        reply = vs->tokens[i].flags & VT_REPLY ? &vs->tokens[i] : reply;
    }
    CHECK(reply != NULL);
    if (reply) {
        /* smtp.a and mx.b sit on one row: the two travel on either side of the link. */
        float ax, ay, bx, by;
        layout_node_center(v.lay, N_SMTP_A, &ax, &ay);
        layout_node_center(v.lay, N_MX_B, &bx, &by);
        CHECK(near(ay, by));
        CHECK((cy - ay) * (reply->y - ay) < 0);
    }
    view_close(&v);
}

static void viewstate_should_merge_a_crowded_link_into_counted_tokens(void)
{
    Fx fx = { trace_create(), TRACE_NONE };
    fx_topology(&fx);
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf(id, sizeof id, "b%d", i);
        fx.msg = fx_msg(&fx, id, "alice@a.example", "bob@b.example", "bulk", TRACE_NONE, N_SMTP_A);
        fx_ev(&fx, TK_HOP, 1000 + i, N_MX_B, N_SPAMD_B, 3000 + i, "to the filter");
    }
    View v = view_open(fx.tr);
    const ViewState *vs = view_at(&v, MS(1500));
    CHECK_EQ_INT(vs->in_flight, 100);
    uint32_t total = 0;
    size_t groups = 0;
    for (size_t i = 0; i < vs->token_count; i++) {
        if (vs->tokens[i].flags & VT_RESTING) {
            continue;
        }
        total += vs->tokens[i].count;
        groups += (vs->tokens[i].flags & VT_GROUP) != 0;
    }
    CHECK_EQ_INT(total, 100);
    CHECK(groups >= 1 && groups <= 4);
    /* A selected message keeps its own token. */
    v.opt.selected_msg = 42;
    vs = view_at(&v, MS(1500));
    const ViewToken *sel = viewstate_find_msg(vs, 42);
    CHECK(sel && (sel->flags & VT_SELECTED) && sel->count == 1);
    view_close(&v);
}

RUN_TESTS(TEST_CASE(viewstate_should_place_m1_halfway_while_its_content_crosses),
          TEST_CASE(viewstate_should_rest_m1_in_the_queue_until_it_is_sent),
          TEST_CASE(viewstate_should_colour_a_rejected_reply_red_and_show_its_code),
          TEST_CASE(viewstate_should_tell_temporary_from_permanent_failures),
          TEST_CASE(viewstate_should_send_the_bounce_back_as_a_dsn_envelope),
          TEST_CASE(viewstate_should_return_the_same_state_after_stepping_forward_and_back),
          TEST_CASE(viewstate_should_count_inbox_and_junk_at_the_store),
          TEST_CASE(viewstate_should_show_the_spam_score_against_the_threshold),
          TEST_CASE(viewstate_should_park_a_deferred_message_with_a_retry_countdown),
          TEST_CASE(viewstate_should_prefer_the_scenario_caption_then_narrate),
          TEST_CASE(viewstate_should_hide_packets_but_keep_envelopes_when_detail_is_off),
          TEST_CASE(viewstate_should_keep_commands_and_replies_on_opposite_sides),
          TEST_CASE(viewstate_should_merge_a_crowded_link_into_counted_tokens))
