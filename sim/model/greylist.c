/* greylist: postgrey semantics over an open-addressing hash of triplets (see greylist.h).
 * Invariant: table size is a power of two, at most half full; deleted entries are never removed,
 * only reset (a forgotten triplet is treated as new), so probing stays simple. */
#include "model/greylist.h"

#include "util/hash.h"
#include "util/xalloc.h"

#include <stdlib.h>

typedef struct {
    uint32_t subnet; /* client /24, plus one so 0 means empty */
    StrId sender, rcpt;
    int64_t first_us, last_us;
    bool passed; /* a retry has passed: the retry window no longer applies */
} Triplet;

typedef struct {
    uint32_t subnet;
    uint32_t passes;
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

static ClientCount *client_entry(Greylist *gl, uint32_t subnet)
{
    for (size_t i = 0; i < gl->client_count; i++) {
        if (gl->clients[i].subnet == subnet) {
            return &gl->clients[i];
        }
    }
    if (gl->client_count == gl->client_cap) {
        gl->clients = xgrow(gl->clients, &gl->client_cap, gl->client_count + 1, sizeof *gl->clients);
    }
    gl->clients[gl->client_count] = (ClientCount){ subnet, 0 };
    return &gl->clients[gl->client_count++];
}

GreyVerdict greylist_check(Greylist *gl, const GreylistCfg *cfg, uint32_t client_ip, StrId sender,
                           StrId rcpt, int64_t now_us)
{
    uint32_t subnet = (client_ip >> 8) + 1;
    ClientCount *client = client_entry(gl, subnet);
    if (cfg->auto_whitelist && client->passes >= cfg->auto_whitelist) {
        return GREY_WHITELISTED;
    }
    if ((gl->used + 1) * 2 > gl->size) {
        grow(gl);
    }
    Triplet *t = find_slot(gl->slots, gl->size, subnet, sender, rcpt);
    bool too_late = cfg->retry_window_us > 0 && t->subnet && !t->passed &&
                    now_us - t->first_us > cfg->retry_window_us;
    if (!t->subnet || now_us - t->last_us > cfg->max_age_us || too_late) {
        if (!t->subnet) {
            gl->used++;
        }
        *t = (Triplet){ subnet, sender, rcpt, now_us, now_us, false };
        return GREY_DEFER_NEW;
    }
    t->last_us = now_us;
    if (now_us - t->first_us < cfg->delay_us) {
        return GREY_DEFER_EARLY;
    }
    t->passed = true;
    client->passes++;
    return GREY_PASS;
}
