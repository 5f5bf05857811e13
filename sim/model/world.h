/* world: the static description of one simulation — what a scenario file says, validated and
 * resolved to indices — and nothing that changes while it runs.
 *
 * Owns: nodes with their per-role configuration, links, DNS records, message specs, scripted
 * actions, caption rules, expectations and questions, and the strings they use (one StrPool).
 * Produced by the scenario loader (which fills it and calls world_finalize), read by the
 * simulation and the expect checker. Every default comes from docs/design/mail-facts.md and
 * is set by world_node_defaults / world_create, so a loader only overrides what a file states.
 *
 * Units: times are microseconds (`_us`), sizes bytes (`_bytes`), scores thousandths (`_milli`),
 * IPv4 addresses host-order uint32.
 */
#ifndef MAILSIM_WORLD_H
#define MAILSIM_WORLD_H

#include "mail/rules.h"  /* SpamRule (FilterCfg) */
#include "mail/status.h" /* RcptStatus (ExpectMsg); text/ and view/ get both from here */
#include "trace/trace.h"
#include "util/strpool.h"

#include <stdbool.h>
#include <stdint.h>

#define US_PER_S INT64_C(1000000)
#define US_PER_MS INT64_C(1000)

/* ---- retry schedules (outgoing queue) ---- */
typedef enum {
    RETRY_POSTFIX, /* wait = time in queue, clamped to [min_backoff, max_backoff], on queue runs */
    RETRY_EXIM,    /* F,2h,15m; G,16h,1h,1.5; F,4d,6h */
    RETRY_FIXED,   /* the listed waits, the last one repeating */
} RetryStyle;

#define RETRY_MAX_FIXED 16

typedef struct {
    RetryStyle style;
    int64_t queue_run_us;     /* Postfix queue_run_delay (300 s) */
    int64_t min_backoff_us;   /* minimal_backoff_time (300 s) */
    int64_t max_backoff_us;   /* maximal_backoff_time (4000 s) */
    int64_t lifetime_us;      /* maximal_queue_lifetime (5 d), then bounce */
    int64_t delay_warning_us; /* delay_warning_time; 0 = off */
    uint32_t fixed_count;
    int64_t fixed_us[RETRY_MAX_FIXED];
} RetryPolicy;

/* ---- per-role configuration ---- */
typedef enum { ACCESS_IMAP, ACCESS_POP3 } AccessProto;
typedef enum { QUOTA_TEMPORARY, QUOTA_PERMANENT } QuotaPolicy;

typedef struct {
    StrId address;       /* "alice@a.example" */
    StrId display_name;  /* "Alice Liddell" or STR_EMPTY */
    int32_t submit_to;   /* outgoing node it submits to, or -1 (cannot send) */
    int32_t store;       /* store node it reads from, or -1 (reads nothing) */
    int64_t poll_us;     /* mail check interval (Thunderbird: 600 s); 0 = only scripted fetches */
    AccessProto access;  /* IMAP (default) or POP3 */
    bool idle;           /* IMAP IDLE: the store pushes new mail at once */
    bool pickup;         /* a program on submit_to's own host (a mailing-list manager) that hands
                            messages over with the sendmail command: Postfix's maildrop, pickup
                            and cleanup, no SMTP submission */
    /* An address verifier (a bulk-email verification service): it probes each address of
     * `verify` in turn, from verify_at_us on, over DNS (through `resolver`) and SMTP to the
     * domain's MX, and never sends a message (sim_verify.c). */
    uint32_t verify_count;
    StrId *verify;        /* the addresses to probe, as given (possibly malformed) */
    int32_t resolver;     /* resolver for its MX and A look-ups, or -1 */
    bool vrfy;            /* it also tries VRFY first (which Postfix answers 502 5.5.1) */
    int64_t verify_at_us; /* when it starts (1 s) */
} ClientCfg;

typedef struct {
    int32_t resolver;           /* resolver node used for MX/A look-ups */
    RetryPolicy retry;
    int64_t connect_timeout_us; /* Postfix smtp_connect_timeout: 30 s */
    int64_t process_us;         /* time to handle one step (queue manager, cleanup) */
    uint32_t max_mx_tries;      /* smtp_mx_address_limit: MX addresses (not hosts) tried per
                                   attempt before deferring (5) */
    uint32_t mx_session_limit;  /* smtp_mx_session_limit: SMTP sessions per attempt that got past
                                   the greeting and EHLO (2); 0 = no limit */
    bool defer_if_no_mx_address; /* smtp_defer_if_no_mx_address_found (no): when no MX host has an
                                    address, defer (4.4.4) instead of bouncing (5.4.4) */
    uint32_t recipient_limit;   /* default_destination_recipient_limit: recipients per delivery
                                   (one SMTP transaction) (50) */
    bool checks_size;           /* the SMTP client compares the message with the SIZE in the
                                   server's EHLO reply and sends no MAIL when it is too big
                                   (Postfix: always); false = a client that announces SIZE= at
                                   MAIL and lets the server refuse it (552 5.3.4) */
    int64_t size_limit_bytes;   /* message_size_limit of its own SMTP service (submission):
                                   10 240 000 */
    bool connection_cache;      /* smtp_connection_cache_on_demand (yes): with back-to-back mail
                                   for one destination, keep the session open and reuse it */
    int64_t cache_time_us;      /* smtp_connection_cache_time_limit: an idle cached session is
                                   closed after this long (2 s) */
    bool pipelining;            /* send MAIL, RCPT and DATA without waiting for each reply when
                                   the server offers PIPELINING (Postfix: always) */
    uint32_t notify_classes;    /* Postfix notify_classes: which problems are reported to the
                                   postmaster, a set of (1 << NotifyClass); resource, software */
    int64_t scan_phase_us;      /* when its deferred-queue scans fall within queue_run_delay
                                   (its queue manager's start); -1 = drawn from the seed */
    bool rdns;                  /* the server's IP has a matching PTR (else RDNS_NONE fires) */
    uint32_t local_domain_count;
    StrId *local_domains;       /* domains delivered locally (Postfix mydestination) */
    int32_t local_store;        /* store for local deliveries, or -1 */
} OutgoingCfg;

/* Postfix's notify_classes (postconf(5)), in its order. */
typedef enum {
    NOTIFY_BOUNCE, NOTIFY_2BOUNCE, NOTIFY_DATA, NOTIFY_DELAY, NOTIFY_POLICY, NOTIFY_PROTOCOL,
    NOTIFY_RESOURCE, NOTIFY_SOFTWARE, NOTIFY_CLASS_COUNT
} NotifyClass;
#define WORLD_NOTIFY_DEFAULT ((1u << NOTIFY_RESOURCE) | (1u << NOTIFY_SOFTWARE))

/* Where in the SMTP dialogue a scripted reply replaces the server's own (ScriptedReply). */
typedef enum { STAGE_GREETING, STAGE_MAIL, STAGE_RCPT, STAGE_DATA, STAGE_DOT, STAGE_COUNT } ScriptStage;

/* An incoming server told to answer one command with a fixed refusal, whatever its checks would
 * say: a 421 or 554 greeting, a 451 at MAIL, a 452 at RCPT, a 554 after the final dot. It
 * applies to the commands at `at` that match every field set, from `from_us` until `until_us`,
 * to the first `times` of them (0 = all). */
typedef struct {
    ScriptStage at;
    int32_t code;       /* 400 ... 599 */
    StrId reply;        /* the whole reply, "451 4.3.0 Temporary failure" */
    StrId sender;       /* envelope sender to match, or STR_EMPTY */
    StrId rcpt;         /* recipient to match (at RCPT only), or STR_EMPTY */
    uint32_t times;     /* 0 = every match */
    int64_t from_us, until_us; /* until INT64_MAX = for ever */
} ScriptedReply;

typedef struct {
    bool cache;               /* keep answers for their TTL */
    int64_t hit_min_us, hit_max_us;   /* cache hit latency: 1-20 ms */
    int64_t miss_min_us, miss_max_us; /* cold recursive look-up: 100-400 ms */
    int64_t timeout_us;       /* resolver gives up on a silent server (answers TIMEOUT) */
    int64_t negative_ttl_us;  /* SOA minimum for NXDOMAIN caching (RFC 2308) */
} ResolverCfg;

typedef struct {
    uint32_t domain_count;
    StrId *domains;       /* domains this server accepts mail for */
    int32_t store;        /* where accepted mail goes (through the filter when there is one) */
    int32_t filter;       /* spam filter node, or -1 */
    int32_t resolver;     /* resolver for DNSBL look-ups, or -1 */
    uint32_t dnsbl_count;
    StrId *dnsbl;         /* DNSBL zones checked at RCPT ("zen.example") */
    uint32_t *dnsbl_answer; /* per zone (NULL: none set): the A answer that counts as listed,
                               Postfix's reject_rbl_client zone=127.0.0.4; 0 = any 127.0.0.0/8 */
    bool greylist;
    int64_t greylist_delay_us;      /* postgrey --delay: 300 s */
    int64_t greylist_max_age_us;    /* postgrey --max-age: 35 d */
    int64_t greylist_retry_window_us; /* postgrey --retry-window: 2 d; a first retry later than
                                         this after the first sighting counts as a new triplet */
    uint32_t greylist_auto_whitelist; /* passes before the client is whitelisted: 5 */
    int32_t greylist_code;          /* reply code of the deferral: 450 (Postfix's
                                       defer_if_permit_code) or 451 */
    uint32_t greylist_client_count;
    uint32_t *greylist_clients;     /* postgrey whitelist_clients: IPv4 addresses never greylisted */
    uint32_t greylist_rcpt_count;
    StrId *greylist_rcpts;          /* postgrey whitelist_recipients: addresses, or domains
                                       (every address in them), never greylisted */
    int64_t size_limit_bytes;       /* message_size_limit: 10 240 000 (its EHLO SIZE) */
    bool advertise_size;            /* its EHLO reply offers SIZE (Postfix: yes); without it the
                                       client sends no SIZE= and the limit is applied after DATA */
    bool pipelining;                /* its EHLO reply offers PIPELINING (Postfix: yes) */
    uint32_t script_count;
    ScriptedReply *scripts;         /* in file order; the first that applies wins */
    QuotaPolicy quota;              /* over quota: 452 4.2.2 (temporary) or 552 5.2.2 */
    uint32_t concurrency;           /* simultaneous SMTP sessions */
    uint32_t backlog;               /* connections waiting for a session; beyond: 421 */
    int64_t process_us;             /* time to answer one SMTP command */
} IncomingCfg;

typedef struct {
    int32_t required_milli;          /* required_score 5.0 */
    int32_t score_milli[RULE_COUNT]; /* by SpamRule (mail/rules.h) */
    int64_t scan_us;                 /* 0.1-2 s */
    uint32_t max_links;              /* MANY_LINKS fires above this many URLs */
    uint32_t uribl_count;
    StrId *uribl;                    /* domains on the URI blocklist */
    uint32_t bad_tld_count;
    StrId *bad_tlds;                 /* "xyz", "top", ... */
    StrId sbl_zone;                  /* IP blocklist zone for RCVD_IN_SBL, or STR_EMPTY */
    int32_t resolver;                /* resolver for SBL look-ups, or -1 */
    bool bayes;                      /* Bayes classifier on */
    uint32_t bayes_min_spam, bayes_min_ham; /* trained messages before Bayes votes (200/200) */
    bool autolearn;
    int32_t autolearn_ham_milli, autolearn_spam_milli; /* 0.1 and 12.0 */
    int32_t store;                   /* where scanned mail goes */
} FilterCfg;

typedef struct {
    StrId address;
    int64_t quota_bytes;  /* mailbox_size_limit 51 200 000; 0 = no quota */
    int64_t used_bytes;   /* already used when the scenario starts */
} MailboxCfg;

typedef struct {
    uint32_t mailbox_count;
    MailboxCfg *mailboxes;
    int64_t deliver_us; /* local delivery agent time (maildir tmp/ -> new/) */
    bool catch_all;     /* every address at the domains of the incoming servers in front of it
                           exists: mail for an unknown one goes to its first mailbox (a catch-all
                           alias, Postfix virtual_alias_maps "@b.example bob@b.example") */
} StoreCfg;

typedef struct {
    StrId name;  /* host name / id */
    StrId label; /* display label or STR_EMPTY */
    uint32_t ip; /* 0 = none */
    NodeKind kind;
    bool has_pos;
    float x, y;
    union {
        ClientCfg client;
        OutgoingCfg out;
        ResolverCfg res;
        IncomingCfg in;
        FilterCfg filter;
        StoreCfg store;
    } u;
} WorldNode;

typedef struct {
    int32_t a, b;
    int64_t latency_us;      /* one way */
    int64_t bandwidth_bps;   /* bits per second */
    int64_t jitter_us;       /* uniform extra delay in [0, jitter] per packet */
    bool implicit;           /* made by world_finalize, not stated in the file */
} WorldLink;

/* ---- DNS ---- */
/* The record types a scenario may state. The simulation's hosts are IPv4 only (Postfix with
 * inet_protocols = ipv4): AAAA records are answered when asked for, never used to connect. */
typedef enum { DNS_A, DNS_MX, DNS_AAAA, DNS_CNAME, DNS_TXT, DNS_PTR, DNS_NS, DNS_SOA } DnsType;

typedef struct {
    StrId name;     /* owner name, lower case, no trailing dot ("66.2.0.192.in-addr.arpa" for
                       a PTR) */
    DnsType type;
    uint16_t pref;  /* MX preference */
    StrId host;     /* MX exchange ("." for a null MX, RFC 7505); CNAME, PTR and NS target; SOA
                       primary server (MNAME) */
    uint32_t addr;  /* A address */
    StrId text;     /* TXT data; an AAAA address as written ("2001:db8::25") */
    int64_t ttl_us;
    int64_t soa_minimum_us; /* SOA MINIMUM: with the SOA's TTL, the zone's negative TTL */
} DnsRecord;

/* ---- messages and actions ---- */
typedef struct {
    StrId name;
    int64_t size_bytes;
} Attachment;

typedef struct {
    StrId id;          /* "m1" */
    StrId from;        /* sender address */
    uint32_t to_count;
    StrId *to;         /* recipient addresses */
    StrId subject;
    StrId body;
    uint32_t attachment_count;
    Attachment *attachments;
    bool no_date;      /* client forgets the Date: header (MISSING_DATE) */
    int64_t size_bytes; /* computed: headers + body + base64 attachments, or stated */
    /* A list manager's mailing (Sympa, Mailman with personalisation): one copy per recipient,
     * each with its own envelope, so a bounce names the one subscriber it is about. Copy k
     * (from 1) is "<id>.<k>", handed over at at + (k - 1) * every_us. */
    bool one_per_recipient;
    int64_t every_us;
} MessageSpec;

typedef enum {
    ACT_SEND,          /* spec: a message is composed and submitted */
    ACT_OUTAGE,        /* node down over [at, until): mode refuse or timeout */
    ACT_DNS_FAILURE,   /* name's authoritative servers fail over [at, until): rcode */
    ACT_MARK_SPAM,     /* user clicks "spam" on message `msg` */
    ACT_MARK_NOT_SPAM, /* user clicks "not spam" */
    ACT_DELETE,        /* user deletes message `msg`, or frees `bytes` of old mail */
    ACT_FETCH,         /* user's client checks mail now */
    /* What a teacher changes mid-run (docs/scenario-format.md, "actions"): */
    ACT_OUTAGE_END,      /* every outage covering `node` ends now: it is back up */
    ACT_DNS_FAILURE_END, /* every DNS failure window covering `name` ends now */
    ACT_MAILBOX_FULL,    /* mailbox `name` fills up to its quota */
    ACT_MAILBOX_FREE,    /* mailbox `name` is emptied of old mail (used size 0) */
    ACT_BLOCKLIST_ADD,   /* `ip` is listed in blocklist zone `name` from now on */
    ACT_BLOCKLIST_REMOVE, /* `ip` is no longer listed in zone `name` */
    ACT_KIND_COUNT
} ActionKind;

typedef enum { OUTAGE_REFUSE, OUTAGE_TIMEOUT } OutageMode;

typedef struct {
    int64_t at_us;
    ActionKind kind;
    uint32_t spec;    /* ACT_SEND: index into specs */
    int32_t node;     /* ACT_OUTAGE */
    int64_t until_us; /* ACT_OUTAGE, ACT_DNS_FAILURE: end; INT64_MAX = never */
    OutageMode mode;  /* ACT_OUTAGE */
    StrId name;       /* ACT_DNS_FAILURE(_END): domain; user actions: the user's address;
                         ACT_MAILBOX_*: the mailbox address; ACT_BLOCKLIST_*: the zone */
    TraceRcode rcode; /* ACT_DNS_FAILURE */
    StrId msg;        /* user actions: message id */
    int64_t bytes;    /* ACT_DELETE without msg */
    uint32_t ip;      /* ACT_BLOCKLIST_*: the listed address */
} Action;

/* ---- captions and expectations ---- */
typedef struct {
    int64_t at_us; /* match the first event at or after this time, or -1 */
    int kind;      /* TraceKind to match, or -1 */
    StrId msg;     /* message id to match, or STR_EMPTY */
    int32_t code;  /* SMTP reply code to match, or 0 */
    int32_t node;  /* node (from or to) to match, or -1 */
    StrId text;
} CaptionRule;

typedef struct {
    StrId msg;             /* message id ("m1", "m1-dsn") */
    StrId rcpt;            /* recipient, or STR_EMPTY = every recipient of msg */
    int status;            /* RcptStatus (mail/status.h) or ST_ANY */
    int folder;            /* TraceFolder or -1 */
    int32_t attempts_min, attempts_max; /* -1 = unchecked */
    int64_t final_min_us, final_max_us; /* final_s bounds, -1 = unchecked */
    StrId reply_contains;  /* substring of the last reply, or STR_EMPTY */
    int fetched;           /* 1 = the recipient's client downloaded it, 0 = not, -1 unchecked */
    uint32_t path_index;   /* index in expect.messages, for error messages */
} ExpectMsg;

/* Which trace events something is about: an event matches when it matches every field set. The
 * grammar of expect.events, of a question's "before" and of its "check" (text/evmatch.h). */
typedef struct {
    int kind;              /* TraceKind, or -1 */
    StrId msg;             /* message id, or STR_EMPTY */
    int32_t from, to;      /* node or -1 */
    int32_t code;          /* SMTP reply code, or 0 */
    int qtype;             /* DNS TraceQtype, or -1 */
    StrId text_contains;   /* substring of the event's text, or STR_EMPTY */
} EventSelector;

typedef struct {
    EventSelector sel;
    int64_t count_min, count_max; /* -1 = unbounded */
    uint32_t path_index;
} ExpectEvent;

/* ---- questions ("ask"): predict, then reveal ---- */
#define QUESTION_MAX_CHOICES 4

/* A question put to the class just before the `nth` event matching `before`. Its answer,
 * choices[answer], is true when an event matching `check` happens after that moment (the
 * `before` event itself included: the reply a question is asked before is usually the very
 * event that answers it). */
typedef struct {
    EventSelector before;
    uint32_t nth;          /* from 1 */
    StrId question;
    uint32_t choice_count; /* 2 .. QUESTION_MAX_CHOICES */
    StrId choices[QUESTION_MAX_CHOICES];
    uint32_t answer;       /* index into choices */
    StrId explain;         /* or STR_EMPTY */
    EventSelector check;
    uint32_t path_index;   /* index in "ask", for messages ("$.ask[2]") */
} Question;

typedef struct World World;
struct World {
    StrPool *strings;
    char *file;          /* the scenario file it came from */
    StrId name;          /* scenario name (file stem) */
    StrId title, lesson;
    uint64_t seed;
    int64_t horizon_us;  /* the run stops here at the latest */
    WorldLink default_link;

    uint32_t node_count, node_cap;
    WorldNode *nodes;
    uint32_t link_count, link_cap;
    WorldLink *links;
    uint32_t record_count, record_cap;
    DnsRecord *records;
    uint32_t spec_count, spec_cap;
    MessageSpec *specs;
    uint32_t action_count, action_cap;
    Action *actions;
    uint32_t caption_count, caption_cap;
    CaptionRule *captions;
    uint32_t expect_msg_count, expect_msg_cap;
    ExpectMsg *expect_msgs;
    uint32_t expect_event_count, expect_event_cap;
    ExpectEvent *expect_events;
    uint32_t question_count, question_cap;
    Question *questions;
};

/* An empty world with defaults (seed 1, horizon 7 days, default link 20 ms / 100 Mbit/s).
 * Never returns NULL. */
World *world_create(void);
/* Frees the world and everything in it; world_destroy(NULL) is a no-op. */
void world_destroy(World *w);

/* Appends a node of `kind` with every field at its mail-facts default; returns its index. The
 * returned pointer is valid until the next world_add_* call. */
int32_t world_add_node(World *w, NodeKind kind, StrId name);
WorldLink *world_add_link(World *w);
DnsRecord *world_add_record(World *w);
MessageSpec *world_add_spec(World *w);
Action *world_add_action(World *w);
CaptionRule *world_add_caption(World *w);
ExpectMsg *world_add_expect_msg(World *w);
ExpectEvent *world_add_expect_event(World *w);
Question *world_add_question(World *w);
/* An EventSelector that matches every event (no field set). */
void world_selector_init(EventSelector *s);

/* Copies `n` StrIds into a new array owned by the world (freed by world_destroy). */
StrId *world_strids(World *w, const StrId *ids, uint32_t n);

/* Index of the node named `name`, or -1. */
int32_t world_find_node(const World *w, const char *name);
/* The client whose address is `addr`, or -1. */
int32_t world_find_client(const World *w, StrId addr);
/* The mailbox for `addr` in store node `store`, or NULL. */
MailboxCfg *world_find_mailbox(const World *w, int32_t store, StrId addr);
/* The link between a and b (either direction), or the default link. */
const WorldLink *world_link(const World *w, int32_t a, int32_t b);

/* Completes a loaded world: computes message sizes, sorts actions by time (stable), adds
 * implicit links for every pair of nodes that talk (client-outgoing, server-resolver,
 * outgoing-incoming, incoming-filter-store, store-client), and gives every outgoing server with
 * an IP and `rdns` a PTR record naming it (world_ptr_name of its IP, TTL 3600 s) unless one is
 * there, so a server without `rdns` answers NXDOMAIN to a reverse look-up. Idempotent. */
void world_finalize(World *w);

/* Mail-facts defaults (also used by the loader's documentation and tests). */
void world_retry_defaults(RetryPolicy *p, RetryStyle style);
const char *world_action_name(ActionKind k);

/* The names the mail vocabulary had when it lived here (mail/status.h, mail/rules.h), for the
 * code that still spells them so. */
#define WORLD_RULE_NAMES RULE_NAMES
#define WORLD_RULE_DEFAULT_MILLI RULE_DEFAULT_MILLI
static inline const char *world_status_name(RcptStatus s)
{
    return status_name(s);
}

/* The reverse-DNS name of `ip` (RFC 1035 §3.5): "66.2.0.192.in-addr.arpa", interned in `sp`. */
StrId world_ptr_name(StrPool *sp, uint32_t ip);

/* "203.0.113.5" <-> host-order uint32. Parse returns false on anything but four 0-255 parts. */
bool world_parse_ip(const char *s, uint32_t *out);
void world_format_ip(uint32_t ip, char buf[16]);

/* The domain part of an address (after the last '@'), or "" when there is none. */
const char *world_domain_of(const char *address);

#endif
