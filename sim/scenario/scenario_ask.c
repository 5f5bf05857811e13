/* scenario_ask: questions, the actions a teacher adds mid-run, and one action on its own
 * (scenario_int.h, scenario.h).
 *
 * Owns "ask" (questions put to the class before a moment of the run, with the event that bears
 * their answer out), the details of the actions that change the world at a moment (a server
 * back up, DNS mended, a mailbox full or emptied, an address on or off a blocklist, one more
 * message sent), and scenario_add_action_json, which reads one action into an already loaded
 * world with the same code as the file's "actions". Does not read expectations or the other
 * actions (scenario_mail.c); the selector grammar is scenario_mail.c's sc_get_selector.
 */
#include "scenario/scenario_int.h"

#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ==== questions ============================================================================= */

static bool parse_before(Ctx *c, const cJSON *obj, Question *q)
{
    static const char *const keys[] = { SC_SELECTOR_KEYS, "nth" };
    size_t m = sc_path_key(c, "before");
    const cJSON *v = sc_field(obj, "before");
    int64_t nth = 1;
    bool ok = sc_want_keys(c, v, keys, COUNT_OF(keys)) && sc_get_selector(c, v, &q->before) &&
              sc_get_int(c, v, "nth", 1, MAX_COUNT, &nth);
    q->nth = (uint32_t)nth;
    sc_path_pop(c, m);
    return ok;
}

static bool parse_check(Ctx *c, const cJSON *obj, Question *q)
{
    static const char *const keys[] = { SC_SELECTOR_KEYS };
    size_t m = sc_path_key(c, "check");
    const cJSON *v = sc_field(obj, "check");
    bool ok = sc_want_keys(c, v, keys, COUNT_OF(keys)) && sc_get_selector(c, v, &q->check);
    sc_path_pop(c, m);
    return ok;
}

static bool read_choice(Ctx *c, const cJSON *e, size_t i, void *arg)
{
    Question *q = arg;
    StrId s = STR_EMPTY;
    if (!sc_val_str(c, e, STR_NONEMPTY, &s)) {
        return false;
    }
    for (uint32_t k = 0; k < q->choice_count; k++) {
        if (q->choices[k] == s) {
            return sc_fail(c, "choice \"%.64s\" is already choices[%u]; each choice must differ",
                           sc_str(c, s), k);
        }
    }
    (void)i;
    q->choices[q->choice_count++] = s;
    return true;
}

static bool parse_choices(Ctx *c, const cJSON *obj, Question *q)
{
    size_t m = sc_path_key(c, "choices");
    const cJSON *v = sc_field(obj, "choices");
    bool ok = sc_want_array(c, v, 2, QUESTION_MAX_CHOICES, "choices") &&
              sc_each_element(c, v, read_choice, q);
    sc_path_pop(c, m);
    return ok;
}

/* "answer": the text of one of the choices, exactly. */
static bool parse_answer(Ctx *c, const cJSON *obj, Question *q)
{
    size_t m = sc_path_key(c, "answer");
    const cJSON *v = sc_field(obj, "answer");
    bool ok = true;
    if (!cJSON_IsString(v)) {
        ok = sc_type_error(c, v, "the text of one of the choices");
    } else {
        Candidates cd;
        sc_candidates_start(&cd, v->valuestring);
        for (uint32_t k = 0; k < q->choice_count; k++) {
            if (strcmp(sc_str(c, q->choices[k]), v->valuestring) == 0) {
                q->answer = k;
                sc_path_pop(c, m);
                return true;
            }
            sc_candidates_add(&cd, sc_str(c, q->choices[k]));
        }
        sc_candidates_end(&cd);
        ok = sc_fail(c, "\"%.64s\" is not one of the choices%s; choices: %s", v->valuestring,
                     cd.hint, cd.list);
    }
    sc_path_pop(c, m);
    return ok;
}

static bool parse_question(Ctx *c, const cJSON *v, size_t i, void *arg)
{
    static const char *const keys[] = { "before", "question", "choices",
                                        "answer", "explain",  "check" };
    (void)i;
    (void)arg;
    if (!sc_want_keys(c, v, keys, COUNT_OF(keys)) ||
        !sc_need(c, v, "before",
                 "the event the question comes just before, as in "
                 "expect.events (with \"nth\" for a later one)") ||
        !sc_need(c, v, "question", "what the class is asked") ||
        !sc_need(c, v, "choices", "an array of 2 to 4 possible answers") ||
        !sc_need(c, v, "answer", "the text of the right choice") ||
        !sc_need(c, v, "check",
                 "the event that happens after the moment when the answer is "
                 "right, as in expect.events")) {
        return false;
    }
    Question *q = world_add_question(c->w);
    return parse_before(c, v, q) && sc_get_str(c, v, "question", STR_NONEMPTY, &q->question) &&
           parse_choices(c, v, q) && parse_answer(c, v, q) &&
           sc_get_str(c, v, "explain", STR_TEXT, &q->explain) && parse_check(c, v, q);
}

bool sc_parse_ask(Ctx *c, const cJSON *root)
{
    return sc_parse_each(c, root, "ask", SIZE_MAX, "questions", parse_question, NULL);
}

/* ==== actions a teacher adds mid-run ======================================================== */

/* The mailbox an action names: one some store holds. */
static bool get_mailbox(Ctx *c, const cJSON *v, Action *a, const MailboxCfg **out)
{
    if (!sc_need(c, v, "mailbox", "the address of a mailbox in a store") ||
        !sc_get_str(c, v, "mailbox", STR_ADDRESS, &a->name)) {
        return false;
    }
    int32_t store = idmap_get(&c->mailboxes, a->name);
    *out = store >= 0 ? world_find_mailbox(c->w, store, a->name) : NULL;
    if (*out) {
        return true;
    }
    Candidates cd;
    sc_candidates_start(&cd, sc_str(c, a->name));
    for (uint32_t i = 0; i < c->w->node_count; i++) {
        const WorldNode *n = &c->w->nodes[i];
        for (uint32_t k = 0; n->kind == NODE_STORE && k < n->u.store.mailbox_count; k++) {
            sc_candidates_add(&cd, sc_str(c, n->u.store.mailboxes[k].address));
        }
    }
    sc_candidates_end(&cd);
    return sc_fail_at(c, "mailbox", "no store has a mailbox %s%s; mailboxes: %s",
                      sc_str(c, a->name), cd.hint, cd.list[0] ? cd.list : "(none)");
}

/* The zone must be one some server checks: an incoming node's dnsbl or a filter's sbl_zone. */
static bool get_zone(Ctx *c, const cJSON *v, Action *a)
{
    if (!sc_need(c, v, "zone", "the blocklist's zone, such as \"zen.example\"") ||
        !sc_need(c, v, "ip", "the listed IPv4 address, such as a sending server's") ||
        !sc_get_str(c, v, "zone", STR_DOMAIN, &a->name) || !sc_get_ip(c, v, "ip", &a->ip)) {
        return false;
    }
    Candidates cd;
    sc_candidates_start(&cd, sc_str(c, a->name));
    for (uint32_t i = 0; i < c->w->node_count; i++) {
        const WorldNode *n = &c->w->nodes[i];
        for (uint32_t k = 0; n->kind == NODE_INCOMING && k < n->u.in.dnsbl_count; k++) {
            if (n->u.in.dnsbl[k] == a->name) {
                return true;
            }
            sc_candidates_add(&cd, sc_str(c, n->u.in.dnsbl[k]));
        }
        if (n->kind == NODE_FILTER && n->u.filter.sbl_zone != STR_EMPTY) {
            if (n->u.filter.sbl_zone == a->name) {
                return true;
            }
            sc_candidates_add(&cd, sc_str(c, n->u.filter.sbl_zone));
        }
    }
    sc_candidates_end(&cd);
    return sc_fail_at(c, "zone", "no server checks the blocklist %s%s; zones checked: %s",
                      sc_str(c, a->name), cd.hint, cd.list[0] ? cd.list : "(none)");
}

bool sc_parse_intervention(Ctx *c, const cJSON *v, Action *a)
{
    const unsigned servers = ANY_NODE & ~KIND_BIT(NODE_CLIENT);
    const MailboxCfg *mb = NULL;
    switch (a->kind) {
    case ACT_OUTAGE_END:
        return sc_need(c, v, "node", "the server that comes back up") &&
               sc_get_node(c, v, "node", servers, &a->node);
    case ACT_DNS_FAILURE_END:
        return sc_need(c, v, "name", "the domain whose DNS answers again") &&
               sc_get_str(c, v, "name", STR_DOMAIN, &a->name);
    case ACT_MAILBOX_FULL:
        if (!get_mailbox(c, v, a, &mb)) {
            return false;
        }
        if (mb->quota_bytes <= 0) {
            return sc_fail_at(c, "mailbox",
                              "mailbox %s has no quota (\"quota_bytes\": 0), so it cannot be "
                              "full; give it a quota",
                              sc_str(c, a->name));
        }
        return true;
    case ACT_MAILBOX_FREE: return get_mailbox(c, v, a, &mb);
    case ACT_BLOCKLIST_ADD:
    case ACT_BLOCKLIST_REMOVE: return get_zone(c, v, a);
    default: return true;
    }
}

bool sc_parse_send_action(Ctx *c, const cJSON *v)
{
    /* A message's keys and "do": the message reader checks the keys of a copy without "do". */
    cJSON *msg = cJSON_Duplicate(v, true);
    cJSON_DeleteItemFromObjectCaseSensitive(msg, "do");
    bool ok = sc_parse_message(c, msg, c->w->spec_count, NULL);
    cJSON_Delete(msg);
    return ok;
}

/* ==== one action on its own ================================================================= */

/* The look-up tables a load builds as it reads, rebuilt from a loaded world. */
static void index_world(Ctx *c)
{
    const World *w = c->w;
    for (uint32_t i = 0; i < w->node_count; i++) {
        const WorldNode *n = &w->nodes[i];
        idmap_set(&c->nodes, n->name, (int32_t)i);
        if (n->kind == NODE_CLIENT) {
            idmap_set(&c->clients, n->u.client.address, (int32_t)i);
        }
        for (uint32_t k = 0; n->kind == NODE_STORE && k < n->u.store.mailbox_count; k++) {
            idmap_set(&c->mailboxes, n->u.store.mailboxes[k].address, (int32_t)i);
        }
    }
    for (uint32_t i = 0; i < w->spec_count; i++) {
        idmap_set(&c->specs, w->specs[i].id, (int32_t)i);
        c->rcpt_total += w->specs[i].to_count;
    }
}

bool scenario_add_action_json(World *w, const char *json, size_t len, const char *name, Error *err)
{
    const char *file = name ? name : "<string>";
    char *text = xmalloc(len + 1);
    memcpy(text, json, len);
    text[len] = '\0';
    cJSON *root = len > SCENARIO_MAX_FILE_BYTES ? NULL : sc_parse_json(text, len, file, err);
    free(text);
    if (!root) {
        if (len > SCENARIO_MAX_FILE_BYTES) {
            error_set(err, file, "", "the action is %zu bytes; the limit is %u bytes", len,
                      SCENARIO_MAX_FILE_BYTES);
        }
        return false;
    }
    uint32_t specs = w->spec_count, actions = w->action_count, scripted = 0;
    for (uint32_t i = 0; i < actions; i++) {
        scripted += w->actions[i].kind != ACT_SEND;
    }
    Ctx c = { .file = file, .w = w, .err = err, .path = "$", .path_len = 1 };
    index_world(&c);
    bool ok = true;
    if (scripted >= SCENARIO_MAX_ACTIONS &&
        !(cJSON_IsObject(root) && sc_field(root, "do") && cJSON_IsString(sc_field(root, "do")) &&
          strcmp(sc_field(root, "do")->valuestring, "send") == 0)) {
        ok = sc_fail(&c, "the scenario already has %u actions, the limit", SCENARIO_MAX_ACTIONS);
    }
    ok = ok && sc_parse_action(&c, root, 0, NULL);
    cJSON_Delete(root);
    idmap_free(&c.nodes);
    idmap_free(&c.clients);
    idmap_free(&c.specs);
    idmap_free(&c.mailboxes);
    pairmap_free(&c.links);
    if (!ok) {
        /* Undo a half-read action: the world stays as it was loaded. */
        for (uint32_t i = specs; i < w->spec_count; i++) {
            free(w->specs[i].to);
            free(w->specs[i].attachments);
        }
        w->spec_count = specs;
        w->action_count = actions;
        return false;
    }
    world_finalize(w);
    return true;
}
