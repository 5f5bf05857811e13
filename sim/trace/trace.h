/* trace: the append-only record of everything that happened in one run — the single source of
 * truth that every view reads (narrator, JSONL writer, summary, expect checker, player, replay).
 *
 * Owns: the event array, the message table (ids, envelope, recipients), the static topology the
 * run used (nodes and links, so a recorded trace replays without its scenario), run metadata
 * (scenario name, title, lesson, seed) and the strings all of those refer to (one StrPool).
 * Does not own: anything of the engine or the mail model; it never calls back into them.
 *
 * Events are appended in non-decreasing time order (asserted). An event that travels a link has
 * `arrive_us` >= `t_us`; others have arrive_us == TRACE_NO_TIME. Memory: one 40-byte record per
 * event plus the interned strings; appending allocates only when an array doubles.
 */
#ifndef MAILSIM_TRACE_H
#define MAILSIM_TRACE_H

#include "util/strpool.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_NO_TIME INT64_MIN
#define TRACE_NONE (-1) /* no node / no message */

/* Node roles, shared by the world (model) and every view. Order = left-to-right layout order. */
typedef enum {
    NODE_CLIENT,   /* a user's mail client (MUA) */
    NODE_OUTGOING, /* an outgoing server: submission + queue + SMTP client (MTA) */
    NODE_RESOLVER, /* a recursive DNS resolver with a cache */
    NODE_INCOMING, /* an incoming (MX) server: SMTP server + policy checks */
    NODE_FILTER,   /* a spam filter (SpamAssassin-style) */
    NODE_STORE,    /* a mail store: mailboxes with folders, served over POP3/IMAP */
    NODE_KIND_COUNT
} NodeKind;

typedef enum {
    TK_COMPOSE, /* a client composes a message; creates the message-table row */
    TK_HEADER,  /* a header line is added to a message (text) at node `from` */
    TK_HOP,     /* a message travels from -> to over [t, arrive]; text says which hop */
    TK_QUEUE,   /* a message enters an outgoing server's queue; text = queue id */
    TK_CONN,    /* TCP connection attempt from -> to; sub = TraceConn result; text = detail */
    TK_SMTP,    /* one SMTP command (sub TRACE_ASK) or reply (sub TRACE_ANSWER, num = reply
                   code); text = line */
    TK_DNS,     /* query (sub TRACE_ASK) or answer (sub TRACE_ANSWER); aux = qname; num = qtype;
                   num2 = rcode;
                   text = answer data; flags TRACE_F_CACHED when served from cache */
    TK_SENT,    /* per recipient: accepted by the next hop; aux = rcpt; text = reply;
                   num2 = enhanced status (trace_dsn_pack), as on DEFER, BOUNCE, WARN, DELIVER */
    TK_DEFER,   /* per recipient: deferred; aux = rcpt; text = reason; arrive = next try */
    TK_RETRY,   /* a queued message is tried again; num = attempt number */
    TK_BOUNCE,  /* per recipient: given up; aux = rcpt; text = reason; num = DSN message + 1
                   (0 = no DSN: a bounce is never bounced, the recipient is dropped) */
    TK_WARN,    /* delay warning sent; aux = rcpt; text = the last error; num = DSN message + 1 */
    TK_SPAM,    /* filter verdict: num = score in thousandths; num2 = required in thousandths;
                   sub = TraceVerdict; aux = fired rules with scores
                   ("MANY_LINKS=1.5,RDNS_NONE=0.793"); text = X-Spam-Status value */
    TK_DELIVER, /* per recipient: filed into a folder (sub = TraceFolder); aux = rcpt */
    TK_FETCH,   /* mail access: POP3/IMAP line (sub TRACE_ASK client, TRACE_ANSWER server;
                   text = line), or a
                   message downloaded (msg set, aux = user) */
    TK_MOVE,    /* a user moves a message between folders (sub = new folder); aux = user */
    TK_LEARN,   /* the Bayes filter learns a message (sub = TraceVerdict) */
    TK_ACTION,  /* a scripted action takes effect (outage, DNS failure, ...); text says what */
    TK_REPORT,  /* one per-recipient block of a DSN (RFC 3464 §2.3), msg = the DSN message:
                   from = Reporting-MTA; aux = Final-Recipient; sub = TraceDsnAction; num2 =
                   Status (trace_dsn_pack); text = Diagnostic-Code ("smtp; 550 5.1.1 ..." or
                   "X-Postfix; ..."); num = Remote-MTA host name (a StrId; STR_EMPTY = none) */
    TK_VERIFY,  /* an address verifier's verdict on one address: from = the verifier; aux = the
                   address; sub = TraceVerifyVerdict; text = "<address>: <verdict> — <why>" (one
                   sentence naming both, for expectations); num2 = the enhanced status of
                   the reply that decided it (trace_dsn_pack), 0 = none; msg = its probe or none */
    TK_KIND_COUNT
} TraceKind;

/* `sub` of a protocol line (TK_SMTP, TK_DNS, TK_FETCH): the side that asks (an SMTP command, a DNS
 * query, a client's POP3/IMAP line) or the side that answers (a reply, an answer, a server line). */
typedef enum { TRACE_ASK, TRACE_ANSWER } TraceSide;
/* `sub` of TK_SPAM and TK_LEARN. */
typedef enum { VERDICT_HAM, VERDICT_SPAM } TraceVerdict;
/* `sub` of TK_REPORT: RFC 3464's Action field (the two a queue sends). */
typedef enum { DSN_ACTION_FAILED, DSN_ACTION_DELAYED } TraceDsnAction;
/* `sub` of TK_VERIFY: what a bulk-email verifier concludes about an address. */
typedef enum {
    VERIFY_DELIVERABLE, /* the server accepted it, and refused a made-up address beside it */
    VERIFY_INVALID,     /* 5xx at RCPT, bad syntax, NXDOMAIN or a null MX */
    VERIFY_RISKY,       /* accepted, but so is anything (a catch-all domain), or mailbox full */
    VERIFY_UNKNOWN,     /* no answer to go on: greylisted (4xx), timed out, refused */
    VERIFY_COUNT
} TraceVerifyVerdict;
typedef enum { CONN_OPEN, CONN_REFUSED, CONN_TIMEOUT, CONN_CLOSED, CONN_QUEUED } TraceConn;
typedef enum { FOLDER_NONE, FOLDER_INBOX, FOLDER_JUNK } TraceFolder;
typedef enum { RCODE_NOERROR, RCODE_NXDOMAIN, RCODE_SERVFAIL, RCODE_TIMEOUT, RCODE_COUNT } TraceRcode;
typedef enum { QTYPE_A, QTYPE_MX, QTYPE_PTR, QTYPE_TXT, QTYPE_AAAA, QTYPE_COUNT } TraceQtype;

#define TRACE_F_CACHED 1u /* DNS answer served from the resolver cache */
#define TRACE_F_REJECT 2u /* SMTP/fetch line that refuses something (4xx/5xx, -ERR, NO) */

/* Enhanced status codes (RFC 3463 "class.subject.detail", e.g. "4.4.3") packed into num2 as
 * class * 100000 + subject * 1000 + detail: class 2, 4 or 5, subject 0..99, detail 0..999 (RFC
 * 3463 defines subjects 0..7). 0 = none. */
#define TRACE_DSN_BUF 12
/* The packed code of `s`, or 0 when `s` is not such a code (the empty string included). */
int32_t trace_dsn_pack(const char *s);
/* "4.4.3" into buf (TRACE_DSN_BUF bytes), "" for 0. Returns buf. */
const char *trace_dsn_format(int32_t code, char *buf);

/* Limits the 40-byte event layout below imposes, said out loud: node indices fit 16 bits (the
 * loader takes at most 10 000 nodes), `num2` (a DNS rcode or a required spam score in
 * thousandths, at most 100 000) fits 22 signed bits. trace_add_node and the JSONL reader check
 * them. */
#define TRACE_MAX_NODES 32767

/* The most events one trace holds: a run stops (and is refused) once its trace reaches it, and
 * the JSONL reader refuses a file with more, so every trace a run writes reads back. It is what
 * bounds a traced run's memory: one engine event may record an event per recipient, and a run
 * holds, besides 40 bytes per event, the strings they name and the model's state. The worst legal
 * input measured (bench/bench_limits mailing_at_limit: a mailing of 214 285 copies composed at
 * once, all in flight when the trace fills) peaks at 0.26 GB, about 180 bytes of RSS per trace
 * event, 72 of them the trace's own. The limit is also what bounds time: the largest trace a run
 * keeps (1.5 M events, 235 MB of JSON Lines) is written, and read back, in about 3 s of CPU on a
 * 2-core machine (5 M events took 7 to 15 s). */
#define TRACE_MAX_EVENTS 1500000u
#define TRACE_NUM2_MAX ((1 << 21) - 1)
#define TRACE_NUM2_MIN (-(1 << 21))

/* One event, 40 bytes (a bulk run keeps millions): the two times, then 4-byte fields, then
 * 16-bit node indices and one 32-bit word holding num2, kind, sub and flags. */
typedef struct {
    int64_t t_us;
    int64_t arrive_us; /* TRACE_NO_TIME unless the event travels a link */
    int32_t msg;       /* message index or TRACE_NONE */
    StrId text, aux;
    int32_t num;
    int16_t from, to;  /* node indices or TRACE_NONE */
    signed int num2 : 22;  /* TRACE_NUM2_MIN .. TRACE_NUM2_MAX */
    unsigned int kind : 5;  /* TraceKind */
    unsigned int sub : 3;   /* TraceSide, TraceVerdict, TraceFolder or TraceConn, by kind */
    unsigned int flags : 2; /* TRACE_F_* */
} TraceEvent;

typedef struct {
    StrId name;  /* unique id, usually a host name: "mx.b.example" */
    StrId label; /* display label ("Bob's laptop"); STR_EMPTY = use name */
    StrId ip;    /* dotted quad or STR_EMPTY */
    NodeKind kind;
    bool has_pos;
    float x, y; /* scenario-given position in [0,1]x[0,1], when has_pos */
} TraceNode;

typedef struct {
    int32_t a, b;
    int64_t latency_us;
} TraceLink;

typedef struct {
    StrId id;      /* "m1"; bounces get "<orig>-dsn" */
    StrId sender;  /* envelope sender; STR_EMPTY = null sender <> (a bounce) */
    StrId subject;
    int64_t size_bytes;
    uint32_t rcpt_first, rcpt_count; /* range in the recipient array */
    int32_t parent;                  /* for a DSN: the message it reports on; else TRACE_NONE */
    int32_t client;                  /* composing node (client or outgoing server) */
} TraceMsg;

typedef struct {
    uint32_t event; /* index into the event array */
    StrId text;
} TraceCaption;

typedef struct Trace Trace;

/* Never returns NULL. */
Trace *trace_create(void);
/* Frees everything the trace owns; trace_destroy(NULL) is a no-op. */
void trace_destroy(Trace *tr);

/* The trace's string pool: every StrId in its records refers to it. */
StrPool *trace_strings(Trace *tr);
const StrPool *trace_strings_const(const Trace *tr);
const char *trace_str(const Trace *tr, StrId id);

/* Run metadata. Strings are copied. */
void trace_set_meta(Trace *tr, const char *scenario, const char *title, const char *lesson,
                    uint64_t seed);
const char *trace_scenario(const Trace *tr);
const char *trace_title(const Trace *tr);
const char *trace_lesson(const Trace *tr);
uint64_t trace_seed(const Trace *tr);

/* Topology: add nodes and links before any event refers to them. Return the new index. */
int32_t trace_add_node(Trace *tr, const TraceNode *node);
int32_t trace_add_link(Trace *tr, const TraceLink *link);
size_t trace_node_count(const Trace *tr);
const TraceNode *trace_node(const Trace *tr, int32_t i);
size_t trace_link_count(const Trace *tr);
const TraceLink *trace_link(const Trace *tr, int32_t i);
/* Node index by name, or TRACE_NONE. O(n). */
int32_t trace_find_node(const Trace *tr, const char *name);

/* Messages: `rcpts` (count n) are copied into the recipient array. Returns the message index. */
int32_t trace_add_msg(Trace *tr, const TraceMsg *msg, const StrId *rcpts, uint32_t n);
size_t trace_msg_count(const Trace *tr);
const TraceMsg *trace_msg(const Trace *tr, int32_t i);
StrId trace_msg_rcpt(const Trace *tr, int32_t msg, uint32_t k); /* k < rcpt_count */
/* Message index by id string, or TRACE_NONE. O(n). */
int32_t trace_find_msg(const Trace *tr, const char *id);

/* Appends an event (t_us must be >= the last event's). Returns its index. */
uint32_t trace_append(Trace *tr, const TraceEvent *ev);
size_t trace_count(const Trace *tr);
const TraceEvent *trace_events(const Trace *tr);
/* When the run is over: the latest event time or arrival of anything travelling (a deferral's
 * next try does not count); 0 for an empty trace. O(1). */
int64_t trace_end_time(const Trace *tr);

/* Sets (or replaces) the caption shown for event `event`. */
void trace_set_caption(Trace *tr, uint32_t event, StrId text);
/* Caption for event i, or STR_EMPTY. O(log n). */
StrId trace_caption(const Trace *tr, uint32_t event);
size_t trace_caption_count(const Trace *tr);
const TraceCaption *trace_captions(const Trace *tr);

/* A blank event of `kind` at t_us: no nodes, no message, no arrival, zero payload. */
TraceEvent trace_event_init(TraceKind kind, int64_t t_us);

/* Names used in JSONL and the narrator. */
const char *trace_kind_name(TraceKind kind);
const char *trace_node_kind_name(NodeKind kind);
const char *trace_folder_name(TraceFolder f); /* "inbox", "junk", "null" for NONE */
const char *trace_rcode_name(TraceRcode r);
const char *trace_qtype_name(TraceQtype q);
const char *trace_conn_name(TraceConn c);
const char *trace_dsn_action_name(TraceDsnAction a); /* "failed", "delayed" */
const char *trace_verify_name(TraceVerifyVerdict v); /* "deliverable", "invalid", ... */
/* Reverse look-ups: return -1 when the name is unknown. */
int trace_kind_from_name(const char *name);
int trace_node_kind_from_name(const char *name);
int trace_folder_from_name(const char *name);
int trace_rcode_from_name(const char *name);
int trace_qtype_from_name(const char *name);
int trace_conn_from_name(const char *name);
int trace_dsn_action_from_name(const char *name);
int trace_verify_from_name(const char *name);

/* Releases the arrays' growth slack once nothing more will be appended (appending still works,
 * at the cost of a reallocation). */
void trace_shrink(Trace *tr);

/* Bytes the trace holds (arrays + strings), for the memory benchmark. */
size_t trace_memory_bytes(const Trace *tr);

#endif
