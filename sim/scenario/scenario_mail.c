/* scenario_mail: the mail a scenario sends and what it expects (scenario_int.h).
 *
 * Owns "messages" (single messages and mailings with one copy per recipient, their ids,
 * senders, recipients and attachments), "actions" (outages, DNS failures and what users do),
 * "captions" and "expect"; and the references those make to messages and users: a message id,
 * a mailing's copy "<id>.<k>", a bounce "<id>-dsn", the address of a client that reads a store.
 * Does not read the network (scenario_nodes.c); the copy-id cross-check is in scenario.c.
 */
#include "scenario/scenario_int.h"

#include "util/xalloc.h"

#include <stdio.h>
#include <string.h>

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* ==== references to messages and users ======================================================= */

int32_t sc_copy_of(Ctx *c, const char *s)
{
    const char *dot = strrchr(s, '.');
    if (!dot || dot == s || dot[1] < '1' || dot[1] > '9' || dot - s >= 256) {
        return -1;
    }
    uint64_t k = 0;
    for (const char *p = dot + 1; *p; p++) {
        if (*p < '0' || *p > '9' || k > SCENARIO_MAX_RECIPIENTS) {
            return -1;
        }
        k = k * 10 + (uint64_t)(*p - '0');
    }
    char prefix[256];
    memcpy(prefix, s, (size_t)(dot - s));
    prefix[dot - s] = '\0';
    StrId id = strpool_find(c->w->strings, prefix);
    int32_t spec = idmap_get(&c->specs, id);
    return spec >= 0 && c->w->specs[spec].one_per_recipient && k <= c->w->specs[spec].to_count
               ? spec
               : -1;
}

/* A message id that a user action or caption may refer to: one defined in "messages", a copy
 * of a mailing ("<id>.<k>"), or a bounce's "<id>-dsn" (bounces are created by the run, so they
 * cannot be checked here). */
bool sc_val_msg_ref(Ctx *c, const cJSON *v, StrId *out)
{
    StrId ref = STR_EMPTY;
    if (!sc_val_str(c, v, STR_NONEMPTY, &ref)) {
        return false;
    }
    const char *s = sc_str(c, ref);
    if (ends_with(s, "-dsn") || idmap_get(&c->specs, ref) >= 0 || sc_copy_of(c, s) >= 0) {
        *out = ref;
        return true;
    }
    Candidates cd;
    sc_candidates_start(&cd, s);
    for (uint32_t i = 0; i < c->w->spec_count; i++) {
        sc_candidates_add(&cd, sc_str(c, c->w->specs[i].id));
    }
    sc_candidates_end(&cd);
    if (!cd.list[0]) {
        return sc_fail(c, "message \"%.64s\" is not defined, and \"messages\" defines none", s);
    }
    return sc_fail(c, "message \"%.64s\" is not defined%s; defined messages: %s", s, cd.hint,
                   cd.list);
}

/* The addresses of the clients that may send (`senders`: those with a "submit_to") or of all
 * clients, for a message that lists them; "(none)" when there are none. */
static void client_addresses(Ctx *c, bool senders, Candidates *cd)
{
    sc_candidates_start(cd, NULL);
    for (uint32_t i = 0; i < c->w->node_count; i++) {
        const WorldNode *n = &c->w->nodes[i];
        if (n->kind == NODE_CLIENT && (!senders || n->u.client.submit_to >= 0)) {
            sc_candidates_add(cd, sc_str(c, n->u.client.address));
        }
    }
    sc_candidates_end(cd);
    if (!cd->list[0]) {
        snprintf(cd->list, sizeof cd->list, "(none)");
    }
}

/* The user of mark_spam, delete and fetch. */
bool sc_val_user(Ctx *c, const cJSON *v, StrId *out)
{
    StrId addr = STR_EMPTY;
    if (!sc_val_str(c, v, STR_ADDRESS, &addr)) {
        return false;
    }
    int32_t n = idmap_get(&c->clients, addr);
    if (n < 0) {
        Candidates cd;
        client_addresses(c, false, &cd);
        return sc_fail(c, "no client has the address %s; client addresses: %s", sc_str(c, addr),
                       cd.list);
    }
    if (c->w->nodes[n].u.client.store < 0) {
        return sc_fail(c, "client \"%s\" (%s) has no \"store\", so it has no mailbox to act on",
                       sc_str(c, c->w->nodes[n].name), sc_str(c, addr));
    }
    *out = addr;
    return true;
}

/* ==== messages ============================================================================== */

/* A message's attachments, read so far. Their sizes together stay within
 * SCENARIO_MAX_MESSAGE_BYTES: with the cap on "size_bytes" it bounds every message, so transfer
 * times and mailbox sums cannot overflow. */
typedef struct {
    MessageSpec *spec;
    int64_t total_bytes;
} Attachments;

static bool parse_attachment(Ctx *c, const cJSON *v, size_t i, void *arg)
{
    static const char *const keys[] = { "name", "size_bytes" };
    Attachments *all = arg;
    MessageSpec *s = all->spec;
    Attachment *a = &s->attachments[i];
    if (!sc_want_keys(c, v, keys, COUNT_OF(keys)) ||
        !sc_need(c, v, "name", "the attachment's file name") ||
        !sc_need(c, v, "size_bytes", "the attachment's size before base64 encoding") ||
        !sc_get_str(c, v, "name", STR_NONEMPTY, &a->name) ||
        !sc_get_int(c, v, "size_bytes", 0, SCENARIO_MAX_MESSAGE_BYTES, &a->size_bytes)) {
        return false;
    }
    s->attachment_count++;
    all->total_bytes += a->size_bytes;
    if (all->total_bytes > SCENARIO_MAX_MESSAGE_BYTES) {
        return sc_fail_at(c, "size_bytes",
                          "the attachments add up to %lld bytes; the limit for one message is "
                          "%lld bytes (1 GiB)",
                          (long long)all->total_bytes, (long long)SCENARIO_MAX_MESSAGE_BYTES);
    }
    return true;
}

static bool parse_attachments(Ctx *c, const cJSON *obj, MessageSpec *s)
{
    const cJSON *v = sc_field(obj, "attachments");
    if (cJSON_IsArray(v)) {
        s->attachments = xcalloc((size_t)cJSON_GetArraySize(v) + 1, sizeof *s->attachments);
    }
    Attachments all = { s, 0 };
    return sc_parse_each(c, obj, "attachments", SIZE_MAX, "attachments", parse_attachment, &all);
}

static bool read_recipient(Ctx *c, const cJSON *e, size_t i, void *arg)
{
    MessageSpec *s = arg;
    (void)i;
    if (!sc_val_str(c, e, STR_ADDRESS, &s->to[s->to_count])) {
        return false;
    }
    s->to_count++;
    return true;
}

static bool parse_recipients(Ctx *c, const cJSON *obj, MessageSpec *s)
{
    size_t m = sc_path_key(c, "to");
    const cJSON *v = sc_field(obj, "to");
    /* One message goes to at most a thousand; a mailing sends a copy to each, so it may name
     * as many as a scenario may hold. */
    bool ok = sc_want_array(
        c, v, 1, s->one_per_recipient ? SCENARIO_MAX_RECIPIENTS : SCENARIO_MAX_RCPTS_PER_MESSAGE,
        "recipient addresses");
    size_t n = ok ? (size_t)cJSON_GetArraySize(v) : 0;
    if (ok && c->rcpt_total + n > SCENARIO_MAX_RECIPIENTS) {
        ok = sc_fail(c, "the messages have more than %u recipients in all (the limit)",
                     SCENARIO_MAX_RECIPIENTS);
    }
    if (ok) {
        c->rcpt_total += n;
        s->to = xmalloc(sizeof *s->to * n);
        ok = sc_each_element(c, v, read_recipient, s);
    }
    sc_path_pop(c, m);
    return ok;
}

/* The message's id: the one given, or "m<N>" (N counts from 1); unique, and never "-dsn". */
static bool message_id(Ctx *c, const cJSON *v, uint32_t si, StrId *id)
{
    bool given = sc_field(v, "id") != NULL;
    if (given) {
        size_t m = sc_path_key(c, "id");
        bool ok = sc_val_id(c, sc_field(v, "id"), "message", id);
        sc_path_pop(c, m);
        if (!ok) {
            return false;
        }
        if (ends_with(sc_str(c, *id), "-dsn")) {
            return sc_fail_at(c, "id",
                              "message ids ending in \"-dsn\" are reserved for the bounces "
                              "the run creates");
        }
    } else {
        *id = strpool_internf(c->w->strings, "m%u", si + 1);
    }
    int32_t prev = idmap_get(&c->specs, *id);
    if (prev >= 0 && given) {
        return sc_fail_at(c, "id", "duplicate message id \"%s\"; $.messages[%d] already uses it",
                          sc_str(c, *id), prev);
    }
    if (prev >= 0) {
        return sc_fail(c,
                       "this message's default id \"%s\" is already used by $.messages[%d]; "
                       "give it an \"id\"",
                       sc_str(c, *id), prev);
    }
    idmap_set(&c->specs, *id, (int32_t)si);
    return true;
}

/* The sender must be a client that can submit mail. */
static bool check_sender(Ctx *c, StrId from)
{
    int32_t n = idmap_get(&c->clients, from);
    if (n >= 0 && c->w->nodes[n].u.client.submit_to >= 0) {
        return true;
    }
    if (n >= 0) {
        return sc_fail_at(c, "from",
                          "client \"%s\" (%s) cannot send: it has no \"submit_to\" "
                          "server",
                          sc_str(c, c->w->nodes[n].name), sc_str(c, from));
    }
    Candidates cd;
    client_addresses(c, true, &cd);
    return sc_fail_at(c, "from",
                      "no client has the address %s; addresses of clients that can send: %s",
                      sc_str(c, from), cd.list);
}

/* "every_s": the pace of a mailing's copies; only with "one_per_recipient". */
static bool get_every(Ctx *c, const cJSON *v, MessageSpec *s)
{
    if (sc_field(v, "every_s") && !s->one_per_recipient) {
        return sc_fail_at(c, "every_s",
                          "\"every_s\" paces the copies of a mailing; it needs "
                          "\"one_per_recipient\": true");
    }
    return sc_get_time(c, v, "every_s", TIME_SECONDS, &s->every_us);
}

bool sc_parse_message(Ctx *c, const cJSON *v, size_t i, void *arg)
{
    static const char *const keys[] = {
        "id",     "at_s",        "from", "to",         "subject",
        "body",   "attachments", "date", "size_bytes", "one_per_recipient",
        "every_s"
    };
    World *w = c->w;
    if (!sc_want_keys(c, v, keys, COUNT_OF(keys)) ||
        !sc_need(c, v, "from", "the sender's address, that of a client node") ||
        !sc_need(c, v, "to", "an array of recipient addresses")) {
        return false;
    }
    uint32_t si = w->spec_count;
    MessageSpec *s = world_add_spec(w);
    int64_t at_us = 0;
    bool date = true;
    (void)i;
    (void)arg;
    if (!message_id(c, v, si, &s->id) || !sc_get_time(c, v, "at_s", TIME_SECONDS, &at_us) ||
        !sc_check_in_horizon(c, "at_s", at_us) ||
        !sc_get_str(c, v, "from", STR_ADDRESS, &s->from) || !check_sender(c, s->from) ||
        !sc_get_bool(c, v, "one_per_recipient", &s->one_per_recipient) || !get_every(c, v, s) ||
        !parse_recipients(c, v, s) || !sc_get_str(c, v, "subject", STR_TEXT, &s->subject) ||
        !sc_get_str(c, v, "body", STR_TEXT, &s->body) || !parse_attachments(c, v, s) ||
        !sc_get_bool(c, v, "date", &date) ||
        !sc_get_int(c, v, "size_bytes", 1, SCENARIO_MAX_MESSAGE_BYTES, &s->size_bytes)) {
        return false;
    }
    s->no_date = !date;
    Action *a = world_add_action(w);
    a->kind = ACT_SEND;
    a->at_us = at_us;
    a->spec = si;
    return true;
}

/* ==== actions =============================================================================== */

static const char *const OUTAGE_KEYS[] = { "at_s", "do", "node", "until_s", "mode" };
static const char *const DNS_FAILURE_KEYS[] = { "at_s", "do", "name", "rcode", "until_s" };
static const char *const MARK_KEYS[] = { "at_s", "do", "user", "msg" };
static const char *const DELETE_KEYS[] = { "at_s", "do", "user", "msg", "bytes" };
static const char *const FETCH_KEYS[] = { "at_s", "do", "user" };
static const char *const NODE_KEYS[] = { "at_s", "do", "node" };
static const char *const NAME_KEYS[] = { "at_s", "do", "name" };
static const char *const MAILBOX_KEYS[] = { "at_s", "do", "mailbox" };
static const char *const BLOCKLIST_KEYS[] = { "at_s", "do", "zone", "ip" };

/* Indexed by ActionKind; ACT_SEND takes a message's keys (scenario_ask.c). */
static const KeySet ACTION_KEYS[ACT_KIND_COUNT] = {
    [ACT_OUTAGE] = KEYSET(OUTAGE_KEYS),        [ACT_DNS_FAILURE] = KEYSET(DNS_FAILURE_KEYS),
    [ACT_MARK_SPAM] = KEYSET(MARK_KEYS),       [ACT_MARK_NOT_SPAM] = KEYSET(MARK_KEYS),
    [ACT_DELETE] = KEYSET(DELETE_KEYS),        [ACT_FETCH] = KEYSET(FETCH_KEYS),
    [ACT_OUTAGE_END] = KEYSET(NODE_KEYS),      [ACT_DNS_FAILURE_END] = KEYSET(NAME_KEYS),
    [ACT_MAILBOX_FULL] = KEYSET(MAILBOX_KEYS), [ACT_MAILBOX_FREE] = KEYSET(MAILBOX_KEYS),
    [ACT_BLOCKLIST_ADD] = KEYSET(BLOCKLIST_KEYS), [ACT_BLOCKLIST_REMOVE] = KEYSET(BLOCKLIST_KEYS),
};

/* "until_s": when an outage or a DNS failure ends, after it begins. */
static bool get_until(Ctx *c, const cJSON *v, Action *a)
{
    const cJSON *u = sc_field(v, "until_s");
    int64_t until = 0;
    if (!u || !sc_get_time(c, v, "until_s", TIME_SECONDS, &until)) {
        return !u;
    }
    if (until <= a->at_us) {
        char got[64];
        return sc_fail_at(c, "until_s", "expected a time after at_s (%.15g s), got %s",
                          (double)a->at_us / US_PER_S, sc_describe(u, got, sizeof got));
    }
    a->until_us = until;
    return true;
}

static bool parse_action_details(Ctx *c, const cJSON *v, Action *a)
{
    static const char *const modes[] = { "refuse", "timeout" };
    static const char *const rcodes[] = { "SERVFAIL", "TIMEOUT", "NXDOMAIN" };
    static const TraceRcode rcode_values[] = { RCODE_SERVFAIL, RCODE_TIMEOUT, RCODE_NXDOMAIN };
    const unsigned servers = ANY_NODE & ~KIND_BIT(NODE_CLIENT);
    int choice = 0;
    switch (a->kind) {
    case ACT_OUTAGE:
        if (!sc_need(c, v, "node", "the server that goes down") ||
            !sc_get_node(c, v, "node", servers, &a->node) || !get_until(c, v, a) ||
            !sc_get_enum(c, v, "mode", modes, COUNT_OF(modes), &choice)) {
            return false;
        }
        a->mode = (OutageMode)choice;
        return true;
    case ACT_DNS_FAILURE:
        if (!sc_need(c, v, "name", "the domain whose DNS fails") ||
            !sc_get_str(c, v, "name", STR_DOMAIN, &a->name) ||
            !sc_get_enum(c, v, "rcode", rcodes, COUNT_OF(rcodes), &choice) || !get_until(c, v, a)) {
            return false;
        }
        a->rcode = rcode_values[choice];
        return true;
    case ACT_MARK_SPAM:
    case ACT_MARK_NOT_SPAM:
        return sc_need(c, v, "user", "the address of the user who clicks") &&
               sc_need(c, v, "msg", "the id of the message the user marks") &&
               sc_get_str(c, v, "user", STR_USER, &a->name) &&
               sc_get_str(c, v, "msg", STR_MSG_REF, &a->msg);
    case ACT_DELETE:
        if (!sc_need(c, v, "user", "the address of the user who deletes mail") ||
            !sc_get_str(c, v, "user", STR_USER, &a->name)) {
            return false;
        }
        if ((sc_field(v, "msg") != NULL) == (sc_field(v, "bytes") != NULL)) {
            return sc_fail(c, "a delete action needs exactly one of \"msg\" (delete that message) "
                              "or \"bytes\" (free that much old mail)");
        }
        return sc_get_str(c, v, "msg", STR_MSG_REF, &a->msg) &&
               sc_get_int(c, v, "bytes", 1, MAX_SAFE_INT, &a->bytes);
    case ACT_FETCH:
        return sc_need(c, v, "user", "the address of the user whose client checks mail") &&
               sc_get_str(c, v, "user", STR_USER, &a->name);
    default: return sc_parse_intervention(c, v, a);
    }
}

bool sc_parse_action(Ctx *c, const cJSON *v, size_t i, void *arg)
{
    const char *names[ACT_KIND_COUNT];
    for (int k = 0; k < ACT_KIND_COUNT; k++) {
        names[k] = world_action_name((ActionKind)k);
    }
    int choice = 0;
    int64_t at_us = 0;
    (void)i;
    (void)arg;
    if (!sc_want_object(c, v) ||
        !sc_need(c, v, "at_s", "when it happens, in seconds from the start") ||
        !sc_need(c, v, "do",
                 "what happens: outage, dns_failure, mark_spam, mark_not_spam, delete, "
                 "fetch, send, outage_end, dns_failure_end, mailbox_full, mailbox_free, "
                 "blocklist_add or blocklist_remove") ||
        !sc_get_enum(c, v, "do", names, COUNT_OF(names), &choice)) {
        return false;
    }
    ActionKind kind = (ActionKind)choice;
    if (kind == ACT_SEND) {
        return sc_parse_send_action(c, v);
    }
    char what[48];
    snprintf(what, sizeof what, "a \"%s\" action", world_action_name(kind));
    if (!sc_check_keys(c, v, ACTION_KEYS[kind].keys, ACTION_KEYS[kind].count, "key", what) ||
        !sc_get_time(c, v, "at_s", TIME_SECONDS, &at_us) ||
        !sc_check_in_horizon(c, "at_s", at_us)) {
        return false;
    }
    Action *a = world_add_action(c->w);
    a->kind = kind;
    a->at_us = at_us;
    return parse_action_details(c, v, a);
}

/* ==== captions ============================================================================== */

static void trace_kind_names(const char *names[TK_KIND_COUNT])
{
    for (int k = 0; k < TK_KIND_COUNT; k++) {
        names[k] = trace_kind_name((TraceKind)k);
    }
}

static bool parse_caption_on(Ctx *c, const cJSON *obj, CaptionRule *cr)
{
    static const char *const keys[] = { "kind", "msg", "code", "node" };
    const char *kinds[TK_KIND_COUNT];
    trace_kind_names(kinds);
    size_t m = sc_path_key(c, "on");
    const cJSON *v = sc_field(obj, "on");
    int64_t code = 0;
    bool ok = sc_want_keys(c, v, keys, COUNT_OF(keys));
    if (ok && !v->child) {
        ok = sc_fail(c, "expected at least one of \"kind\", \"msg\", \"code\" or \"node\" to say "
                        "which event the caption belongs to");
    }
    ok = ok && sc_get_enum(c, v, "kind", kinds, TK_KIND_COUNT, &cr->kind) &&
         sc_get_str(c, v, "msg", STR_MSG_REF, &cr->msg) &&
         sc_get_int(c, v, "code", 100, 599, &code) &&
         sc_get_node(c, v, "node", ANY_NODE, &cr->node);
    cr->code = (int32_t)code;
    sc_path_pop(c, m);
    return ok;
}

bool sc_parse_caption(Ctx *c, const cJSON *v, size_t i, void *arg)
{
    static const char *const keys[] = { "text", "at_s", "on" };
    (void)i;
    (void)arg;
    if (!sc_want_keys(c, v, keys, COUNT_OF(keys)) ||
        !sc_need(c, v, "text", "what the caption says")) {
        return false;
    }
    bool at = sc_field(v, "at_s") != NULL, on = sc_field(v, "on") != NULL;
    if (at == on) {
        return sc_fail(c,
                       "a caption needs exactly one of \"at_s\" (show it at a time) or \"on\" "
                       "(show it with a matching event); this one has %s",
                       at ? "both" : "neither");
    }
    CaptionRule *cr = world_add_caption(c->w);
    if (!sc_get_str(c, v, "text", STR_NONEMPTY, &cr->text)) {
        return false;
    }
    if (on) {
        return parse_caption_on(c, v, cr);
    }
    return sc_get_time(c, v, "at_s", TIME_SECONDS, &cr->at_us) &&
           sc_check_in_horizon(c, "at_s", cr->at_us);
}

/* ==== expectations ========================================================================== */

static bool parse_expect_msg(Ctx *c, const cJSON *v, size_t i, void *arg)
{
    static const char *const keys[] = { "msg",      "rcpt",    "status",         "folder",
                                        "attempts", "final_s", "reply_contains", "fetched" };
    const char *statuses[ST_COUNT], *folders[] = { "null", "inbox", "junk" };
    for (int s = 0; s < ST_COUNT; s++) {
        statuses[s] = world_status_name((RcptStatus)s);
    }
    (void)i;
    (void)arg;
    if (!sc_want_keys(c, v, keys, COUNT_OF(keys)) ||
        !sc_need(c, v, "msg", "the id of the message, such as \"m1\" or \"m1-dsn\"")) {
        return false;
    }
    ExpectMsg *e = world_add_expect_msg(c->w);
    int64_t amin = -1, amax = -1;
    bool fetched = false;
    if (!sc_get_str(c, v, "msg", STR_NONEMPTY, &e->msg) ||
        !sc_get_str(c, v, "rcpt", STR_ADDRESS, &e->rcpt) ||
        !sc_get_enum(c, v, "status", statuses, ST_COUNT, &e->status)) {
        return false;
    }
    const cJSON *folder = sc_field(v, "folder");
    if (cJSON_IsNull(folder)) {
        e->folder = FOLDER_NONE;
    } else if (!sc_get_enum(c, v, "folder", folders, COUNT_OF(folders), &e->folder)) {
        return false;
    }
    if (!sc_get_bounds(c, v, "attempts", false, MAX_COUNT, &amin, &amax) ||
        !sc_get_bounds(c, v, "final_s", true, 0, &e->final_min_us, &e->final_max_us) ||
        !sc_get_str(c, v, "reply_contains", STR_TEXT, &e->reply_contains) ||
        !sc_get_bool(c, v, "fetched", &fetched)) {
        return false;
    }
    e->attempts_min = (int32_t)amin;
    e->attempts_max = (int32_t)amax;
    if (sc_field(v, "fetched")) {
        e->fetched = fetched;
    }
    return true;
}

bool sc_get_selector(Ctx *c, const cJSON *v, EventSelector *sel)
{
    const char *kinds[TK_KIND_COUNT], *qtypes[QTYPE_COUNT];
    trace_kind_names(kinds);
    for (int q = 0; q < QTYPE_COUNT; q++) {
        qtypes[q] = trace_qtype_name((TraceQtype)q);
    }
    int64_t code = 0;
    if (!sc_need(c, v, "kind", "the kind of trace event, such as \"smtp\" or \"dns\"") ||
        !sc_get_enum(c, v, "kind", kinds, TK_KIND_COUNT, &sel->kind) ||
        !sc_get_str(c, v, "msg", STR_NONEMPTY, &sel->msg) ||
        !sc_get_node(c, v, "from", ANY_NODE, &sel->from) ||
        !sc_get_node(c, v, "to", ANY_NODE, &sel->to) ||
        !sc_get_int(c, v, "code", 100, 599, &code) ||
        !sc_get_enum(c, v, "qtype", qtypes, QTYPE_COUNT, &sel->qtype) ||
        !sc_get_str(c, v, "text_contains", STR_TEXT, &sel->text_contains)) {
        return false;
    }
    sel->code = (int32_t)code;
    return true;
}

static bool parse_expect_event(Ctx *c, const cJSON *v, size_t i, void *arg)
{
    static const char *const keys[] = { SC_SELECTOR_KEYS, "count" };
    (void)i;
    (void)arg;
    if (!sc_want_keys(c, v, keys, COUNT_OF(keys))) {
        return false;
    }
    ExpectEvent *e = world_add_expect_event(c->w);
    e->count_min = 1; /* "it happens at least once" unless "count" says otherwise */
    return sc_get_selector(c, v, &e->sel) &&
           sc_get_bounds(c, v, "count", false, MAX_SAFE_INT, &e->count_min, &e->count_max);
}

bool sc_parse_expect(Ctx *c, const cJSON *root)
{
    static const char *const keys[] = { "messages", "events" };
    size_t m;
    const cJSON *v = sc_enter(c, root, "expect", &m);
    bool ok =
        !v || (sc_want_keys(c, v, keys, COUNT_OF(keys)) &&
               sc_parse_each(c, v, "messages", SIZE_MAX, "expectations", parse_expect_msg, NULL) &&
               sc_parse_each(c, v, "events", SIZE_MAX, "expectations", parse_expect_event, NULL));
    sc_path_pop(c, m);
    return ok;
}
