/* sim_conncache: the outgoing servers' SMTP connection caches (see sim_conncache.h). */
#include "model/sim_conncache.h"

#include "model/sim_session.h"
#include "util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>

struct ConnDest {
    int64_t last_done_us; /* when its last delivery ended; INT64_MIN = never */
    uint32_t busy;        /* deliveries in progress */
    int32_t idle;         /* the idle session, or NONE */
    EngineEventId close;  /* the idle session's close */
    bool storing;         /* on-demand caching is on */
};

static uint64_t dest_key(int32_t server, StrId domain)
{
    return (uint64_t)(uint32_t)server << 32 | (uint64_t)domain;
}

static uint32_t dest_of(Sim *sim, int32_t server, StrId domain)
{
    uint64_t key = dest_key(server, domain);
    size_t pos = 0;
    uint32_t d = keymap_next(&sim->dest_index, key, &pos);
    if (d != KEYMAP_NONE) {
        return d;
    }
    if (sim->dest_count == sim->dest_cap) {
        sim->dests = xgrow(sim->dests, &sim->dest_cap, sim->dest_count + 1, sizeof *sim->dests);
    }
    d = (uint32_t)sim->dest_count++;
    sim->dests[d] = (ConnDest){ .last_done_us = INT64_MIN, .idle = NONE };
    keymap_add(&sim->dest_index, key, d);
    return d;
}

uint32_t conncache_begin(Sim *sim, int32_t server, StrId domain, bool *store)
{
    *store = false;
    if (!sim_node(sim, server)->u.out.connection_cache) {
        return CONNCACHE_NONE;
    }
    uint32_t d = dest_of(sim, server, domain);
    ConnDest *cd = &sim->dests[d];
    /* qmgr_entry.c, in whole seconds: back to back = the last one ended in this second or the
     * one before. */
    int64_t now_s = engine_now(sim->eng) / US_PER_S;
    bool back_to_back = cd->last_done_us != INT64_MIN && cd->last_done_us / US_PER_S + 1 >= now_s;
    if (!cd->storing) {
        cd->storing = back_to_back;
    } else if (!(cd->busy > 0 || back_to_back)) {
        cd->storing = false;
    }
    cd->busy++;
    *store = cd->storing;
    return d;
}

static void on_idle_close(Engine *eng, void *obj, uint64_t arg)
{
    (void)eng;
    Sim *sim = obj;
    ConnDest *cd = &sim->dests[arg];
    uint32_t s = (uint32_t)cd->idle;
    cd->idle = NONE;
    cd->close = 0;
    char why[128];
    snprintf(why, sizeof why, "connection closed: idle for %lld s in the connection cache",
             (long long)(sim_node(sim, sim->sessions[s].client)->u.out.cache_time_us / US_PER_S));
    session_close(sim, s, why);
}

int32_t conncache_take(Sim *sim, uint32_t dest)
{
    if (dest == CONNCACHE_NONE) {
        return NONE;
    }
    ConnDest *cd = &sim->dests[dest];
    int32_t s = cd->idle;
    if (s != NONE) {
        engine_cancel(sim->eng, cd->close);
        cd->idle = NONE;
        cd->close = 0;
    }
    return s;
}

bool conncache_park(Sim *sim, uint32_t dest, uint32_t s)
{
    ConnDest *cd = &sim->dests[dest];
    if (cd->idle != NONE) {
        return false;
    }
    cd->idle = (int32_t)s;
    int32_t server = sim->sessions[s].client;
    cd->close = engine_schedule_in(sim->eng, sim_node(sim, server)->u.out.cache_time_us,
                                   on_idle_close, sim, dest);
    return true;
}

void conncache_end(Sim *sim, uint32_t dest)
{
    if (dest == CONNCACHE_NONE) {
        return;
    }
    ConnDest *cd = &sim->dests[dest];
    cd->busy--;
    cd->last_done_us = engine_now(sim->eng);
}

void conncache_free(Sim *sim)
{
    keymap_free(&sim->dest_index);
    free(sim->dests);
    sim->dests = NULL;
    sim->dest_count = sim->dest_cap = 0;
}
