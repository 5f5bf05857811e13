/* scenario: reads a scenario file (JSON, format v1 — docs/scenario-format.md) into a World.
 *
 * A load has three steps, and the first error of any step ends it:
 *   1. Text. The size limit, then a strict JSON syntax check of our own (scenario_json.c) so
 *      that a syntax error is reported at its exact line:column with a hint. cJSON then builds
 *      the tree.
 *   2. Structure. One parse function per object kind walks the tree and fills the World,
 *      starting from the defaults world_create / world_add_* set (scenario_nodes.c,
 *      scenario_mail.c, reading values through scenario_values.c). Every object rejects unknown
 *      and duplicate keys. A Ctx carries the JSON path ("$.nodes[2].retry") so each error names
 *      its place (scenario_report.c). Nodes are declared (id, kind) in a first pass so that
 *      references may point forward.
 *   3. Cross-checks that need more than one object: server pairs, mailbox domains, client
 *      mailboxes, null MX, copy ids (here, each run as soon as what it needs is read); then
 *      world_finalize.
 * This file owns the entry points, the file-size limit, the top level and the cross-checks; the
 * other files say what they own in their first comment, and scenario_int.h lists them.
 * The partial World of a failed load is destroyed; nothing else is allocated outside the Ctx.
 */
#include "scenario/scenario_int.h"

#include "util/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== cross-checks =========================================================================== */

/* Each outgoing server gets a link to each incoming server it can reach (world_finalize), and the
 * trace and the player carry every link: their number is bounded here, before any is made. */
static bool check_server_pairs(Ctx *c)
{
    uint64_t out = 0, in = 0;
    for (uint32_t i = 0; i < c->w->node_count; i++) {
        out += c->w->nodes[i].kind == NODE_OUTGOING;
        in += c->w->nodes[i].kind == NODE_INCOMING;
    }
    if (out * in <= SCENARIO_MAX_SERVER_PAIRS) {
        return true;
    }
    size_t m = sc_path_key(c, "nodes");
    sc_fail(
        c,
        "%llu outgoing times %llu incoming servers make %llu pairs, each a link in the picture; "
        "the limit is %u pairs",
        (unsigned long long)out, (unsigned long long)in, (unsigned long long)(out * in),
        SCENARIO_MAX_SERVER_PAIRS);
    sc_path_pop(c, m);
    return false;
}

/* Every mailbox must be in a domain that some server takes mail for, or no mail reaches it. */
static bool check_mailbox_domains(Ctx *c)
{
    const World *w = c->w;
    IdMap accepted = { 0 };
    for (uint32_t i = 0; i < w->node_count; i++) {
        const WorldNode *n = &w->nodes[i];
        const StrId *d = n->kind == NODE_INCOMING   ? n->u.in.domains
                         : n->kind == NODE_OUTGOING ? n->u.out.local_domains
                                                    : NULL;
        uint32_t count = n->kind == NODE_INCOMING   ? n->u.in.domain_count
                         : n->kind == NODE_OUTGOING ? n->u.out.local_domain_count
                                                    : 0;
        for (uint32_t k = 0; k < count; k++) {
            idmap_set(&accepted, d[k], 0);
        }
    }
    bool ok = true;
    for (uint32_t i = 0; ok && i < w->node_count; i++) {
        const WorldNode *n = &w->nodes[i];
        for (uint32_t j = 0; n->kind == NODE_STORE && ok && j < n->u.store.mailbox_count; j++) {
            const char *addr = sc_str(c, n->u.store.mailboxes[j].address);
            const char *domain = world_domain_of(addr);
            StrId d = strpool_find(w->strings, domain);
            if (idmap_get(&accepted, d) >= 0) {
                continue;
            }
            size_t m = sc_path_pushf(c, ".nodes[%u].mailboxes[%u].address", i, j);
            ok = sc_fail(c,
                         "mailbox %s is in no domain any server accepts; add \"%s\" to an "
                         "incoming node's \"domains\" or an outgoing node's \"local_domains\"",
                         addr, domain);
            sc_path_pop(c, m);
        }
    }
    idmap_free(&accepted);
    return ok;
}

/* A client that reads a store must have a mailbox there. */
static bool check_client_mailboxes(Ctx *c)
{
    const World *w = c->w;
    for (uint32_t i = 0; i < w->node_count; i++) {
        const WorldNode *n = &w->nodes[i];
        if (n->kind != NODE_CLIENT || n->u.client.store < 0) {
            continue;
        }
        const ClientCfg *cl = &n->u.client;
        if (idmap_get(&c->mailboxes, cl->address) == cl->store ||
            world_find_mailbox(w, cl->store, cl->address)) {
            continue;
        }
        size_t m = sc_path_pushf(c, ".nodes[%u].store", i);
        sc_fail(c,
                "store \"%s\" has no mailbox for %s; add {\"address\": \"%s\"} to its "
                "\"mailboxes\"",
                sc_str(c, w->nodes[cl->store].name), sc_str(c, cl->address),
                sc_str(c, cl->address));
        sc_path_pop(c, m);
        return false;
    }
    return true;
}

/* RFC 7505: a domain with a null MX has no other MX record. Records from "records" come first
 * in the World (c->dns_records of them), so index i is $.dns.records[i]. The first offending
 * record is reported, against the first earlier MX it conflicts with: any MX of the name for a
 * null MX, the first null MX of the name for another MX. Linear: two maps from the name to its
 * first MX and first null MX. */
static bool check_null_mx(Ctx *c)
{
    const World *w = c->w;
    StrId root = strpool_find(w->strings, ".");
    IdMap first_mx = { 0 }, first_null = { 0 };
    bool ok = true;
    for (uint32_t j = 0; root != UINT32_MAX && ok && j < c->dns_records; j++) {
        const DnsRecord *b = &w->records[j];
        if (b->type != DNS_MX) {
            continue;
        }
        int32_t i = idmap_get(b->host == root ? &first_mx : &first_null, b->name);
        if (i >= 0) {
            size_t m = sc_path_pushf(c, ".dns.records[%u]", j);
            ok = sc_fail(c,
                         "%s has a null MX (RFC 7505: it accepts no mail) and another MX record "
                         "(at $.dns.records[%d]); a null MX must be the domain's only MX",
                         sc_str(c, b->name), i);
            sc_path_pop(c, m);
        }
        if (idmap_get(&first_mx, b->name) < 0) {
            idmap_set(&first_mx, b->name, (int32_t)j);
        }
        if (b->host == root && idmap_get(&first_null, b->name) < 0) {
            idmap_set(&first_null, b->name, (int32_t)j);
        }
    }
    idmap_free(&first_mx);
    idmap_free(&first_null);
    return ok;
}

/* RFC 1034 §3.6.2, RFC 2181 §10.1: a name with a CNAME has no other data (it is an alias; its
 * records are those of the name it stands for). The first record that breaks this is reported
 * against the first record of the other kind for its name. */
static bool check_cname(Ctx *c)
{
    const World *w = c->w;
    IdMap first_cname = { 0 }, first_other = { 0 };
    bool ok = true;
    for (uint32_t j = 0; ok && j < c->dns_records; j++) {
        const DnsRecord *r = &w->records[j];
        bool alias = r->type == DNS_CNAME;
        int32_t i = idmap_get(&first_cname, r->name);
        if (i < 0 && alias) {
            i = idmap_get(&first_other, r->name);
        }
        if (i >= 0) {
            size_t m = sc_path_pushf(c, ".dns.records[%u]", j);
            ok = sc_fail(c,
                         "%s has a CNAME and another record (at $.dns.records[%d]); a CNAME "
                         "must be the name's only record (RFC 2181 §10.1)",
                         sc_str(c, r->name), i);
            sc_path_pop(c, m);
        }
        IdMap *map = alias ? &first_cname : &first_other;
        if (idmap_get(map, r->name) < 0) {
            idmap_set(map, r->name, (int32_t)j);
        }
    }
    idmap_free(&first_cname);
    idmap_free(&first_other);
    return ok;
}

/* No message may have the id of a mailing's copy ("news.2" beside a mailing "news" with two
 * or more recipients): the trace could not tell them apart. */
static bool check_copy_ids(Ctx *c)
{
    for (uint32_t i = 0; i < c->w->spec_count; i++) {
        int32_t list = sc_copy_of(c, sc_str(c, c->w->specs[i].id));
        if (list >= 0) {
            size_t m = sc_path_key(c, "messages");
            sc_path_index(c, i);
            sc_fail_at(c, "id",
                       "\"%s\" is the id of a copy of $.messages[%d] (\"%s\", one per recipient); "
                       "give this message another id",
                       sc_str(c, c->w->specs[i].id), list, sc_str(c, c->w->specs[list].id));
            sc_path_pop(c, m);
            return false;
        }
    }
    return true;
}

/* ==== the top level ========================================================================= */

static const char *const TOP_KEYS[] = { "mailsim", "title",    "lesson", "seed", "horizon_s",
                                        "network", "nodes",    "links",  "dns",  "messages",
                                        "actions", "captions", "expect", "ask" };

/* The version comes first: a file written for another version fails on that, not on a key. */
static bool parse_version(Ctx *c, const cJSON *root)
{
    if (!sc_need(c, root, "mailsim", "the format version, 1 for this mailsim")) {
        return false;
    }
    size_t m = sc_path_key(c, "mailsim");
    const cJSON *v = sc_field(root, "mailsim");
    bool ok = true;
    if (!cJSON_IsNumber(v)) {
        ok = sc_type_error(c, v, "the format version 1");
    } else if (v->valuedouble != SCENARIO_FORMAT_VERSION) {
        char got[64];
        ok = sc_fail(c, "format version %s is not supported; this mailsim reads version %d",
                     sc_describe(v, got, sizeof got), SCENARIO_FORMAT_VERSION);
    }
    sc_path_pop(c, m);
    return ok;
}

static bool parse_top(Ctx *c, const cJSON *root)
{
    World *w = c->w;
    int64_t seed = (int64_t)w->seed;
    if (!cJSON_IsObject(root)) {
        return sc_type_error(c, root, "a JSON object { \"mailsim\": 1, ... } at the top level");
    }
    if (!parse_version(c, root) ||
        !sc_check_keys(c, root, TOP_KEYS, COUNT_OF(TOP_KEYS), "key", NULL) ||
        !sc_need(c, root, "title", "a one-line title for the scenario") ||
        !sc_get_str(c, root, "title", STR_NONEMPTY, &w->title) ||
        !sc_get_str(c, root, "lesson", STR_TEXT, &w->lesson) ||
        !sc_get_int(c, root, "seed", 0, MAX_SAFE_INT, &seed) ||
        !sc_get_time(c, root, "horizon_s", TIME_POSITIVE_SECONDS, &w->horizon_us)) {
        return false;
    }
    w->seed = (uint64_t)seed;
    return sc_parse_network(c, root) && sc_parse_nodes(c, root) && check_server_pairs(c) &&
           check_mailbox_domains(c) && check_client_mailboxes(c) &&
           sc_parse_each(c, root, "links", SCENARIO_MAX_LINKS, "links", sc_parse_link, NULL) &&
           sc_parse_dns(c, root) && check_null_mx(c) && check_cname(c) &&
           sc_parse_each(c, root, "messages", SIZE_MAX, "messages", sc_parse_message, NULL) &&
           check_copy_ids(c) &&
           sc_parse_each(c, root, "actions", SCENARIO_MAX_ACTIONS, "actions", sc_parse_action,
                         NULL) &&
           sc_parse_each(c, root, "captions", SIZE_MAX, "captions", sc_parse_caption, NULL) &&
           sc_parse_expect(c, root) && sc_parse_ask(c, root);
}

/* ==== entry points =========================================================================== */

/* "scenarios/01-happy-path.json" -> "01-happy-path" */
static StrId file_stem(StrPool *pool, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    return strpool_intern_n(pool, base, len);
}

/* The shared load: text[len] must be '\0'. */
static World *load(const char *text, size_t len, const char *file, Error *err)
{
    if (len > SCENARIO_MAX_FILE_BYTES) {
        error_set(err, file, "",
                  "the file is %zu bytes; the limit for a scenario is %u bytes "
                  "(8 MiB)",
                  len, SCENARIO_MAX_FILE_BYTES);
        return NULL;
    }
    cJSON *root = sc_parse_json(text, len, file, err);
    if (!root) {
        return NULL;
    }
    Ctx c = { .file = file, .err = err, .path = "$", .path_len = 1 };
    c.w = world_create();
    c.w->file = xstrdup(file);
    c.w->name = file_stem(c.w->strings, file);
    bool ok = parse_top(&c, root);
    cJSON_Delete(root);
    idmap_free(&c.nodes);
    idmap_free(&c.clients);
    idmap_free(&c.specs);
    idmap_free(&c.mailboxes);
    pairmap_free(&c.links);
    if (!ok) {
        world_destroy(c.w);
        return NULL;
    }
    world_finalize(c.w);
    return c.w;
}

World *scenario_load_string(const char *text, size_t len, const char *name, Error *err)
{
    const char *file = name ? name : "<string>";
    if (len > SCENARIO_MAX_FILE_BYTES) {
        return load(text, len, file, err); /* refused before anything is copied */
    }
    char *copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    World *w = load(copy, len, file, err);
    free(copy);
    return w;
}

World *scenario_load_file(const char *path, Error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_set(err, path, "", "cannot open the scenario: %s", strerror(errno));
        return NULL;
    }
    World *w = scenario_load_stream(f, NULL, 0, path, err);
    fclose(f);
    return w;
}

World *scenario_load_stream(FILE *f, const char *head, size_t head_len, const char *path,
                            Error *err)
{
    /* Read at most one byte past the limit: enough to know the file is too big. */
    size_t cap = 64 * 1024, len = 0;
    while (cap < head_len && cap < SCENARIO_MAX_FILE_BYTES + 1) {
        cap *= 2;
    }
    cap = cap > SCENARIO_MAX_FILE_BYTES + 1 ? SCENARIO_MAX_FILE_BYTES + 1 : cap;
    char *buf = xmalloc(cap + 1);
    len = head_len < cap ? head_len : cap;
    if (len > 0) {
        memcpy(buf, head, len);
    }
    for (;;) {
        if (len == cap) {
            cap = cap * 2 > SCENARIO_MAX_FILE_BYTES + 1 ? SCENARIO_MAX_FILE_BYTES + 1 : cap * 2;
            if (len == cap) {
                break;
            }
            buf = xrealloc(buf, cap + 1);
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            break;
        }
    }
    bool failed = ferror(f) != 0;
    int read_errno = errno;
    World *w = NULL;
    if (failed) {
        error_set(err, path, "", "cannot read the scenario: %s",
                  read_errno ? strerror(read_errno) : "read error");
    } else if (len > SCENARIO_MAX_FILE_BYTES) {
        error_set(err, path, "",
                  "the file is larger than %u bytes (8 MiB), the limit for a "
                  "scenario",
                  SCENARIO_MAX_FILE_BYTES);
    } else {
        buf[len] = '\0';
        w = load(buf, len, path, err);
    }
    free(buf);
    return w;
}
