/* sim_core: the run-time state every part of the simulation works on, and the helpers they share —
 * the trace emitter, timing over links, the message and recipient tables with their reference
 * counts, the slot pools, and the indexes from address to mailbox and from IP to incoming server.
 *
 * Owns: the definitions of the state (struct Sim and the records it holds); sim.c creates and
 * frees it. Does not own: any behaviour of the mail model. The core calls no other part of the
 * simulation; a part that must be told when something happens (an engine event, a DNS answer, the
 * end of an SMTP session) hands its handler down with the request. The parts, bottom to top:
 *   sim_core    this file
 *   sim_lookup  DNS look-ups through resolvers
 *   sim_fetch   clients reading their mailbox (IMAP, POP3)
 *   sim_store   the mail store: delivery into mailboxes
 *   sim_filter  the spam filter in front of the store
 *   sim_inbound an accepted message's way from the server through the filter into the store
 *   sim_session the SMTP session: commands, replies and the incoming server's checks
 *   sim_relay   one delivery attempt to a remote domain: MX and A look-ups, trying MX hosts
 *   sim_verify  an address verifier's probes: syntax, MX, RCPT TO without DATA, verdicts
 *   sim_queue   the outgoing queue: attempts, retries, bounces and delay warnings
 *   sim_submit  a client handing a message to its outgoing server (SMTP submission or pickup)
 *   sim_compose a client writing a message; sim_user: users acting on their mail
 *   sim         setup, scripted actions, the run loop
 * tests/cli/model_calls.sh checks that no file calls one above it.
 * Private to sim/model; outside it only its unit test (tests/core/test_sim_core.c) includes it.
 *
 * Entities live in growable arrays addressed by index; the engine's 64-bit event argument carries
 * the index. Freed slots go on free lists, so the steady state allocates nothing.
 */
#ifndef MAILSIM_SIM_CORE_H
#define MAILSIM_SIM_CORE_H

#include "engine/engine.h"
#include "engine/rng.h"
#include "model/dns.h"
#include "model/greylist.h"
#include "model/keymap.h"
#include "model/sim.h"
#include "model/spamfilter.h"
#include "model/world.h"
#include "util/pairmap.h"

#include <stdbool.h>
#include <stdint.h>

#define NONE (-1)

/* A hop into a filter or store that is down is tried again this often. */
#define SIM_BLOCKED_RETRY_US (60 * US_PER_S)

/* Where a recipient stands. */
typedef enum {
    RS_PENDING,   /* in an outgoing queue, not yet accepted by the next hop */
    RS_SENT,      /* accepted by the recipient's server, not yet in the mailbox */
    RS_DELIVERED, /* in the mailbox */
    RS_BOUNCED,
    RS_DROPPED,   /* a bounce that could not be delivered: discarded (never bounce a bounce) */
} RcptState;

/* What the current delivery attempt made of a recipient (sim_txn_of_reply). */
typedef enum {
    TXN_NONE,      /* not decided yet in this attempt (or kept for the next MX host) */
    TXN_ACCEPTED,  /* the next hop took it */
    TXN_RCPT_OK,   /* accepted at RCPT in the session in progress; taken once its DATA is */
    TXN_TRANSIENT, /* try again later (4xx, or no server could be reached) */
    TXN_PERMANENT, /* give up and bounce (5xx, or the domain takes no mail) */
} RcptTxn;

typedef struct {
    StrId addr, domain;
    uint32_t msg;
    StrId txn_reply;     /* the reason that decided `txn`, as Postfix logs it ("host mx[ip] said:
                            450 4.2.0 ... (in reply to RCPT TO command)") */
    StrId txn_status;    /* its enhanced status code ("4.4.3"), STR_EMPTY = take it from txn_diag
                            or txn_reply */
    StrId txn_diag;      /* the remote server's reply itself (a DSN's Diagnostic-Code: smtp), or
                            STR_EMPTY when the reason is the client's own (X-Postfix) */
    int32_t inbound;     /* the accepted copy carrying it to the mailbox, or NONE */
    int32_t mailbox;     /* sim_mailbox_of(addr), looked up once: with a million mailboxes each
                            look-up is a cache miss */
    uint8_t state;       /* RcptState */
    uint8_t txn;         /* RcptTxn */
    bool dsn_due;        /* bounced, its DSN not sent yet: it waits for the message's other
                            deliveries in progress (one DSN per message, as Postfix's) */
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
    uint16_t attempts_active;        /* its deliveries with an attempt in progress */
    uint16_t dsn_count, warn_count;  /* bounces and delay warnings sent about it (one per
                                        destination domain at most, and a message has at most
                                        a few thousand recipients) */
    bool has_date;
} Msg;

/* Recipient ranges of up to this many are reused when their message is settled (a free list per
 * length); longer ones, rare, are not. */
#define SIM_RCPT_REUSE_MAX 16

/* One message waiting at one outgoing server for one destination domain (sim_queue.c). A
 * slot-pool record: it lives from queue_enqueue until an attempt settles its last recipient, so a
 * bulk run holds the deliveries in its queues, not one per message ever sent. */
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

/* How a delivery attempt reports its outcome: the recipients of `delivery` carry their txn
 * marks; `remote` is the host it last talked to (STR_EMPTY = none), named in bounces. With
 * `over` false the attempt goes on to another server and only the recipients accepted so far are
 * settled; with `over` true every one is. */
typedef void (*AttemptDone)(Sim *sim, uint32_t delivery, StrId remote, bool over);

/* A message accepted by an incoming server (or an outgoing server's local delivery), on its way
 * through the filter into the store (sim_inbound.c, sim_filter.c, sim_store.c). Its recipients
 * are those of `delivery` whose txn is TXN_ACCEPTED. */
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
    bool down;       /* some outage covers the node (outages is not empty) */
    OutageMode mode; /* the mode of the outage that started last of those covering it */
    /* The outage actions begun and not yet over, in start order (indices into the world's
     * actions). One that ends below the top stays until it surfaces (Sim.action_over), so each
     * start and end costs O(1) amortised however outages nest or overlap. */
    uint32_t *outages;
    size_t outage_count, outage_cap;
    /* outgoing */
    int64_t scan_phase_us;
    KeyMap local_domains; /* StrIds of OutgoingCfg.local_domains */
    /* incoming */
    KeyMap served;        /* StrIds of the domains it accepts mail for (IncomingCfg.domains) */
    uint32_t active, waiting;
    uint32_t *wait_queue; /* sessions waiting for a slot (FIFO ring) */
    size_t wait_head, wait_cap;
    Greylist *greylist;
    uint32_t *script_hits; /* per IncomingCfg.scripts: times it has replied (sim_session.c) */
    /* resolver */
    DnsCache *cache;
    /* filter */
    Bayes *bayes;
    SpamLists *lists;     /* its URIBL and suspicious TLDs, indexed */
    /* client */
    bool poll_armed, fetching;
    int64_t poll_phase_us;
    int32_t mailbox;      /* mailbox it reads, or NONE */
    uint8_t fetch_phase;  /* FetchPhase of the session in progress (sim_fetch.c) */
    uint32_t fetch_tag;   /* IMAP command tag counter / POP3 message number */
    int32_t fetch_item;   /* item being downloaded, or NONE */
} NodeState;

typedef struct Session Session; /* sim_session.h */
typedef struct Lookup Lookup;   /* private to sim_lookup.c */
typedef struct ConnDest ConnDest; /* private to sim_conncache.c */

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
    bool *action_over;  /* by action: an outage or DNS failure that has ended (see
                           NodeState.outages), on its own or by an intervention */
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
    ConnDest *dests;         /* connection cache per (outgoing server, domain): sim_conncache.c */
    size_t dest_count, dest_cap;
    KeyMap dest_index;       /* server << 32 | domain -> index in dests */
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
    uint32_t stats_probes;   /* address probes made so far (sim_verify.c names them probe<N>) */
    char scratch[8192];      /* formatting buffer for one trace line at a time */
};

/* ---- trace emission ---- */

/* True when a trace is kept. Text that only the trace shows (command lines, headers, DNS answer
 * texts) is formatted only then; everything that draws random numbers runs either way, so a run
 * with and without a trace takes the same course. */
static inline bool sim_tracing(const Sim *sim)
{
    return sim->trace != NULL;
}

/* One trace event as the model states it. `kind`, `from`, `to`, `msg` and `arrive_us` are always
 * given (NONE, TRACE_NO_TIME when there is none: 0 is a node and a message); the rest default to
 * zero / NULL. Strings are C strings, copied into the trace's pool. */
typedef struct {
    TraceKind kind;
    int32_t from, to;  /* nodes, or NONE */
    int32_t msg;       /* a Msg index (not a trace message index), or NONE */
    int64_t arrive_us; /* when it arrives at `to`, or TRACE_NO_TIME when it does not travel */
    const char *text, *aux;
    int32_t num, num2; /* num2 within TRACE_NUM2_MIN..TRACE_NUM2_MAX */
    uint8_t sub;       /* TraceSide, TraceVerdict, TraceFolder or TraceConn, by kind */
    uint16_t flags;    /* TRACE_F_* */
} SimEvent;

/* Appends a trace event (the trace must exist) and returns its index. Call it through sim_emit. */
uint32_t sim_record(Sim *sim, const SimEvent *ev);
/* sim_emit(sim, .kind = TK_HOP, .from = a, .to = b, .msg = m, .arrive_us = t, .text = "...")
 * records the event when a trace is kept, and does nothing otherwise. A macro so that without a
 * trace the field values (string look-ups, formatted texts) are not even evaluated: in a
 * benchmark-sized run those look-ups are cache misses on every event. Values must have no side
 * effects. */
#define sim_emit(sim, ...) \
    ((void)(sim_tracing(sim) ? sim_record((sim), &(SimEvent){ __VA_ARGS__ }) : 0u))

/* ---- names and nodes ---- */

const char *sim_str(const Sim *sim, StrId id);
const char *sim_node_name(const Sim *sim, int32_t node);

static inline const WorldNode *sim_node(const Sim *sim, int32_t node)
{
    return &sim->w->nodes[node];
}

/* Time an outgoing or incoming server takes for one step (0 for other nodes). */
int64_t sim_process_us(const Sim *sim, int32_t node);

/* ---- timing over links ---- */

/* Time for `bytes` to cross the link between a and b, starting now: latency + jitter + size. */
int64_t sim_link_delay(Sim *sim, int32_t a, int32_t b, int64_t bytes);
/* The same in two steps, for a caller that crosses one link many times (an SMTP session): the
 * link between a and b (the world's default link when none is stated; owned by the world), and
 * the time over it. */
const WorldLink *sim_link(const Sim *sim, int32_t a, int32_t b);
int64_t sim_link_time(Sim *sim, const WorldLink *link, int64_t bytes);
/* Message msg travels the link from -> to as a whole (a "hop" event saying `what`); `then` runs
 * with `arg` when it has arrived. */
void sim_hop(Sim *sim, uint32_t msg, int32_t from, int32_t to, const char *what,
             EngineHandler then, uint64_t arg);

/* ---- messages and recipients ---- */

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
/* What a reply code means for the recipients it answers (RFC 5321 §4.2.1): 2xx accepted, 5xx
 * permanent, anything else transient. The one rule every part of the model uses. */
RcptTxn sim_txn_of_reply(int code);
/* Marks the recipients in [first, first + count) that are still pending and still undecided in
 * this attempt (TXN_NONE) with `txn`, `reply` and `status` (a failure before RCPT, or the last
 * error of an attempt, decides all those that no server has answered yet); a recipient already
 * decided by an earlier server of the attempt keeps its mark. */
void sim_rcpts_mark(Sim *sim, uint32_t first, uint32_t count, RcptTxn txn, StrId reply,
                    StrId status);

/* ---- pools and indexes ---- */

/* Slot pools (sessions, look-ups, inbound copies): a growable array whose free slots are chained
 * through each record's `next_free` field (at byte offset `next_off`). Take returns a zeroed slot
 * with next_free = NONE; give puts slot i back. Indices stay valid; pointers do not survive a
 * take (the array may move). */
uint32_t sim_pool_take(void **items, size_t *count, size_t *cap, int32_t *free_head,
                       size_t item_size, size_t next_off);
void sim_pool_give(void *items, int32_t *free_head, size_t item_size, size_t next_off, uint32_t i);
/* Builds the link map, the IP index, the mailboxes with their address index and the domain cache
 * from the world (sim_create; sim_destroy frees them). Draws no random numbers. */
void sim_index_world(Sim *sim);
int32_t sim_mailbox_of(const Sim *sim, StrId addr); /* mailbox index or NONE */
int32_t sim_incoming_at(const Sim *sim, uint32_t ip); /* incoming server with that IP, or NONE */
/* Is `domain` among those incoming server `node` accepts mail for? O(1). */
bool sim_serves_domain(const Sim *sim, int32_t node, StrId domain);
/* Is `domain` among outgoing server `node`'s local domains? O(1). */
bool sim_is_local_domain(const Sim *sim, int32_t node, StrId domain);

#endif
