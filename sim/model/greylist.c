/* greylist: postgrey semantics over an open-addressing hash of triplets (see greylist.h).
 * Invariant: table size is a power of two, at most half full; deleted entries are never removed,
 * only reset (a forgotten triplet is treated as new), so probing stays simple.
 *
 * The decision follows postgrey 1.37's smtpd_access_policy: the auto-whitelist is consulted
 * first; then the triplet's (first, last) sighting is read; "the last sighting was a pass" is
 * last - first >= delay; an entry that has not passed yet and was first seen more than
 * retry_window ago restarts (first = now); the pass that is not preceded by a pass counts for
 * the client if its previous count is an hour old. */
#include "model/greylist.h"

#include "util/hash.h"
#include "util/xalloc.h"

#include <stdlib.h>

typedef struct {
    uint32_t subnet; /* client /24, plus one so 0 means empty */
    StrId sender, rcpt;
    int64_t first_us, last_us;
} Triplet;

typedef struct {
    uint32_t ip;
    uint32_t passes;
    bool counted;     /* last_us holds the time of the last count */
    int64_t last_us;  /* when a pass last counted (postgrey's cawl "last") */
} ClientCount;

struct Greylist {
    Triplet *slots;
    size_t size, used;
    ClientCount *clients;
    size_t client_count, client_cap;
};

Greylist *greylist_create(void)
{
    Greylist *gl = xcalloc(1, sizeof *gl);
    gl->size = 64;
    gl->slots = xcalloc(gl->size, sizeof *gl->slots);
    return gl;
}

void greylist_destroy(Greylist *gl)
{
    if (!gl) {
        return;
    }
    free(gl->slots);
    free(gl->clients);
    free(gl);
}

static uint64_t triplet_hash(uint32_t subnet, StrId sender, StrId rcpt)
{
    return hash_u64(hash_u64(subnet) ^ ((uint64_t)sender << 32 | rcpt));
}

static Triplet *find_slot(Triplet *slots, size_t size, uint32_t subnet, StrId sender, StrId rcpt)
{
    size_t mask = size - 1, i = triplet_hash(subnet, sender, rcpt) & mask;
    while (slots[i].subnet &&
           !(slots[i].subnet == subnet && slots[i].sender == sender && slots[i].rcpt == rcpt)) {
        i = (i + 1) & mask;
    }
    return &slots[i];
}

static void grow(Greylist *gl)
{
    size_t size = gl->size * 2;
    Triplet *slots = xcalloc(size, sizeof *slots);
    for (size_t i = 0; i < gl->size; i++) {
        const Triplet *t = &gl->slots[i];
        if (t->subnet) {
            *find_slot(slots, size, t->subnet, t->sender, t->rcpt) = *t;
        }
    }
    free(gl->slots);
    gl->slots = slots;
    gl->size = size;
}

static ClientCount *client_entry(Greylist *gl, uint32_t ip)
{
    for (size_t i = 0; i < gl->client_count; i++) {
        if (gl->clients[i].ip == ip) {
            return &gl->clients[i];
        }
    }
    if (gl->client_count == gl->client_cap) {
        gl->clients = xgrow(gl->clients, &gl->client_cap, gl->client_count + 1, sizeof *gl->clients);
    }
    gl->clients[gl->client_count] = (ClientCount){ ip, 0, false, 0 };
    return &gl->clients[gl->client_count++];
}

/* True when the client's last count is at least an hour old (or it has none). */
static bool client_may_count(const ClientCount *c, int64_t now_us)
{
    return !c->counted || now_us >= c->last_us + GREYLIST_AWL_INTERVAL_US;
}

/* A whitelisted client is passed at once; postgrey keeps counting it, at most once an hour, so
 * its entry stays fresh. A client unseen for max_age has been cleaned away and starts over. */
static bool client_whitelisted(ClientCount *c, const GreylistCfg *cfg, int64_t now_us)
{
    if (c->counted && now_us - c->last_us > cfg->max_age_us) {
        *c = (ClientCount){ c->ip, 0, false, 0 };
    }
    if (cfg->auto_whitelist == 0 || c->passes < cfg->auto_whitelist) {
        return false;
    }
    if (client_may_count(c, now_us)) {
        c->passes++;
        c->last_us = now_us;
    }
    return true;
}

GreyVerdict greylist_check(Greylist *gl, const GreylistCfg *cfg, uint32_t client_ip, StrId sender,
                           StrId rcpt, int64_t now_us)
{
    ClientCount *client = client_entry(gl, client_ip);
    if (client_whitelisted(client, cfg, now_us)) {
        return GREY_WHITELISTED;
    }
    if ((gl->used + 1) * 2 > gl->size) {
        grow(gl);
    }
    uint32_t subnet = (client_ip >> 8) + 1;
    Triplet *t = find_slot(gl->slots, gl->size, subnet, sender, rcpt);
    if (!t->subnet || now_us - t->last_us > cfg->max_age_us) {
        if (!t->subnet) {
            gl->used++;
        }
        *t = (Triplet){ subnet, sender, rcpt, now_us, now_us };
        return GREY_DEFER_NEW;
    }
    bool passed_before = t->last_us - t->first_us >= cfg->delay_us;
    if (!passed_before && cfg->retry_window_us > 0 && now_us - t->first_us > cfg->retry_window_us) {
        t->first_us = now_us; /* the retry came too late: this sighting is a first one */
    }
    t->last_us = now_us;
    if (now_us - t->first_us < cfg->delay_us) {
        return t->first_us == now_us ? GREY_DEFER_NEW : GREY_DEFER_EARLY;
    }
    if (!passed_before && cfg->auto_whitelist && client_may_count(client, now_us)) {
        client->passes++;
        client->counted = true;
        client->last_us = now_us;
    }
    return GREY_PASS;
}
