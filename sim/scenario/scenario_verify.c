/* scenario_verify: the keys that stage an address verifier (scenario_int.h) — a client's
 * "verify" (the addresses it probes), "resolver", "vrfy" and "verify_at_s", and a store's
 * "catch_all". Kept apart from scenario_nodes.c, which calls these two readers for those keys.
 */
#include "scenario/scenario_int.h"

#include "util/xalloc.h"

#include <stdlib.h>

/* The most addresses one verifier probes: a classroom list, not a mailing list. */
#define VERIFY_MAX_ADDRESSES 100

typedef struct {
    StrId *arr;
    uint32_t *count;
} VerifyList;

/* One address to probe: any non-empty text, since a malformed address is part of the lesson (the
 * verifier's syntax check refuses it). */
static bool read_address(Ctx *c, const cJSON *e, size_t i, void *arg)
{
    VerifyList *l = arg;
    (void)i;
    StrId id = STR_EMPTY;
    if (!sc_val_str(c, e, STR_NONEMPTY, &id)) {
        return false;
    }
    l->arr[(*l->count)++] = id;
    return true;
}

bool sc_parse_verifier(Ctx *c, const cJSON *v, int32_t self)
{
    ClientCfg *cl = &c->w->nodes[self].u.client;
    size_t m;
    const cJSON *list = sc_enter(c, v, "verify", &m);
    bool ok = true;
    if (list) {
        ok = sc_want_array(c, list, 1, VERIFY_MAX_ADDRESSES, "addresses to verify");
        if (ok) {
            free(cl->verify);
            cl->verify = xmalloc(sizeof *cl->verify * ((size_t)cJSON_GetArraySize(list) + 1));
            cl->verify_count = 0;
            ok = sc_each_element(c, list, read_address, &(VerifyList){ cl->verify, &cl->verify_count });
        }
    }
    sc_path_pop(c, m);
    if (!ok || !sc_get_node(c, v, "resolver", KIND_BIT(NODE_RESOLVER), &cl->resolver) ||
        !sc_get_bool(c, v, "vrfy", &cl->vrfy) ||
        !sc_get_time(c, v, "verify_at_s", TIME_SECONDS, &cl->verify_at_us)) {
        return false;
    }
    if (cl->verify_count == 0) {
        if (sc_field(v, "vrfy") || sc_field(v, "verify_at_s")) {
            return sc_fail(c, "\"vrfy\" and \"verify_at_s\" belong to an address verifier: this "
                              "client has no \"verify\" list");
        }
        return true;
    }
    if (cl->resolver < 0) {
        return sc_fail(c, "an address verifier (\"verify\") needs a \"resolver\" for its MX look-ups");
    }
    return sc_check_in_horizon(c, "verify_at_s", cl->verify_at_us);
}

bool sc_parse_catch_all(Ctx *c, const cJSON *v, int32_t self)
{
    StoreCfg *s = &c->w->nodes[self].u.store;
    if (!sc_get_bool(c, v, "catch_all", &s->catch_all)) {
        return false;
    }
    if (s->catch_all && s->mailbox_count == 0) {
        return sc_fail_at(c, "catch_all", "a catch-all store delivers unknown addresses to its "
                                          "first mailbox: give it at least one in \"mailboxes\"");
    }
    return true;
}
