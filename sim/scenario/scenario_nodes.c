/* scenario_nodes: the network a scenario describes (scenario_int.h).
 *
 * Owns "network" (the default link), "nodes" (clients, outgoing servers, resolvers, incoming
 * servers, filters and stores, with their retry policies, greylisting, spam rules and
 * mailboxes), "links", and "dns" (zone records and blocklists). Nodes are read in two passes:
 * the first declares every id and kind, so that a reference may point forward; the second reads
 * the rest. Does not check what needs the whole file (scenario.c does) or read the mail
 * (scenario_mail.c).
 */
#include "scenario/scenario_int.h"

#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== network and links ====================================================================== */

static const char *const LINK_KEYS[] = { "between", "latency_ms", "bandwidth_mbps", "jitter_ms" };

/* The link figures shared by "network" and each of "links". */
static bool parse_link_figures(Ctx *c, const cJSON *obj, WorldLink *l)
{
    return sc_get_time(c, obj, "latency_ms", TIME_MS, &l->latency_us) &&
           sc_get_bandwidth(c, obj, "bandwidth_mbps", &l->bandwidth_bps) &&
           sc_get_time(c, obj, "jitter_ms", TIME_MS, &l->jitter_us);
}

bool sc_parse_network(Ctx *c, const cJSON *root)
{
    size_t m;
    const cJSON *v = sc_enter(c, root, "network", &m);
    bool ok = !v || (sc_want_keys(c, v, LINK_KEYS + 1, COUNT_OF(LINK_KEYS) - 1) &&
                     parse_link_figures(c, v, &c->w->default_link));
    sc_path_pop(c, m);
    return ok;
}

bool sc_parse_link(Ctx *c, const cJSON *v, size_t index, void *arg)
{
    World *w = c->w;
    (void)index;
    (void)arg;
    if (!sc_want_keys(c, v, LINK_KEYS, COUNT_OF(LINK_KEYS)) ||
        !sc_need(c, v, "between", "the two node ids the link joins, [\"a\", \"b\"]")) {
        return false;
    }
    size_t m = sc_path_key(c, "between");
    const cJSON *between = sc_field(v, "between");
    int32_t end[2] = { -1, -1 };
    bool ok = cJSON_IsArray(between) && cJSON_GetArraySize(between) == 2;
    if (!ok) {
        sc_type_error(c, between, "two node ids [\"a\", \"b\"]");
    }
    for (int i = 0; ok && i < 2; i++) {
        size_t mi = sc_path_index(c, (size_t)i);
        ok = sc_val_node(c, cJSON_GetArrayItem(between, i), ANY_NODE, &end[i]);
        sc_path_pop(c, mi);
    }
    if (ok && end[0] == end[1]) {
        ok = sc_fail(c, "a link joins two different nodes; both ends are \"%s\"",
                     sc_str(c, w->nodes[end[0]].name));
    }
    int64_t before = ok ? pairmap_get(&c->links, end[0], end[1]) : -1;
    if (before >= 0) {
        ok = sc_fail(c, "the link between \"%s\" and \"%s\" is already defined at $.links[%u]",
                     sc_str(c, w->nodes[end[0]].name), sc_str(c, w->nodes[end[1]].name),
                     (unsigned)before);
    }
    sc_path_pop(c, m);
    if (!ok) {
        return false;
    }
    pairmap_add(&c->links, end[0], end[1], w->link_count);
    WorldLink *l = world_add_link(w); /* starts as a copy of the "network" defaults */
    l->a = end[0];
    l->b = end[1];
    return parse_link_figures(c, v, l);
}

/* ==== nodes ================================================================================= */

static const char *const CLIENT_KEYS[] = { "id",      "kind", "label",     "ip",    "pos",
                                           "address", "name", "submit_to", "store", "poll_s",
                                           "access",  "idle", "submit", "verify", "resolver",
                                           "vrfy",    "verify_at_s" };
static const char *const OUTGOING_KEYS[] = {
    "id",                     "kind",
    "label",                  "ip",
    "pos",                    "resolver",
    "retry",                  "connect_timeout_s",
    "process_ms",             "max_mx_tries",
    "mx_address_limit",       "mx_session_limit",
    "defer_if_no_mx_address", "recipient_limit",
    "checks_size",            "message_size_limit",
    "connection_cache",       "connection_cache_time_s",
    "pipelining",             "notify_classes",
    "rdns",                   "local_domains",
    "local_store"
};
static const char *const RESOLVER_KEYS[] = { "id",        "kind",          "label",  "ip",
                                             "pos",       "cache",         "hit_ms", "miss_ms",
                                             "timeout_s", "negative_ttl_s" };
static const char *const INCOMING_KEYS[] = {
    "id",           "kind",        "label",    "ip",        "pos",      "domains",
    "store",        "filter",      "resolver", "dnsbl",     "greylist", "message_size_limit",
    "quota_policy", "concurrency", "backlog",  "process_ms", "advertise_size", "pipelining",
    "scripted_replies"
};
static const char *const FILTER_KEYS[] = {
    "id",       "kind",      "label",          "ip",
    "pos",      "store",     "required_score", "scores",
    "scan_ms",  "max_links", "uribl",          "suspicious_tlds",
    "sbl_zone", "resolver",  "bayes"
};
static const char *const STORE_KEYS[] = { "id",  "kind",      "label",     "ip",
                                          "pos", "mailboxes", "deliver_ms", "catch_all" };

static const KeySet NODE_KEYS[NODE_KIND_COUNT] = {
    KEYSET(CLIENT_KEYS),   KEYSET(OUTGOING_KEYS), KEYSET(RESOLVER_KEYS),
    KEYSET(INCOMING_KEYS), KEYSET(FILTER_KEYS),   KEYSET(STORE_KEYS),
};

/* Pass 1: the node's id and kind, so that every node can be referred to in pass 2. */
static bool declare_node(Ctx *c, const cJSON *v, size_t i, void *arg)
{
    const char *kinds[NODE_KIND_COUNT];
    for (int k = 0; k < NODE_KIND_COUNT; k++) {
        kinds[k] = trace_node_kind_name(k);
    }
    StrId id = STR_EMPTY;
    int kind = 0;
    if (!sc_want_object(c, v) ||
        !sc_need(c, v, "id", "a unique name for the node, such as its host name") ||
        !sc_need(c, v, "kind", "client, outgoing, resolver, incoming, filter or store")) {
        return false;
    }
    size_t m = sc_path_key(c, "id");
    bool ok = sc_val_id(c, sc_field(v, "id"), "node", &id);
    sc_path_pop(c, m);
    if (!ok || !sc_get_enum(c, v, "kind", kinds, NODE_KIND_COUNT, &kind)) {
        return false;
    }
    int32_t prev = idmap_get(&c->nodes, id);
    if (prev >= 0) {
        return sc_fail_at(c, "id", "duplicate node id \"%s\"; $.nodes[%d] already uses it",
                          sc_str(c, id), prev);
    }
    int32_t n = world_add_node(c->w, (NodeKind)kind, id);
    (void)i; /* nodes are added in file order, so n == i */
    (void)arg;
    idmap_set(&c->nodes, id, n);
    return true;
}

static bool parse_pos(Ctx *c, const cJSON *obj, WorldNode *n)
{
    size_t m;
    const cJSON *v = sc_enter(c, obj, "pos", &m);
    bool ok = true;
    if (v) {
        const cJSON *x = cJSON_GetArrayItem(v, 0), *y = cJSON_GetArrayItem(v, 1);
        ok = cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2 && sc_is_finite_number(x) &&
             sc_is_finite_number(y) && x->valuedouble >= 0 && x->valuedouble <= 1 &&
             y->valuedouble >= 0 && y->valuedouble <= 1;
        if (ok) {
            n->has_pos = true;
            n->x = (float)x->valuedouble;
            n->y = (float)y->valuedouble;
        } else {
            sc_type_error(c, v, "[x, y] with both numbers from 0 to 1");
        }
    }
    sc_path_pop(c, m);
    return ok;
}

static bool parse_client(Ctx *c, const cJSON *v, int32_t self)
{
    enum { SUBMIT_SMTP, SUBMIT_PICKUP };
    static const char *const access[] = { "imap", "pop3" }; /* index = AccessProto */
    static const char *const submit[] = { [SUBMIT_SMTP] = "smtp", [SUBMIT_PICKUP] = "pickup" };
    ClientCfg *cl = &c->w->nodes[self].u.client;
    int acc = (int)cl->access, sub = cl->pickup ? SUBMIT_PICKUP : SUBMIT_SMTP;
    if (!sc_need(c, v, "address", "the user's e-mail address") ||
        !sc_get_str(c, v, "address", STR_ADDRESS, &cl->address)) {
        return false;
    }
    int32_t other = idmap_get(&c->clients, cl->address);
    if (other >= 0) {
        return sc_fail_at(c, "address",
                          "%s is already the address of client \"%s\"; give each "
                          "client its own address",
                          sc_str(c, cl->address), sc_str(c, c->w->nodes[other].name));
    }
    idmap_set(&c->clients, cl->address, self);
    if (!sc_get_str(c, v, "name", STR_TEXT, &cl->display_name) ||
        !sc_get_node(c, v, "submit_to", KIND_BIT(NODE_OUTGOING), &cl->submit_to) ||
        !sc_get_node(c, v, "store", KIND_BIT(NODE_STORE), &cl->store) ||
        !sc_get_time(c, v, "poll_s", TIME_SECONDS, &cl->poll_us) ||
        !sc_get_enum(c, v, "access", access, COUNT_OF(access), &acc) ||
        !sc_get_bool(c, v, "idle", &cl->idle) ||
        !sc_get_enum(c, v, "submit", submit, COUNT_OF(submit), &sub) ||
        !sc_parse_verifier(c, v, self)) {
        return false;
    }
    cl->access = (AccessProto)acc;
    cl->pickup = sub == SUBMIT_PICKUP;
    if (cl->pickup && cl->submit_to < 0) {
        return sc_fail_at(c, "submit",
                          "\"pickup\" hands mail to the \"submit_to\" server's own "
                          "queue; this client has no \"submit_to\"");
    }
    if (cl->submit_to < 0 && cl->store < 0 && cl->verify_count == 0) {
        return sc_fail(c, "a client needs \"submit_to\" (an outgoing server, to send), \"store\" "
                          "(a mail store, to read mail), or both");
    }
    return true;
}

static bool read_wait(Ctx *c, const cJSON *e, size_t i, void *arg)
{
    RetryPolicy *p = arg;
    return sc_val_time(c, e, TIME_POSITIVE_SECONDS, &p->fixed_us[i]);
}

static bool parse_waits(Ctx *c, const cJSON *retry, RetryPolicy *p)
{
    size_t m = sc_path_key(c, "waits_s");
    const cJSON *v = sc_field(retry, "waits_s");
    bool ok = sc_want_array(c, v, 1, RETRY_MAX_FIXED, "waits in seconds") &&
              sc_each_element(c, v, read_wait, p);
    p->fixed_count = ok ? (uint32_t)cJSON_GetArraySize(v) : 0;
    sc_path_pop(c, m);
    return ok;
}

static bool parse_retry(Ctx *c, const cJSON *obj, RetryPolicy *p)
{
    static const char *const keys[] = { "style",         "queue_run_s", "min_backoff_s",
                                        "max_backoff_s", "lifetime_s",  "delay_warning_s",
                                        "waits_s" };
    static const char *const styles[] = { "postfix", "exim", "fixed" };
    size_t m;
    const cJSON *v = sc_enter(c, obj, "retry", &m);
    int style = RETRY_POSTFIX;
    bool ok = !v || (sc_want_keys(c, v, keys, COUNT_OF(keys)) &&
                     sc_get_enum(c, v, "style", styles, COUNT_OF(styles), &style));
    if (!v || !ok) {
        sc_path_pop(c, m);
        return ok;
    }
    world_retry_defaults(p, (RetryStyle)style);
    ok = sc_get_time(c, v, "queue_run_s", TIME_POSITIVE_SECONDS, &p->queue_run_us) &&
         sc_get_time(c, v, "min_backoff_s", TIME_SECONDS, &p->min_backoff_us) &&
         sc_get_time(c, v, "max_backoff_s", TIME_SECONDS, &p->max_backoff_us) &&
         sc_get_time(c, v, "lifetime_s", TIME_SECONDS, &p->lifetime_us) &&
         sc_get_time(c, v, "delay_warning_s", TIME_SECONDS, &p->delay_warning_us);
    if (ok && style == RETRY_FIXED) {
        ok = sc_need(c, v, "waits_s", "the list of waits between tries for style \"fixed\"") &&
             parse_waits(c, v, p);
    } else if (ok && sc_field(v, "waits_s")) {
        ok = sc_fail_at(c, "waits_s",
                        "\"waits_s\" applies only to \"style\": \"fixed\", and this "
                        "retry policy's style is \"%s\"",
                        styles[style]);
    }
    if (ok && p->min_backoff_us > p->max_backoff_us) {
        ok = sc_fail_at(c, "min_backoff_s",
                        "min_backoff_s (%.15g s) is larger than max_backoff_s "
                        "(%.15g s); expected min_backoff_s <= max_backoff_s",
                        (double)p->min_backoff_us / US_PER_S, (double)p->max_backoff_us / US_PER_S);
    }
    sc_path_pop(c, m);
    return ok;
}

/* One of "notify_classes"; arg is the set being built. */
static bool read_notify_class(Ctx *c, const cJSON *e, size_t i, void *arg)
{
    static const char *const names[NOTIFY_CLASS_COUNT] = {
        [NOTIFY_BOUNCE] = "bounce",     [NOTIFY_2BOUNCE] = "2bounce",
        [NOTIFY_DATA] = "data",         [NOTIFY_DELAY] = "delay",
        [NOTIFY_POLICY] = "policy",     [NOTIFY_PROTOCOL] = "protocol",
        [NOTIFY_RESOURCE] = "resource", [NOTIFY_SOFTWARE] = "software",
    };
    uint32_t *set = arg;
    (void)i;
    for (int k = 0; cJSON_IsString(e) && k < NOTIFY_CLASS_COUNT; k++) {
        if (strcmp(e->valuestring, names[k]) != 0) {
            continue;
        }
        if (*set & (1u << k)) {
            return sc_fail(c, "\"%s\" is already in the list", names[k]);
        }
        *set |= 1u << k;
        return true;
    }
    Candidates cd;
    sc_candidates_start(&cd, cJSON_IsString(e) ? e->valuestring : NULL);
    sc_candidates_add_all(&cd, names, NOTIFY_CLASS_COUNT);
    sc_candidates_end(&cd);
    char got[96];
    return sc_fail(c, "expected one of: %s; got %s%s", cd.list, sc_describe(e, got, sizeof got),
                   cd.hint);
}

static bool parse_notify_classes(Ctx *c, const cJSON *obj, OutgoingCfg *o)
{
    if (!sc_field(obj, "notify_classes")) {
        return true;
    }
    o->notify_classes = 0;
    return sc_parse_each(c, obj, "notify_classes", NOTIFY_CLASS_COUNT, "notify classes",
                         read_notify_class, &o->notify_classes);
}

/* Postfix's smtp_* knobs of the SMTP client; "mx_address_limit" is Postfix's name for what
 * "max_mx_tries" has always meant here, so a file may use either, not both. */
static bool parse_smtp_client(Ctx *c, const cJSON *v, OutgoingCfg *o)
{
    if (sc_field(v, "max_mx_tries") && sc_field(v, "mx_address_limit")) {
        return sc_fail_at(c, "mx_address_limit",
                          "\"mx_address_limit\" and \"max_mx_tries\" are the same setting "
                          "(Postfix smtp_mx_address_limit); give only one");
    }
    return sc_get_u32(c, v, "max_mx_tries", 1, 10, &o->max_mx_tries) &&
           sc_get_u32(c, v, "mx_address_limit", 1, 10, &o->max_mx_tries) &&
           sc_get_u32(c, v, "mx_session_limit", 0, 10, &o->mx_session_limit) &&
           sc_get_bool(c, v, "defer_if_no_mx_address", &o->defer_if_no_mx_address) &&
           sc_get_u32(c, v, "recipient_limit", 1, MAX_COUNT, &o->recipient_limit) &&
           sc_get_bool(c, v, "checks_size", &o->checks_size) &&
           sc_get_int(c, v, "message_size_limit", 1, MAX_SAFE_INT, &o->size_limit_bytes) &&
           sc_get_bool(c, v, "connection_cache", &o->connection_cache) &&
           sc_get_time(c, v, "connection_cache_time_s", TIME_POSITIVE_SECONDS,
                       &o->cache_time_us) &&
           sc_get_bool(c, v, "pipelining", &o->pipelining) && parse_notify_classes(c, v, o);
}

static bool parse_outgoing(Ctx *c, const cJSON *v, int32_t self)
{
    OutgoingCfg *o = &c->w->nodes[self].u.out;
    if (!sc_need(c, v, "resolver", "the resolver node this server asks for MX and A records") ||
        !sc_get_node(c, v, "resolver", KIND_BIT(NODE_RESOLVER), &o->resolver) ||
        !parse_retry(c, v, &o->retry) ||
        !sc_get_time(c, v, "connect_timeout_s", TIME_POSITIVE_SECONDS, &o->connect_timeout_us) ||
        !sc_get_time(c, v, "process_ms", TIME_MS, &o->process_us) ||
        !parse_smtp_client(c, v, o) ||
        !sc_get_bool(c, v, "rdns", &o->rdns) ||
        !sc_get_names(c, v, "local_domains", STR_DOMAIN, &o->local_domains,
                      &o->local_domain_count) ||
        !sc_get_node(c, v, "local_store", KIND_BIT(NODE_STORE), &o->local_store)) {
        return false;
    }
    if (o->local_domain_count > 0 && o->local_store < 0) {
        return sc_need(c, v, "local_store",
                       "the store node that receives mail for "
                       "\"local_domains\"");
    }
    return true;
}

static bool parse_resolver(Ctx *c, const cJSON *v, int32_t self)
{
    ResolverCfg *r = &c->w->nodes[self].u.res;
    return sc_get_bool(c, v, "cache", &r->cache) &&
           sc_get_ms_range(c, v, "hit_ms", &r->hit_min_us, &r->hit_max_us) &&
           sc_get_ms_range(c, v, "miss_ms", &r->miss_min_us, &r->miss_max_us) &&
           sc_get_time(c, v, "timeout_s", TIME_POSITIVE_SECONDS, &r->timeout_us) &&
           sc_get_time(c, v, "negative_ttl_s", TIME_SECONDS, &r->negative_ttl_us);
}

/* One of a greylist's "whitelist_clients"; arg is the IncomingCfg. */
static bool read_white_client(Ctx *c, const cJSON *e, size_t i, void *arg)
{
    IncomingCfg *in = arg;
    (void)i;
    if (!sc_val_ip(c, e, &in->greylist_clients[in->greylist_client_count])) {
        return false;
    }
    in->greylist_client_count++;
    return true;
}

/* One of a greylist's "whitelist_recipients": an address, or a domain (every address in it). */
static bool read_white_rcpt(Ctx *c, const cJSON *e, size_t i, void *arg)
{
    IncomingCfg *in = arg;
    (void)i;
    StrForm form = cJSON_IsString(e) && strchr(e->valuestring, '@') ? STR_ADDRESS : STR_DOMAIN;
    if (!sc_val_str(c, e, form, &in->greylist_rcpts[in->greylist_rcpt_count])) {
        return false;
    }
    in->greylist_rcpt_count++;
    return true;
}

/* Room for the elements of the array at obj[key], if it is one: the World frees it whatever
 * happens next. */
static void *alloc_for(const cJSON *obj, const char *key, size_t item)
{
    const cJSON *v = sc_field(obj, key);
    return xmalloc(item * ((size_t)(cJSON_IsArray(v) ? cJSON_GetArraySize(v) : 0) + 1));
}

static bool parse_greylist_options(Ctx *c, const cJSON *v, IncomingCfg *in)
{
    static const char *const keys[] = { "delay_s",           "max_age_days",
                                        "retry_window_days", "auto_whitelist",
                                        "code",              "whitelist_clients",
                                        "whitelist_recipients" };
    int64_t code = in->greylist_code;
    in->greylist_clients = alloc_for(v, "whitelist_clients", sizeof *in->greylist_clients);
    in->greylist_rcpts = alloc_for(v, "whitelist_recipients", sizeof *in->greylist_rcpts);
    bool ok =
        sc_check_keys(c, v, keys, COUNT_OF(keys), "key", NULL) &&
        sc_get_time(c, v, "delay_s", TIME_SECONDS, &in->greylist_delay_us) &&
        sc_get_u32(c, v, "auto_whitelist", 0, MAX_COUNT, &in->greylist_auto_whitelist) &&
        sc_get_time(c, v, "max_age_days", TIME_POSITIVE_DAYS, &in->greylist_max_age_us) &&
        sc_get_time(c, v, "retry_window_days", TIME_POSITIVE_DAYS,
                    &in->greylist_retry_window_us) &&
        sc_get_int(c, v, "code", 450, 451, &code) &&
        sc_parse_each(c, v, "whitelist_clients", SIZE_MAX, "IPv4 addresses", read_white_client,
                      in) &&
        sc_parse_each(c, v, "whitelist_recipients", SIZE_MAX, "addresses or domains",
                      read_white_rcpt, in);
    in->greylist_code = (int32_t)code;
    return ok;
}

static bool parse_greylist(Ctx *c, const cJSON *obj, IncomingCfg *in)
{
    size_t m;
    const cJSON *v = sc_enter(c, obj, "greylist", &m);
    bool ok = true;
    if (cJSON_IsBool(v)) {
        in->greylist = cJSON_IsTrue(v);
    } else if (cJSON_IsObject(v)) {
        in->greylist = true;
        ok = parse_greylist_options(c, v, in);
    } else if (v) {
        ok = sc_type_error(c, v,
                           "true, false or an object {\"delay_s\", \"max_age_days\", "
                           "\"auto_whitelist\", ...}");
    }
    sc_path_pop(c, m);
    return ok;
}

/* One of "dnsbl": a zone, or {"zone", "answer"} for a zone where only one answer counts
 * (Postfix's reject_rbl_client zen.example=127.0.0.4). arg is the IncomingCfg. */
static bool read_dnsbl(Ctx *c, const cJSON *e, size_t i, void *arg)
{
    static const char *const keys[] = { "zone", "answer" };
    IncomingCfg *in = arg;
    (void)i;
    uint32_t answer = 0;
    StrId zone = STR_EMPTY;
    if (cJSON_IsObject(e)) {
        if (!sc_check_keys(c, e, keys, COUNT_OF(keys), "key", NULL) ||
            !sc_need(c, e, "zone", "the blocklist's DNS zone, such as \"zen.example\"") ||
            !sc_get_str(c, e, "zone", STR_DOMAIN, &zone) ||
            !sc_get_ip(c, e, "answer", &answer)) {
            return false;
        }
        if (answer && (answer >> 24) != 127) {
            char ip[16];
            world_format_ip(answer, ip);
            return sc_fail_at(c, "answer",
                              "a blocklist answers with an address in 127.0.0.0/8 (RFC 5782), "
                              "such as 127.0.0.2; got %s",
                              ip);
        }
    } else if (!sc_val_str(c, e, STR_DOMAIN, &zone)) {
        return false;
    }
    in->dnsbl[in->dnsbl_count] = zone;
    in->dnsbl_answer[in->dnsbl_count] = answer;
    in->dnsbl_count++;
    return true;
}

/* One of "scripted_replies"; arg is the IncomingCfg. */
static bool read_script(Ctx *c, const cJSON *e, size_t i, void *arg)
{
    static const char *const keys[] = { "at",    "reply",  "sender", "rcpt",
                                        "times", "from_s", "until_s" };
    static const char *const stages[STAGE_COUNT] = { [STAGE_GREETING] = "greeting",
                                                     [STAGE_MAIL] = "mail",
                                                     [STAGE_RCPT] = "rcpt",
                                                     [STAGE_DATA] = "data",
                                                     [STAGE_DOT] = "dot" };
    IncomingCfg *in = arg;
    ScriptedReply *r = &in->scripts[i];
    *r = (ScriptedReply){ .until_us = INT64_MAX };
    int at = 0;
    if (!sc_want_keys(c, e, keys, COUNT_OF(keys)) ||
        !sc_need(c, e, "at", "where the reply comes: greeting, mail, rcpt, data or dot") ||
        !sc_need(c, e, "reply", "the reply the server gives, such as \"451 4.3.0 Try again\"") ||
        !sc_get_enum(c, e, "at", stages, STAGE_COUNT, &at) ||
        !sc_get_str(c, e, "reply", STR_NONEMPTY, &r->reply) ||
        !sc_get_str(c, e, "sender", STR_ADDRESS, &r->sender) ||
        !sc_get_str(c, e, "rcpt", STR_ADDRESS, &r->rcpt) ||
        !sc_get_u32(c, e, "times", 1, MAX_COUNT, &r->times) ||
        !sc_get_time(c, e, "from_s", TIME_SECONDS, &r->from_us) ||
        !sc_get_time(c, e, "until_s", TIME_SECONDS, &r->until_us)) {
        return false;
    }
    r->at = (ScriptStage)at;
    const char *text = sc_str(c, r->reply);
    if (!(text[0] == '4' || text[0] == '5') || !sc_is_digit(text[1]) || !sc_is_digit(text[2]) ||
        (text[3] != '\0' && text[3] != ' ')) {
        return sc_fail_at(c, "reply",
                          "expected a refusal: a 4xx or 5xx code, then a space and the text "
                          "(\"451 4.3.0 Try again later\"); got \"%.40s\"",
                          text);
    }
    r->code = (int32_t)((text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0'));
    if (r->rcpt != STR_EMPTY && r->at != STAGE_RCPT) {
        return sc_fail_at(c, "rcpt",
                          "\"rcpt\" matches the recipient of a RCPT command; it needs \"at\": "
                          "\"rcpt\", not \"%s\"",
                          stages[r->at]);
    }
    if (r->sender != STR_EMPTY && r->at == STAGE_GREETING) {
        return sc_fail_at(c, "sender",
                          "no sender is known at the greeting; \"sender\" needs \"at\": "
                          "\"mail\", \"rcpt\", \"data\" or \"dot\"");
    }
    if (r->until_us <= r->from_us) {
        return sc_fail_at(c, "until_s", "until_s (%.15g s) must be after from_s (%.15g s)",
                          (double)r->until_us / US_PER_S, (double)r->from_us / US_PER_S);
    }
    in->script_count++;
    return true;
}

static bool parse_incoming(Ctx *c, const cJSON *v, int32_t self)
{
    static const char *const quota[] = { "temporary", "permanent" };
    IncomingCfg *in = &c->w->nodes[self].u.in;
    int q = (int)in->quota;
    if (!sc_need(c, v, "domains", "the domains this server accepts mail for") ||
        !sc_need(c, v, "store", "the store node that keeps the mail this server accepts") ||
        !sc_get_names(c, v, "domains", STR_DOMAIN, &in->domains, &in->domain_count)) {
        return false;
    }
    if (in->domain_count == 0) {
        return sc_fail_at(c, "domains", "expected at least one domain name, got none");
    }
    if (!sc_get_node(c, v, "store", KIND_BIT(NODE_STORE), &in->store) ||
        !sc_get_node(c, v, "filter", KIND_BIT(NODE_FILTER), &in->filter) ||
        !sc_get_node(c, v, "resolver", KIND_BIT(NODE_RESOLVER), &in->resolver)) {
        return false;
    }
    in->dnsbl = alloc_for(v, "dnsbl", sizeof *in->dnsbl);
    in->dnsbl_answer = alloc_for(v, "dnsbl", sizeof *in->dnsbl_answer);
    in->scripts = alloc_for(v, "scripted_replies", sizeof *in->scripts);
    if (!sc_parse_each(c, v, "dnsbl", SIZE_MAX, "blocklist zones", read_dnsbl, in) ||
        !parse_greylist(c, v, in) ||
        !sc_get_int(c, v, "message_size_limit", 1, MAX_SAFE_INT, &in->size_limit_bytes) ||
        !sc_get_enum(c, v, "quota_policy", quota, COUNT_OF(quota), &q) ||
        !sc_get_u32(c, v, "concurrency", 1, MAX_COUNT, &in->concurrency) ||
        !sc_get_u32(c, v, "backlog", 0, MAX_COUNT, &in->backlog) ||
        !sc_get_time(c, v, "process_ms", TIME_MS, &in->process_us) ||
        !sc_get_bool(c, v, "advertise_size", &in->advertise_size) ||
        !sc_get_bool(c, v, "pipelining", &in->pipelining) ||
        !sc_parse_each(c, v, "scripted_replies", 64, "scripted replies", read_script, in)) {
        return false;
    }
    in->quota = (QuotaPolicy)q;
    if (in->dnsbl_count > 0 && in->resolver < 0) {
        return sc_need(c, v, "resolver", "a resolver node for the look-ups that \"dnsbl\" needs");
    }
    return true;
}

static bool parse_scores(Ctx *c, const cJSON *obj, FilterCfg *f)
{
    size_t m;
    const cJSON *v = sc_enter(c, obj, "scores", &m);
    bool ok = !v || (sc_want_object(c, v) &&
                     sc_check_keys(c, v, WORLD_RULE_NAMES, RULE_COUNT, "rule", NULL));
    for (int r = 0; v && ok && r < RULE_COUNT; r++) {
        ok = sc_get_score(c, v, WORLD_RULE_NAMES[r], &f->score_milli[r]);
    }
    sc_path_pop(c, m);
    return ok;
}

static bool parse_bayes(Ctx *c, const cJSON *obj, FilterCfg *f)
{
    static const char *const keys[] = { "enabled",   "min_spam",      "min_ham",
                                        "autolearn", "autolearn_ham", "autolearn_spam" };
    size_t m;
    const cJSON *v = sc_enter(c, obj, "bayes", &m);
    bool ok = !v || (sc_want_keys(c, v, keys, COUNT_OF(keys)) &&
                     sc_get_bool(c, v, "enabled", &f->bayes) &&
                     sc_get_u32(c, v, "min_spam", 0, MAX_COUNT, &f->bayes_min_spam) &&
                     sc_get_u32(c, v, "min_ham", 0, MAX_COUNT, &f->bayes_min_ham) &&
                     sc_get_bool(c, v, "autolearn", &f->autolearn) &&
                     sc_get_score(c, v, "autolearn_ham", &f->autolearn_ham_milli) &&
                     sc_get_score(c, v, "autolearn_spam", &f->autolearn_spam_milli));
    if (v && ok && f->autolearn_ham_milli >= f->autolearn_spam_milli) {
        ok = sc_fail_at(c, "autolearn_ham",
                        "autolearn_ham (%.3f) must be below autolearn_spam "
                        "(%.3f)",
                        f->autolearn_ham_milli / 1000.0, f->autolearn_spam_milli / 1000.0);
    }
    sc_path_pop(c, m);
    return ok;
}

/* SpamAssassin's default list is longer; these are the ones a classroom meets. */
static const char *const DEFAULT_SUSPICIOUS_TLDS[] = { "xyz", "top", "click", "loan", "work" };

static bool parse_filter(Ctx *c, const cJSON *v, int32_t self)
{
    FilterCfg *f = &c->w->nodes[self].u.filter;
    if (!sc_need(c, v, "store", "the store node that receives the scanned mail") ||
        !sc_get_node(c, v, "store", KIND_BIT(NODE_STORE), &f->store) ||
        !sc_get_score(c, v, "required_score", &f->required_milli) || !parse_scores(c, v, f) ||
        !sc_get_time(c, v, "scan_ms", TIME_MS, &f->scan_us) ||
        !sc_get_u32(c, v, "max_links", 0, MAX_COUNT, &f->max_links) ||
        !sc_get_names(c, v, "uribl", STR_DOMAIN, &f->uribl, &f->uribl_count) ||
        !sc_get_str(c, v, "sbl_zone", STR_DOMAIN, &f->sbl_zone) ||
        !sc_get_node(c, v, "resolver", KIND_BIT(NODE_RESOLVER), &f->resolver) ||
        !parse_bayes(c, v, f)) {
        return false;
    }
    if (sc_field(v, "suspicious_tlds")) {
        if (!sc_get_names(c, v, "suspicious_tlds", STR_TLD, &f->bad_tlds, &f->bad_tld_count)) {
            return false;
        }
    } else {
        size_t n = COUNT_OF(DEFAULT_SUSPICIOUS_TLDS);
        f->bad_tlds = xmalloc(sizeof *f->bad_tlds * n);
        for (size_t i = 0; i < n; i++) {
            f->bad_tlds[i] = sc_intern(c, DEFAULT_SUSPICIOUS_TLDS[i]);
        }
        f->bad_tld_count = (uint32_t)n;
    }
    if (f->sbl_zone != STR_EMPTY && f->resolver < 0) {
        return sc_need(c, v, "resolver",
                       "a resolver node for the look-ups that \"sbl_zone\" needs");
    }
    return true;
}

/* One of a store's "mailboxes"; arg is the store's node index. */
static bool parse_mailbox(Ctx *c, const cJSON *v, size_t i, void *arg)
{
    static const char *const keys[] = { "address", "quota_bytes", "used_bytes" };
    int32_t self = *(const int32_t *)arg;
    StoreCfg *s = &c->w->nodes[self].u.store;
    MailboxCfg *mb = &s->mailboxes[i];
    (void)i;
    mb->quota_bytes = 51200000; /* Postfix mailbox_size_limit */
    mb->used_bytes = 0;
    if (!sc_want_keys(c, v, keys, COUNT_OF(keys)) ||
        !sc_need(c, v, "address", "the mailbox owner's e-mail address") ||
        !sc_get_str(c, v, "address", STR_ADDRESS, &mb->address) ||
        !sc_get_int(c, v, "quota_bytes", 0, MAX_SAFE_INT, &mb->quota_bytes) ||
        !sc_get_int(c, v, "used_bytes", 0, MAX_SAFE_INT, &mb->used_bytes)) {
        return false;
    }
    if (idmap_get(&c->mailboxes, mb->address) == self) {
        return sc_fail_at(c, "address", "this store already has a mailbox for %s",
                          sc_str(c, mb->address));
    }
    idmap_set(&c->mailboxes, mb->address, self);
    s->mailbox_count++;
    return true;
}

static bool parse_store(Ctx *c, const cJSON *v, int32_t self)
{
    StoreCfg *s = &c->w->nodes[self].u.store;
    const cJSON *arr = sc_field(v, "mailboxes");
    if (cJSON_IsArray(arr)) {
        s->mailboxes = xmalloc(sizeof *s->mailboxes * ((size_t)cJSON_GetArraySize(arr) + 1));
    }
    return sc_parse_each(c, v, "mailboxes", SIZE_MAX, "mailboxes", parse_mailbox, &self) &&
           sc_get_time(c, v, "deliver_ms", TIME_MS, &s->deliver_us) &&
           sc_parse_catch_all(c, v, self);
}

/* Pass 2: everything else about node i. */
static bool parse_node(Ctx *c, const cJSON *v, size_t i, void *arg)
{
    World *w = c->w;
    int32_t self = (int32_t)i;
    (void)arg;
    WorldNode *n = &w->nodes[self];
    char what[48];
    snprintf(what, sizeof what, "%s %s node", sc_kind_article(n->kind),
             trace_node_kind_name(n->kind));
    if (!sc_check_keys(c, v, NODE_KEYS[n->kind].keys, NODE_KEYS[n->kind].count, "key", what) ||
        !sc_get_str(c, v, "label", STR_TEXT, &n->label)) {
        return false;
    }
    if ((n->kind == NODE_OUTGOING || n->kind == NODE_INCOMING) &&
        !sc_need(c, v, "ip",
                 "the server's IPv4 address; the next server sees it as the sending "
                 "IP (blocklists, greylisting)")) {
        return false;
    }
    if (!sc_get_ip(c, v, "ip", &n->ip) || !parse_pos(c, v, n)) {
        return false;
    }
    for (int32_t j = 0; n->ip && j < self; j++) {
        if (w->nodes[j].ip == n->ip) {
            char ip[16];
            world_format_ip(n->ip, ip);
            return sc_fail_at(c, "ip", "ip %s is already used by node \"%s\"", ip,
                              sc_str(c, w->nodes[j].name));
        }
    }
    switch (n->kind) {
    case NODE_CLIENT: return parse_client(c, v, self);
    case NODE_OUTGOING: return parse_outgoing(c, v, self);
    case NODE_RESOLVER: return parse_resolver(c, v, self);
    case NODE_INCOMING: return parse_incoming(c, v, self);
    case NODE_FILTER: return parse_filter(c, v, self);
    case NODE_STORE: return parse_store(c, v, self);
    default: return true;
    }
}

bool sc_parse_nodes(Ctx *c, const cJSON *root)
{
    if (!sc_need(c, root, "nodes", "the array of clients, servers and stores in the scenario")) {
        return false;
    }
    size_t m = sc_path_key(c, "nodes");
    const cJSON *v = sc_field(root, "nodes");
    bool ok = sc_want_array(c, v, 1, SCENARIO_MAX_NODES, "nodes");
    sc_path_pop(c, m);
    return ok && sc_parse_each(c, root, "nodes", SCENARIO_MAX_NODES, "nodes", declare_node, NULL) &&
           sc_parse_each(c, root, "nodes", SCENARIO_MAX_NODES, "nodes", parse_node, NULL);
}

/* ==== DNS ==================================================================================== */

/* The keys of a record of each DnsType, and what its data is. */
static const char *const A_KEYS[] = { "name", "type", "ttl_s", "addr" };
static const char *const MX_KEYS[] = { "name", "type", "ttl_s", "pref", "host" };
static const char *const TARGET_KEYS[] = { "name", "type", "ttl_s", "host" };
static const char *const TXT_KEYS[] = { "name", "type", "ttl_s", "text" };
static const char *const SOA_KEYS[] = { "name", "type", "ttl_s", "host", "minimum_s" };

static const struct {
    const char *name;          /* as in the file */
    const char *what;          /* for messages: "an MX record" */
    KeySet keys;
} RECORD_TYPES[] = {
    [DNS_A] = { "A", "an A record", KEYSET(A_KEYS) },
    [DNS_MX] = { "MX", "an MX record", KEYSET(MX_KEYS) },
    [DNS_AAAA] = { "AAAA", "an AAAA record", KEYSET(A_KEYS) },
    [DNS_CNAME] = { "CNAME", "a CNAME record", KEYSET(TARGET_KEYS) },
    [DNS_TXT] = { "TXT", "a TXT record", KEYSET(TXT_KEYS) },
    [DNS_PTR] = { "PTR", "a PTR record", KEYSET(TARGET_KEYS) },
    [DNS_NS] = { "NS", "an NS record", KEYSET(TARGET_KEYS) },
    [DNS_SOA] = { "SOA", "an SOA record", KEYSET(SOA_KEYS) },
};

static int hex_value(char ch)
{
    if (sc_is_digit(ch)) {
        return ch - '0';
    }
    ch = sc_to_lower(ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* An IPv6 address in the text form of RFC 4291 §2.2 (forms 1 and 2: groups of 1 to 4 hex
 * digits, one "::" at most; no embedded IPv4), written back in lower case. */
static bool parse_ipv6(const char *s, char *out, size_t size)
{
    size_t groups = 0, digits = 0, n = strlen(s);
    bool gap = false;
    if (n < 2 || n >= size) {
        return false;
    }
    for (size_t i = 0; i <= n; i++) {
        out[i] = sc_to_lower(s[i]);
    }
    for (size_t i = 0; i < n; i++) {
        if (hex_value(s[i]) >= 0) {
            if (++digits > 4) {
                return false;
            }
            if (digits == 1) {
                groups++;
            }
        } else if (s[i] == ':') {
            if (s[i + 1] == ':') {
                if (gap) {
                    return false;
                }
                gap = true;
                i++;
            } else if (digits == 0 || s[i + 1] == '\0') {
                return false; /* a single ':' at either end, or ":::" */
            }
            digits = 0;
        } else {
            return false;
        }
    }
    return gap ? groups < 8 : groups == 8;
}

static bool get_ipv6(Ctx *c, const cJSON *obj, StrId *out)
{
    size_t m;
    const cJSON *v = sc_enter(c, obj, "addr", &m);
    char text[64];
    bool ok = cJSON_IsString(v) && parse_ipv6(v->valuestring, text, sizeof text);
    if (ok) {
        *out = sc_intern(c, text);
    } else {
        sc_type_error(c, v, "an IPv6 address such as \"2001:db8::25\"");
    }
    sc_path_pop(c, m);
    return ok;
}

/* The data of a record whose type and keys are checked. */
static bool parse_record_data(Ctx *c, const cJSON *v, DnsRecord *r)
{
    switch (r->type) {
    case DNS_A:
        return sc_need(c, v, "addr", "the IPv4 address the A record maps the name to") &&
               sc_get_ip(c, v, "addr", &r->addr);
    case DNS_AAAA:
        return sc_need(c, v, "addr", "the IPv6 address the AAAA record maps the name to") &&
               get_ipv6(c, v, &r->text);
    case DNS_CNAME:
        return sc_need(c, v, "host", "the canonical name this alias stands for") &&
               sc_get_str(c, v, "host", STR_DOMAIN, &r->host);
    case DNS_PTR:
        return sc_need(c, v, "host",
                       "the host name the address maps back to (the name is "
                       "\"25.113.0.203.in-addr.arpa\" for 203.0.113.25)") &&
               sc_get_str(c, v, "host", STR_DOMAIN, &r->host);
    case DNS_NS:
        return sc_need(c, v, "host", "the name of a server authoritative for the zone") &&
               sc_get_str(c, v, "host", STR_DOMAIN, &r->host);
    case DNS_TXT:
        return sc_need(c, v, "text", "the record's text, such as \"v=spf1 -all\"") &&
               sc_get_str(c, v, "text", STR_TEXT, &r->text);
    case DNS_SOA:
        return sc_need(c, v, "minimum_s",
                       "the SOA MINIMUM field: with the SOA's own TTL, how long resolvers "
                       "cache a negative answer from the zone (RFC 2308)") &&
               sc_get_time(c, v, "minimum_s", TIME_SECONDS, &r->soa_minimum_us) &&
               sc_get_str(c, v, "host", STR_DOMAIN, &r->host);
    case DNS_MX: break;
    }
    int64_t pref = 0;
    if (!sc_need(c, v, "host", "the mail server's host name, or \".\" for a null MX") ||
        !sc_get_int(c, v, "pref", 0, 65535, &pref)) {
        return false;
    }
    r->pref = (uint16_t)pref;
    const cJSON *host = sc_field(v, "host");
    if (cJSON_IsString(host) && strcmp(host->valuestring, ".") == 0) {
        r->host = sc_intern(c, ".");
        return true;
    }
    return sc_get_str(c, v, "host", STR_DOMAIN, &r->host);
}

static bool parse_record(Ctx *c, const cJSON *v, size_t i, void *arg)
{
    const char *types[COUNT_OF(RECORD_TYPES)];
    for (size_t t = 0; t < COUNT_OF(RECORD_TYPES); t++) {
        types[t] = RECORD_TYPES[t].name;
    }
    int type = DNS_A;
    (void)i;
    (void)arg;
    if (!sc_want_object(c, v) || !sc_need(c, v, "name", "the domain name the record belongs to") ||
        !sc_need(c, v, "type", "A, AAAA, MX, CNAME, TXT, PTR, NS or SOA") ||
        !sc_get_enum(c, v, "type", types, COUNT_OF(types), &type)) {
        return false;
    }
    if (!sc_check_keys(c, v, RECORD_TYPES[type].keys.keys, RECORD_TYPES[type].keys.count, "key",
                       RECORD_TYPES[type].what)) {
        return false;
    }
    DnsRecord *r = world_add_record(c->w);
    r->type = (DnsType)type;
    return sc_get_str(c, v, "name", STR_DOMAIN, &r->name) &&
           sc_get_time(c, v, "ttl_s", TIME_SECONDS, &r->ttl_us) && parse_record_data(c, v, r);
}

/* A blocklist's answer for a listed address: an address in 127.0.0.0/8 (RFC 5782 §2.1). */
static bool get_answer(Ctx *c, const cJSON *obj, uint32_t *addr)
{
    uint32_t a = *addr;
    if (!sc_get_ip(c, obj, "answer", &a)) {
        return false;
    }
    if ((a >> 24) != 127) {
        char ip[16];
        world_format_ip(a, ip);
        return sc_fail_at(c, "answer",
                          "a blocklist answers with an address in 127.0.0.0/8 (RFC 5782), such "
                          "as 127.0.0.2; got %s",
                          ip);
    }
    *addr = a;
    return true;
}

typedef struct {
    StrId zone;
    uint32_t answer; /* the blocklist's answer for its listed addresses */
} Blocklist;

/* One of a blocklist's "listed" addresses; arg is the Blocklist. An address, or
 * {"ip", "answer"} for an address listed with its own answer.
 * "203.0.113.7" under "zen.example" -> A 7.113.0.203.zen.example = 127.0.0.2 (RFC 5782). */
static bool read_listed(Ctx *c, const cJSON *e, size_t i, void *arg)
{
    static const char *const keys[] = { "ip", "answer" };
    const Blocklist *bl = arg;
    uint32_t ip = 0, answer = bl->answer;
    (void)i;
    if (cJSON_IsObject(e)) {
        if (!sc_check_keys(c, e, keys, COUNT_OF(keys), "key", NULL) ||
            !sc_need(c, e, "ip", "the listed IPv4 address") || !sc_get_ip(c, e, "ip", &ip) ||
            !get_answer(c, e, &answer)) {
            return false;
        }
    } else if (!sc_val_ip(c, e, &ip)) {
        return false;
    }
    DnsRecord *r = world_add_record(c->w);
    r->type = DNS_A;
    r->name = strpool_internf(c->w->strings, "%u.%u.%u.%u.%s", ip & 255, (ip >> 8) & 255,
                              (ip >> 16) & 255, ip >> 24, sc_str(c, bl->zone));
    r->addr = answer;
    r->ttl_us = 300 * US_PER_S;
    return true;
}

static bool parse_blocklist(Ctx *c, const cJSON *v, size_t i, void *arg)
{
    static const char *const keys[] = { "zone", "answer", "listed" };
    Blocklist bl = { STR_EMPTY, UINT32_C(0x7F000002) }; /* 127.0.0.2: listed */
    (void)i;
    (void)arg;
    return sc_want_keys(c, v, keys, COUNT_OF(keys)) &&
           sc_need(c, v, "zone", "the blocklist's DNS zone, such as \"zen.example\"") &&
           sc_get_str(c, v, "zone", STR_DOMAIN, &bl.zone) && get_answer(c, v, &bl.answer) &&
           sc_parse_each(c, v, "listed", SIZE_MAX, "IPv4 addresses", read_listed, &bl);
}

bool sc_parse_dns(Ctx *c, const cJSON *root)
{
    static const char *const keys[] = { "records", "blocklists" };
    size_t m;
    const cJSON *v = sc_enter(c, root, "dns", &m);
    bool ok = !v || (sc_want_keys(c, v, keys, COUNT_OF(keys)) &&
                     sc_parse_each(c, v, "records", SIZE_MAX, "records", parse_record, NULL));
    c->dns_records = c->w->record_count;
    ok = ok &&
         (!v || sc_parse_each(c, v, "blocklists", SIZE_MAX, "blocklists", parse_blocklist, NULL));
    sc_path_pop(c, m);
    return ok;
}
