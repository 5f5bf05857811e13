/* whatif: the teacher's live changes to a scenario (see whatif.h). */
#define _POSIX_C_SOURCE 200809L

#include "app/whatif.h"

#include "scenario/scenario.h"
#include "util/atomicfile.h"
#include "util/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct WhatIf {
    char *path;
    char *text; /* the file as read, for saving */
    size_t len;
    SimOptions so;
    char **acts;
    size_t nacts, cap;
    World *base; /* the scenario without acts: names, addresses, zones for the menu */
    const char *senders[WHATIF_MAX_ADDRESSES];
    size_t nsenders;
    const char *recipients[WHATIF_MAX_ADDRESSES];
    size_t nrecipients;
};

static char *read_all(const char *path, size_t *len, Error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_set(err, path, "", "cannot open: %s", strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = xmalloc(cap);
    size_t got;
    while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (n + 1 == cap) {
            if (cap > SCENARIO_MAX_FILE_BYTES) {
                break; /* the loader names the limit */
            }
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
    }
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad) {
        error_set(err, path, "", "cannot read: %s", strerror(errno));
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void collect_addresses(WhatIf *wi)
{
    const World *w = wi->base;
    for (uint32_t i = 0; i < w->node_count; i++) {
        const WorldNode *nd = &w->nodes[i];
        if (nd->kind == NODE_CLIENT && nd->u.client.submit_to >= 0 &&
            wi->nsenders < WHATIF_MAX_ADDRESSES) {
            wi->senders[wi->nsenders++] = strpool_get(w->strings, nd->u.client.address);
        }
        if (nd->kind != NODE_STORE) {
            continue;
        }
        for (uint32_t b = 0; b < nd->u.store.mailbox_count; b++) {
            if (wi->nrecipients < WHATIF_MAX_ADDRESSES) {
                wi->recipients[wi->nrecipients++] =
                    strpool_get(w->strings, nd->u.store.mailboxes[b].address);
            }
        }
    }
}

WhatIf *whatif_open(const char *path, const SimOptions *so, Error *err)
{
    WhatIf *wi = xcalloc(1, sizeof *wi);
    wi->path = xstrdup(path);
    if (so) {
        wi->so = *so;
    }
    wi->text = read_all(path, &wi->len, err);
    if (!wi->text) {
        goto fail;
    }
    wi->base = scenario_load_file(path, err);
    if (!wi->base) {
        goto fail;
    }
    collect_addresses(wi);
    return wi;
fail:
    whatif_destroy(wi);
    return NULL;
}

void whatif_destroy(WhatIf *wi)
{
    if (!wi) {
        return;
    }
    for (size_t i = 0; i < wi->nacts; i++) {
        free(wi->acts[i]);
    }
    free(wi->acts);
    world_destroy(wi->base);
    free(wi->text);
    free(wi->path);
    free(wi);
}

/* ---- running ---- */

/* The scenario with the first n acts. */
static World *world_with(const WhatIf *wi, size_t n, Error *err)
{
    World *w = scenario_load_file(wi->path, err);
    for (size_t i = 0; w && i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "what-if #%zu", i + 1);
        if (!scenario_add_action_json(w, wi->acts[i], strlen(wi->acts[i]), name, err)) {
            world_destroy(w);
            w = NULL;
        }
    }
    return w;
}

World *whatif_world(const WhatIf *wi, Error *err)
{
    return world_with(wi, wi->nacts, err);
}

Trace *whatif_run(const WhatIf *wi, World **world_out, Error *err)
{
    World *w = whatif_world(wi, err);
    if (!w) {
        return NULL;
    }
    Sim *sim = sim_create(w, &wi->so);
    sim_run(sim);
    if (sim_stats(sim)->hit_event_limit || sim_stats(sim)->hit_trace_limit) {
        error_set(err, wi->path, "", "the changed run is too long for the player (event limit)");
        sim_destroy(sim);
        world_destroy(w);
        return NULL;
    }
    Trace *tr = sim_take_trace(sim);
    sim_destroy(sim);
    if (world_out) {
        *world_out = w;
    } else {
        world_destroy(w);
    }
    return tr;
}

/* ---- the act list ---- */

bool whatif_push(WhatIf *wi, const char *json, Error *err)
{
    World *w = world_with(wi, wi->nacts, err);
    if (!w) {
        return false;
    }
    bool ok = scenario_add_action_json(w, json, strlen(json), "what-if", err);
    world_destroy(w);
    if (!ok) {
        return false;
    }
    if (wi->nacts == wi->cap) {
        wi->acts = xgrow(wi->acts, &wi->cap, wi->nacts + 1, sizeof *wi->acts);
    }
    wi->acts[wi->nacts++] = xstrdup(json);
    return true;
}

bool whatif_pop(WhatIf *wi)
{
    if (wi->nacts == 0) {
        return false;
    }
    free(wi->acts[--wi->nacts]);
    return true;
}

size_t whatif_act_count(const WhatIf *wi)
{
    return wi->nacts;
}

const char *whatif_act(const WhatIf *wi, size_t i)
{
    return i < wi->nacts ? wi->acts[i] : NULL;
}

size_t whatif_addresses(const WhatIf *wi, bool senders, const char **out, size_t max)
{
    size_t n = senders ? wi->nsenders : wi->nrecipients;
    n = n < max ? n : max;
    for (size_t i = 0; i < n; i++) {
        out[i] = senders ? wi->senders[i] : wi->recipients[i];
    }
    return n;
}

/* ---- writing actions ---- */

/* `s` as a JSON string (quotes included) appended at buf[*n]. */
static void put_json_string(char *buf, size_t size, size_t *n, const char *s)
{
    if (*n + 1 >= size) {
        return;
    }
    buf[(*n)++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p && *n + 8 < size; p++) {
        if (*p == '"' || *p == '\\') {
            buf[(*n)++] = '\\';
            buf[(*n)++] = (char)*p;
        } else if (*p < 0x20) {
            *n += (size_t)snprintf(buf + *n, size - *n, "\\u%04x", *p);
        } else {
            buf[(*n)++] = (char)*p;
        }
    }
    buf[(*n)++] = '"';
    buf[*n] = '\0';
}

/* Formats an action: "at_s" from at_us (exact: six decimals), then "do", then pairs of
 * (key, string value) up to a NULL key. */
static const char *action_json(char *buf, size_t size, int64_t at_us, const char *kind, ...)
{
    size_t n = (size_t)snprintf(buf, size, "{ \"at_s\": %lld.%06lld, \"do\": \"%s\"",
                                (long long)(at_us / 1000000), (long long)(at_us % 1000000), kind);
    va_list ap;
    va_start(ap, kind);
    const char *key;
    while ((key = va_arg(ap, const char *)) != NULL && n + 8 < size) {
        const char *val = va_arg(ap, const char *);
        n += (size_t)snprintf(buf + n, size - n, ", \"%s\": ", key);
        put_json_string(buf, size, &n, val);
    }
    va_end(ap);
    if (n + 3 < size) {
        snprintf(buf + n, size - n, " }");
    }
    return buf;
}

const char *whatif_send_json(int64_t at_us, const char *from, const char *to, const char *subject,
                             int64_t size_bytes, char *buf, size_t size)
{
    char head[WHATIF_JSON_MAX];
    action_json(head, sizeof head, at_us, "send", "from", from, "subject", subject, NULL);
    size_t n = strlen(head) - 2; /* before " }" */
    head[n] = '\0';
    size_t m = (size_t)snprintf(buf, size, "%s, \"to\": [", head);
    if (m < size) {
        put_json_string(buf, size, &m, to);
    }
    if (m < size) {
        snprintf(buf + m, size - m, "], \"size_bytes\": %lld }", (long long)size_bytes);
    }
    return buf;
}

/* ---- the menu ---- */

typedef struct {
    WhatIfChoice *out;
    size_t n, max;
    int64_t at_us;
} Menu;

static WhatIfChoice *menu_add(Menu *m, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static WhatIfChoice *menu_add(Menu *m, const char *fmt, ...)
{
    if (m->n >= m->max) {
        return NULL;
    }
    WhatIfChoice *c = &m->out[m->n++];
    memset(c, 0, sizeof *c);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->label, sizeof c->label, fmt, ap);
    va_end(ap);
    return c;
}

static void add_act(Menu *m, const char *label, const char *kind, const char *k1, const char *v1,
                    const char *k2, const char *v2)
{
    WhatIfChoice *c = menu_add(m, "%s", label);
    if (c) {
        action_json(c->json, sizeof c->json, m->at_us, kind, k1, v1, k2, v2, NULL);
    }
}

static const char *S(const World *w, StrId id)
{
    return strpool_get(w->strings, id);
}

static bool is_server(NodeKind k)
{
    return k == NODE_OUTGOING || k == NODE_RESOLVER || k == NODE_INCOMING || k == NODE_FILTER ||
           k == NODE_STORE;
}

/* The blocklist zones some node checks, each once. */
static size_t zones(const World *w, const char **out, size_t max)
{
    size_t n = 0;
    for (uint32_t i = 0; i < w->node_count; i++) {
        const WorldNode *nd = &w->nodes[i];
        const StrId *list = NULL;
        uint32_t count = 0;
        if (nd->kind == NODE_INCOMING) {
            list = nd->u.in.dnsbl;
            count = nd->u.in.dnsbl_count;
        } else if (nd->kind == NODE_FILTER && nd->u.filter.sbl_zone != STR_EMPTY) {
            list = &nd->u.filter.sbl_zone;
            count = 1;
        }
        for (uint32_t z = 0; z < count; z++) {
            const char *zone = S(w, list[z]);
            bool seen = false;
            for (size_t k = 0; k < n; k++) {
                seen |= strcmp(out[k], zone) == 0;
            }
            if (!seen && n < max) {
                out[n++] = zone;
            }
        }
    }
    return n;
}

static void add_blocklist(Menu *m, const World *w, int32_t server)
{
    if (server < 0 || w->nodes[server].ip == 0) {
        return;
    }
    char ip[16], label[WHATIF_LABEL_MAX];
    world_format_ip(w->nodes[server].ip, ip);
    const char *zl[8];
    size_t nz = zones(w, zl, 8);
    for (size_t z = 0; z < nz; z++) {
        snprintf(label, sizeof label, "Put %s (%s) on the blocklist %s", S(w, w->nodes[server].name),
                 ip, zl[z]);
        add_act(m, label, "blocklist_add", "zone", zl[z], "ip", ip);
        snprintf(label, sizeof label, "Take %s off the blocklist %s", ip, zl[z]);
        add_act(m, label, "blocklist_remove", "zone", zl[z], "ip", ip);
    }
}

static void add_dns(Menu *m, const char *domain)
{
    char label[WHATIF_LABEL_MAX];
    snprintf(label, sizeof label, "Break the DNS of %s (SERVFAIL: \"try later\")", domain);
    add_act(m, label, "dns_failure", "name", domain, "rcode", "SERVFAIL");
    snprintf(label, sizeof label, "Break the DNS of %s (NXDOMAIN: \"no such domain\")", domain);
    add_act(m, label, "dns_failure", "name", domain, "rcode", "NXDOMAIN");
    snprintf(label, sizeof label, "Mend the DNS of %s", domain);
    add_act(m, label, "dns_failure_end", "name", domain, NULL, NULL);
}

static void add_mailbox(Menu *m, const MailboxCfg *mb, const World *w)
{
    if (mb->quota_bytes <= 0) {
        return; /* only a mailbox with a quota can fill up */
    }
    char label[WHATIF_LABEL_MAX];
    snprintf(label, sizeof label, "Fill the mailbox %s", S(w, mb->address));
    add_act(m, label, "mailbox_full", "mailbox", S(w, mb->address), NULL, NULL);
    snprintf(label, sizeof label, "Free the mailbox %s", S(w, mb->address));
    add_act(m, label, "mailbox_free", "mailbox", S(w, mb->address), NULL, NULL);
}

static void add_node_choices(Menu *m, const World *w, int32_t n)
{
    const WorldNode *nd = &w->nodes[n];
    const char *name = S(w, nd->name);
    char label[WHATIF_LABEL_MAX];
    if (is_server(nd->kind)) {
        snprintf(label, sizeof label, "Take %s down", name);
        add_act(m, label, "outage", "node", name, NULL, NULL);
        snprintf(label, sizeof label, "Bring %s back up", name);
        add_act(m, label, "outage_end", "node", name, NULL, NULL);
    }
    switch (nd->kind) {
    case NODE_OUTGOING: add_blocklist(m, w, n); break;
    case NODE_INCOMING:
        for (uint32_t d = 0; d < nd->u.in.domain_count; d++) {
            add_dns(m, S(w, nd->u.in.domains[d]));
        }
        break;
    case NODE_STORE:
        for (uint32_t b = 0; b < nd->u.store.mailbox_count; b++) {
            add_mailbox(m, &nd->u.store.mailboxes[b], w);
        }
        break;
    case NODE_CLIENT:
    case NODE_RESOLVER:
    case NODE_FILTER:
    case NODE_KIND_COUNT: break;
    }
}

/* The mailbox for `addr` in any store, or NULL. */
static const MailboxCfg *find_mailbox(const World *w, StrId addr)
{
    for (uint32_t i = 0; i < w->node_count; i++) {
        if (w->nodes[i].kind == NODE_STORE) {
            const MailboxCfg *mb = world_find_mailbox(w, (int32_t)i, addr);
            if (mb) {
                return mb;
            }
        }
    }
    return NULL;
}

static void add_msg_choices(Menu *m, const World *w, const Trace *tr, int32_t msg)
{
    const TraceMsg *tm = trace_msg(tr, msg);
    const char *id = trace_str(tr, tm->id);
    int32_t sender = tm->client;
    if (sender >= 0 && (uint32_t)sender < w->node_count && w->nodes[sender].kind == NODE_CLIENT) {
        sender = w->nodes[sender].u.client.submit_to;
    }
    if (sender >= 0 && (uint32_t)sender < w->node_count) {
        add_blocklist(m, w, sender);
    }
    char label[WHATIF_LABEL_MAX];
    for (uint32_t k = 0; k < tm->rcpt_count; k++) {
        const char *rcpt = trace_str(tr, trace_msg_rcpt(tr, msg, k));
        StrId rid = strpool_find(w->strings, rcpt);
        int32_t user = rid == UINT32_MAX ? -1 : world_find_client(w, rid);
        if (user >= 0 && w->nodes[user].u.client.store >= 0) {
            snprintf(label, sizeof label, "%s marks %s as spam", rcpt, id);
            add_act(m, label, "mark_spam", "user", rcpt, "msg", id);
            snprintf(label, sizeof label, "%s marks %s as not spam", rcpt, id);
            add_act(m, label, "mark_not_spam", "user", rcpt, "msg", id);
        }
        const MailboxCfg *mb = rid == UINT32_MAX ? NULL : find_mailbox(w, rid);
        if (mb) {
            add_mailbox(m, mb, w);
        }
        if (k == 0 && world_domain_of(rcpt)[0]) {
            add_dns(m, world_domain_of(rcpt));
        }
    }
}

size_t whatif_choices(const WhatIf *wi, const Trace *tr, int32_t node, int32_t msg,
                      int64_t at_us, WhatIfChoice *out, size_t max)
{
    Menu m = { .out = out, .max = max, .at_us = at_us < 0 ? 0 : at_us };
    const World *w = wi->base;
    if (msg != TRACE_NONE && (size_t)msg < trace_msg_count(tr)) {
        add_msg_choices(&m, w, tr, msg);
    } else if (node != TRACE_NONE && (uint32_t)node < w->node_count) {
        add_node_choices(&m, w, node);
    }
    if (wi->nsenders > 0 && wi->nrecipients > 0 && m.n < m.max) {
        WhatIfChoice *c = menu_add(&m, "Send one more message\u2026");
        c->form = true;
    }
    return m.n;
}

/* ---- marks ---- */

/* The string value of "key" in a flat action object written by action_json (or by hand, as long
 * as it is flat), into buf; "" when absent. */
static const char *flat_value(const char *json, const char *key, char *buf, size_t size)
{
    char pat[40];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(json, pat);
    buf[0] = '\0';
    if (!p) {
        return buf;
    }
    p = strchr(p + strlen(pat), ':');
    if (!p) {
        return buf;
    }
    p += 1 + strspn(p + 1, " \t\r\n[");
    if (*p != '"') {
        return buf;
    }
    size_t n = 0;
    for (p++; *p && *p != '"' && n + 1 < size; p++) {
        if (*p == '\\' && p[1]) {
            p++;
        }
        buf[n++] = *p;
    }
    buf[n] = '\0';
    return buf;
}

/* A change in a few words, after what it is about ("mx.b.example down"). */
static const char *act_words(const char *kind)
{
    static const char *const WORDS[][2] = {
        { "outage", "down" },
        { "outage_end", "back up" },
        { "dns_failure", "DNS broken" },
        { "dns_failure_end", "DNS mended" },
        { "mailbox_full", "full" },
        { "mailbox_free", "freed" },
        { "blocklist_add", "blocklisted" },
        { "blocklist_remove", "off the blocklist" },
        { "mark_spam", "marked spam" },
        { "mark_not_spam", "marked not spam" },
        { "send", "gets one more message" },
    };
    for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++) {
        if (strcmp(WORDS[i][0], kind) == 0) {
            return WORDS[i][1];
        }
    }
    return kind;
}

size_t whatif_marks(const WhatIf *wi, WhatIfMark *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < wi->nacts && n < max; i++) {
        const char *j = wi->acts[i];
        WhatIfMark *mk = &out[n++];
        const char *at = strstr(j, "\"at_s\"");
        double at_s = at ? strtod(strchr(at, ':') + 1, NULL) : 0;
        mk->at_us = (int64_t)(at_s * 1e6 + 0.5);
        char kind[40], who[80];
        flat_value(j, "do", kind, sizeof kind);
        flat_value(j, "node", who, sizeof who);
        mk->node = who[0] ? world_find_node(wi->base, who) : -1;
        if (!who[0]) {
            const char *keys[] = { "name", "mailbox", "msg", "ip", "to" };
            for (size_t k = 0; k < sizeof keys / sizeof keys[0] && !who[0]; k++) {
                flat_value(j, keys[k], who, sizeof who);
            }
        }
        snprintf(mk->label, sizeof mk->label, "what if #%zu: %.50s %.30s", i + 1, who,
                 act_words(kind));
    }
    return n;
}

/* ---- saving ---- */

/* Skips a JSON string starting at s[i] == '"'; returns the index after its closing quote. */
static size_t skip_string(const char *s, size_t len, size_t i)
{
    for (i++; i < len; i++) {
        if (s[i] == '\\') {
            i++;
        } else if (s[i] == '"') {
            return i + 1;
        }
    }
    return len;
}

static size_t skip_space(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) {
        i++;
    }
    return i;
}

/* In the top-level object: where the "actions" array's closing ']' is (and whether it holds
 * anything), or, with no such key, where the object's '{' is. False when the text is not one
 * object. A scanner for splicing only: the loader decides whether the result is valid. */
static bool find_actions(const char *s, size_t len, size_t *open_brace, size_t *close_bracket,
                         bool *has_actions, bool *empty)
{
    size_t i = skip_space(s, len, 0);
    if (i >= len || s[i] != '{') {
        return false;
    }
    *open_brace = i;
    *has_actions = false;
    int depth = 0;
    bool expect_key = true;
    size_t arr_open = 0;
    int arr_depth = -1;
    for (; i < len; i++) {
        char c = s[i];
        if (c == '"') {
            size_t end = skip_string(s, len, i);
            if (depth == 1 && expect_key && end - i == 9 && strncmp(s + i, "\"actions\"", 9) == 0) {
                size_t k = skip_space(s, len, end);
                if (k < len && s[k] == ':') {
                    k = skip_space(s, len, k + 1);
                    if (k < len && s[k] == '[') {
                        *has_actions = true;
                        arr_open = k;
                        arr_depth = depth + 1;
                    }
                }
            }
            if (depth == 1) {
                expect_key = false;
            }
            i = end - 1;
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (c == ']' && depth == arr_depth && *has_actions) {
                *close_bracket = i;
                *empty = skip_space(s, len, arr_open + 1) == i;
                arr_depth = -1;
            }
            depth--;
            if (depth == 0) {
                return true;
            }
        } else if (c == ',' && depth == 1) {
            expect_key = true;
        }
    }
    return false;
}

char *whatif_saved_text(const WhatIf *wi, Error *err)
{
    size_t open = 0, close = 0;
    bool has = false, empty = true;
    if (!find_actions(wi->text, wi->len, &open, &close, &has, &empty)) {
        error_set(err, wi->path, "", "cannot add the changes: the file is not one JSON object");
        return NULL;
    }
    size_t cap = wi->len + 64;
    for (size_t i = 0; i < wi->nacts; i++) {
        cap += strlen(wi->acts[i]) + 8;
    }
    char *out = xmalloc(cap);
    size_t cut = has ? close : open + 1, n = cut;
    memcpy(out, wi->text, cut);
    if (has) {
        while (n > 0 && strchr(" \t\r\n", out[n - 1])) {
            n--; /* the acts follow the last element (or the '[') directly */
        }
    } else {
        n += (size_t)snprintf(out + n, cap - n, "\n  \"actions\": [");
    }
    for (size_t i = 0; i < wi->nacts; i++) {
        bool comma = i > 0 || (has && !empty);
        n += (size_t)snprintf(out + n, cap - n, "%s\n    %s", comma ? "," : "", wi->acts[i]);
    }
    n += (size_t)snprintf(out + n, cap - n, has ? "\n  " : "\n  ],");
    memcpy(out + n, wi->text + cut, wi->len - cut);
    out[n + wi->len - cut] = '\0';
    return out;
}

static bool write_whole(const char *path, const char *text, Error *err)
{
    AtomicFile *af = atomicfile_open(path);
    if (!af) {
        error_set(err, path, "", "cannot write: %s", strerror(errno));
        return false;
    }
    if (fputs(text, atomicfile_stream(af)) == EOF) {
        error_set(err, path, "", "cannot write: %s", strerror(errno));
        atomicfile_abort(af);
        return false;
    }
    if (!atomicfile_commit(af)) {
        error_set(err, path, "", "cannot write: %s", strerror(errno));
        return false;
    }
    return true;
}

/* "<dir>/<stem>-whatif-<N>.json" for the first N not taken (dir "" = the current directory). */
static void pick_name(const char *dir, const char *stem, char *out, size_t size)
{
    for (int k = 1; k < 10000; k++) {
        snprintf(out, size, "%s%s%s-whatif-%d.json", dir, dir[0] ? "/" : "", stem, k);
        if (access(out, F_OK) != 0) {
            return;
        }
    }
}

bool whatif_save(const WhatIf *wi, char *path_out, size_t size, Error *err)
{
    char *text = whatif_saved_text(wi, err);
    if (!text) {
        return false;
    }
    /* Refuse to write what would not load: the file must play like any other. */
    World *check = scenario_load_string(text, strlen(text), wi->path, err);
    if (!check) {
        free(text);
        return false;
    }
    world_destroy(check);
    char dir[1024], stem[256];
    const char *slash = strrchr(wi->path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - wi->path) : 0, wi->path);
    if (slash && dir[0] == '\0') {
        snprintf(dir, sizeof dir, "/");
    }
    const char *base = slash ? slash + 1 : wi->path;
    const char *dot = strrchr(base, '.');
    snprintf(stem, sizeof stem, "%.*s", dot ? (int)(dot - base) : (int)strlen(base), base);
    bool writable = access(dir[0] ? dir : ".", W_OK) == 0;
    pick_name(writable ? dir : "", stem, path_out, size);
    bool ok = write_whole(path_out, text, err);
    free(text);
    return ok;
}
