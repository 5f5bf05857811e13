/* sim_internal: the run-time state shared by the simulation's three parts — sim.c (setup, timing,
 * trace emission, actions, the run loop, clients composing), sim_relay.c (outgoing queues,
 * DNS look-ups, SMTP sessions and the incoming server's checks) and sim_store.c (after
 * acceptance: spam filter, mail store, clients fetching, users acting on their mail).
 * Private to sim/model; nothing outside includes it.
 *
 * Entities live in growable arrays addressed by index; the engine's 64-bit event argument carries
 * the index. Freed session/look-up slots go on free lists, so the steady state allocates nothing.
 */
#ifndef MAILSIM_SIM_INTERNAL_H
#define MAILSIM_SIM_INTERNAL_H

#include "engine/engine.h"
#include "engine/rng.h"
#include "model/dns.h"
#include "model/greylist.h"
#include "model/sim.h"
#include "model/spamfilter.h"
#include "model/world.h"
#include "util/pairmap.h"

#include <stdbool.h>
#include <stdint.h>

#define NONE (-1)

/* Where a recipient stands. */
typedef enum {
    RS_PENDING,   /* in an outgoing queue, not yet accepted by the next hop */
    RS_SENT,      /* accepted by the recipient's server, not yet in the mailbox */
    RS_DELIVERED, /* in the mailbox */
    RS_BOUNCED,
    RS_DROPPED,   /* a bounce that could not be delivered: discarded (never bounce a bounce) */
} RcptState;

typedef struct {
    StrId addr, domain;
    uint32_t msg;
    StrId txn_reply;     /* the reply or reason that decided `txn` */
    StrId txn_status;    /* its enhanced status code ("4.4.3"), STR_EMPTY = take it from reply */
    int32_t inbound;     /* the accepted copy carrying it to the mailbox, or NONE */
    int32_t mailbox;     /* sim_mailbox_of(addr), looked up once: with a million mailboxes each
                            look-up is a cache miss */
    uint8_t state;       /* RcptState */
    uint8_t txn;         /* per-attempt result: 0 none, 1 accepted, 4 transient, 5 permanent */
} Rcpt;

/* A message, from its composition until nothing refers to it any more: a slot-pool record with
 * a reference count (sim_msg_hold/sim_msg_release) held by each session, delivery, inbound copy,
 * mailbox item and pending hand-over that names it. When the count drops to zero the message and
 * its recipients are settled and their slots are reused, so a bulk run holds the messages in
 * flight, not every message it ever sent. What only the trace shows (the From: header, the DSN's
 * parent) lives in the trace's message table, not here. */
typedef struct {
    StrId id, sender, subject, body; /* sender STR_EMPTY = null sender (a DSN) */
    char *own_body;                  /* a DSN's report text, owned and freed with the message (every
                                        report differs: interning them kept a bulk run's bounces
                                        forever); NULL = `body` */
    int64_t size_bytes;
    int32_t origin;                  /* composing node */
    int32_t trace_msg;               /* index in the trace's message table */
    uint32_t rcpt_first, rcpt_count;
    uint32_t serial;                 /* unique over the run (slots are reused): Bayes's key */
    uint32_t copy;                   /* k for copy k of a one-per-recipient mailing (its id is
                                        "<id>.<k>", see sim_msg_id); 0 for any other message */
    int32_t next_free;
    uint16_t refs;
    uint16_t dsn_count, warn_count;  /* bounces and delay warnings sent about it (one per
                                        destination domain at most, and a message has at most
                                        a few thousand recipients) */
    bool has_date;
} Msg;

/* Recipient ranges of up to this many are reused when their message is settled (a free list per
 * length); longer ones, rare, are not. */
#define SIM_RCPT_REUSE_MAX 16

/* One message waiting at one outgoing server for one destination domain. A slot-pool record:
 * it lives from relay_enqueue until an attempt settles its last recipient, so a bulk run holds
 * the deliveries in its queues, not one per message ever sent. */
typedef struct {
    int64_t arrival_us;
    uint32_t msg;
    int32_t server;                  /* outgoing node */
    StrId domain;
    uint32_t rcpt_first, rcpt_count; /* recipients of msg for this domain (contiguous) */
    uint32_t attempts;
    int32_t next_free;
    bool warned;
    bool local;                      /* delivered into the server's own store */
} Delivery;

typedef enum { MODE_SUBMIT, MODE_RELAY } SessionMode;
typedef enum { CMD_CONNECT, CMD_EHLO, CMD_AUTH, CMD_MAIL, CMD_RCPT, CMD_DATA, CMD_DOT, CMD_QUIT } Cmd;

typedef struct {
    bool live;
    SessionMode mode;
    uint32_t msg;
    uint32_t delivery;    /* MODE_RELAY */
    int32_t client, server;
    uint32_t server_ip;
    const WorldLink *link; /* client <-> server, once connected: looked up once per session,
                              not per command (a cache miss each time in a bulk run) */
    StrId server_host;    /* MX host name (for reasons) */
    Cmd cmd;              /* command in flight (or last answered) */
    uint32_t rcpt_cursor; /* recipient index (absolute) of the RCPT in flight */
    uint32_t accepted;
    int reply_code;
    StrId reply;
    bool have_slot;       /* holds one of the server's session slots */
    bool listed_checked, listed;
    uint32_t dnsbl_index;
    StrId listed_zone;
    DnsAnswer mx;         /* sorted MX list of this attempt */
    uint32_t mx_index, mx_tried;
    StrId fail_reason;    /* last connection-level failure of this attempt */
    bool fail_permanent;
    EngineEventId timer;  /* connect timeout */
    int32_t next_free;
} Session;

typedef enum {
    LOOK_MX,     /* relay session wants the domain's MX */
    LOOK_A,      /* relay session wants the current MX host's address */
    LOOK_DNSBL,  /* incoming server checks the client IP on a DNSBL */
    LOOK_SBL,    /* spam filter checks the relay IP */
} LookupPurpose;

typedef struct {
    bool live;
    LookupPurpose purpose;
    uint32_t owner;       /* session or inbound index */
    int32_t asker, resolver;
    StrId name;
    TraceQtype qtype;
    int32_t msg;          /* trace message it is for, or NONE */
    DnsAnswer ans;
    bool cached;
    int32_t next_free;
} Lookup;

/* A message accepted by an incoming server (or an outgoing server's local delivery), on its way
 * through the filter into the store. Its recipients are those of `delivery` whose txn == 1. */
typedef struct {
    uint32_t msg;
    uint32_t delivery;
    int32_t server;  /* node that accepted it */
    int32_t filter;  /* filter node or NONE */
    int32_t store;
    uint32_t relay_ip;  /* the server that handed it over (for the filter's checks) */
    bool relay_rdns;
    bool spam;
    int32_t next_free;
} Inbound;

typedef struct {
    uint32_t msg;
    uint32_t rcpt;   /* absolute recipient index */
    uint8_t folder;  /* TraceFolder */
    bool fetched, deleted;
    bool dele;       /* POP3 DELE'd in the session in progress; expunged at QUIT */
    int32_t filter;  /* the filter that judged it, or NONE */
} MailItem;

/* One per address in the world's stores: a bulk world has a million, most holding one item, so
 * the item array starts at one slot (not xgrow's eight) and the counts are 32-bit. Only a mailbox
 * that someone looks into (a client reads it, or a scripted user action names it) keeps its
 * items; the others keep only their byte count, which is all the quota check needs. */
typedef struct {
    int64_t quota_bytes, used_bytes;
    MailItem *items;
    uint32_t item_count, item_cap;
    int32_t store;
    StrId addr;
    int32_t client;  /* the client that reads it, or NONE */
    bool keep_items; /* someone looks at the items (see above) */
} Mailbox;

typedef struct {
    bool down;
    OutageMode mode;
    /* outgoing */
    int64_t scan_phase_us;
    /* incoming */
    uint32_t active, waiting;
    uint32_t *wait_queue; /* sessions waiting for a slot (FIFO ring) */
    size_t wait_head, wait_cap;
    Greylist *greylist;
    /* resolver */
    DnsCache *cache;
    /* filter */
    Bayes *bayes;
    /* client */
    bool poll_armed, fetching;
    int64_t poll_phase_us;
    int32_t mailbox;      /* mailbox it reads, or NONE */
    uint8_t fetch_phase;  /* FetchPhase of the session in progress */
    uint32_t fetch_tag;   /* IMAP command tag counter / POP3 message number */
    int32_t fetch_item;   /* item being downloaded, or NONE */
} NodeState;

struct Sim {
    World *w;
    StrPool *sp; /* the world's pool */
    Engine *eng;
    Rng rng;
    Trace *trace; /* NULL with no_trace */
    SimStats stats;
    uint64_t max_events;
    uint64_t max_trace_events;
    DnsDb *dns;
    NodeState *nodes;
    Msg *msgs;
    size_t msg_count, msg_cap;
    int32_t msg_free;
    Rcpt *rcpts;
    size_t rcpt_count, rcpt_cap;
    int32_t rcpt_free[SIM_RCPT_REUSE_MAX + 1]; /* by range length; linked through `inbound` */
    uint64_t settled[RS_DROPPED + 1];          /* recipients of freed messages, by RcptState */
    Delivery *deliveries;
    size_t delivery_count, delivery_cap;
    int32_t delivery_free;
    Session *sessions;
    size_t session_count, session_cap;
    int32_t session_free;
    Lookup *lookups;
    size_t lookup_count, lookup_cap;
    int32_t lookup_free;
    Inbound *inbound;
    size_t inbound_count, inbound_cap;
    int32_t inbound_free;
    Mailbox *mailboxes;
    size_t mailbox_count;
    uint32_t *mailbox_index; /* open addressing: address StrId -> mailbox + 1 */
    size_t mailbox_index_size;
    PairMap links;           /* {a, b} -> the world's link between them */
    uint32_t *ip_index;      /* open addressing: incoming server IP -> node + 1 */
    size_t ip_index_size;
    struct DomainCacheEntry *domain_cache; /* see sim_domain_of */
    char scratch[8192];      /* formatting buffer for one trace line at a time */
};

/* ---- sim.c: shared helpers ---- */
/* True when a trace is kept. Text that only the trace shows (command lines, headers, DNS answer
 * texts) is formatted only then; everything that draws random numbers runs either way, so a run
 * with and without a trace takes the same course. */
static inline bool sim_tracing(const Sim *sim)
{
    return sim->trace != NULL;
}

const char *sim_str(const Sim *sim, StrId id);
/* Appends a trace event (the trace must exist); `msg` is a Msg index or NONE; strings are
 * C strings copied into the trace's pool. Returns the event index. Call it through sim_emit. */
uint32_t sim_record(Sim *sim, TraceKind kind, int32_t from, int32_t to, int32_t msg,
                    int64_t arrive_us, const char *text, const char *aux, int32_t num,
                    int32_t num2, uint8_t sub, uint16_t flags);
/* sim_record when a trace is kept, nothing otherwise. A macro so that without a trace its
 * arguments (string look-ups, formatted texts) are not even evaluated: in a benchmark-sized run
 * those look-ups are cache misses on every event. Arguments must have no side effects. */
#define sim_emit(sim, ...) ((void)(sim_tracing(sim) ? sim_record((sim), __VA_ARGS__) : 0u))
/* Time for `bytes` to cross the link between a and b, starting now: latency + jitter + size. */
int64_t sim_link_delay(Sim *sim, int32_t a, int32_t b, int64_t bytes);
/* The same in two steps, for a caller that crosses one link many times (an SMTP session): the
 * link between a and b (the world's default link when none is stated; owned by the world), and
 * the time over it. */
const WorldLink *sim_link(const Sim *sim, int32_t a, int32_t b);
int64_t sim_link_time(Sim *sim, const WorldLink *link, int64_t bytes);
/* Adds a header line to msg at node (a trace "header" event). */
void sim_add_header(Sim *sim, uint32_t msg, int32_t node, const char *line);
/* Reference counting of messages (see Msg): take one for every record or pending event that
 * names the message; the last release frees it. */
void sim_msg_hold(Sim *sim, uint32_t msg);
void sim_msg_release(Sim *sim, uint32_t msg);
/* The message's id: `id`, or "<id>.<k>" for copy k of a mailing (interned on demand: a bulk run
 * without a trace never needs most of them). */
StrId sim_msg_id(Sim *sim, uint32_t msg);
/* The message's body text (valid while the message is held). */
const char *sim_msg_body(const Sim *sim, uint32_t msg);
/* Creates a message (and its trace row + compose event at `origin`) with no reference yet: the
 * caller hands it on (a session, a queue) before anything else runs. */
uint32_t sim_new_msg(Sim *sim, StrId id, uint32_t copy, StrId sender, StrId subject,
                     StrId body, int64_t size_bytes, int32_t origin, int32_t parent,
                     const StrId *rcpts, uint32_t rcpt_count, bool has_date);
/* Slot pools (sessions, look-ups, inbound copies): a growable array whose free slots are chained
 * through each record's `next_free` field (at byte offset `next_off`). Take returns a zeroed slot
 * with next_free = NONE; give puts slot i back. Indices stay valid; pointers do not survive a
 * take (the array may move). */
uint32_t sim_pool_take(void **items, size_t *count, size_t *cap, int32_t *free_head,
                       size_t item_size, size_t next_off);
void sim_pool_give(void *items, int32_t *free_head, size_t item_size, size_t next_off, uint32_t i);
int32_t sim_mailbox_of(const Sim *sim, StrId addr); /* mailbox index or NONE */
int32_t sim_incoming_at(const Sim *sim, uint32_t ip); /* incoming server with that IP, or NONE */
const char *sim_node_name(const Sim *sim, int32_t node);

/* ---- sim_relay.c ---- */
/* Starts a DNS look-up: a query travels from `asker` to `resolver`, the answer comes back, and
 * the look-up's purpose decides who continues (see LookupPurpose). */
void relay_lookup(Sim *sim, LookupPurpose purpose, uint32_t owner, int32_t asker,
                  int32_t resolver, StrId name, TraceQtype qtype, int32_t msg);
/* A message has been accepted by outgoing server `server` (from a client or a DSN). */
void relay_enqueue(Sim *sim, uint32_t msg, int32_t server);
/* Starts the client -> outgoing server submission dialogue for msg. */
void relay_submit(Sim *sim, uint32_t msg, int32_t client, int32_t server);
/* Hands msg from a pickup client (ClientCfg.pickup) to its server's queue without SMTP. */
void relay_pickup(Sim *sim, uint32_t msg, int32_t client, int32_t server);

/* ---- sim_store.c ---- */
/* A message was accepted for the recipients of `delivery` whose txn == 1, at `server`: carry it
 * through the filter (if any) into `store`. */
void store_accept(Sim *sim, uint32_t msg, uint32_t delivery, int32_t server, int32_t filter,
                  int32_t store, uint32_t relay_ip, bool relay_rdns);
/* A DNS answer for the spam filter's SBL look-up of inbound `owner`. */
void store_sbl_answer(Sim *sim, uint32_t owner, const DnsAnswer *ans);
void store_user_action(Sim *sim, const Action *a);
void store_client_fetch(Sim *sim, int32_t client);
void store_arm_poll(Sim *sim, int32_t client);

#endif
