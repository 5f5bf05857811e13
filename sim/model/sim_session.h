/* sim_session: one SMTP session over one TCP connection, both ends of it — the client's commands
 * and the server's replies (RFC 5321 §4.1: the greeting, EHLO, AUTH on submission, MAIL, one RCPT
 * per recipient, DATA, the dot, QUIT; with PIPELINING, MAIL, the RCPTs and DATA in one batch),
 * the server's session slots with their wait queue, and the incoming server's checks at RCPT
 * (relay permission, DNSBL, user, quota, greylisting).
 *
 * Owns the session records (a slot pool in Sim) and the dialogue. Does not own where the session
 * leads: whoever opens a session gives it handlers for a refused connection, an accepted message
 * and the end of the transaction (the relay client, sim_relay.c; the submission, sim_submit.c).
 * In a relay session the incoming server's reply to each recipient is written into its txn mark.
 * Private to sim/model.
 */
#ifndef MAILSIM_SIM_SESSION_H
#define MAILSIM_SIM_SESSION_H

#include "model/sim_core.h"

/* MODE_VERIFY: an address verifier's probe (sim_verify.c): optionally VRFY, then MAIL and the
 * RCPTs like a relay, then RSET and QUIT, never DATA. The replies go into the txn marks as in a
 * relay session. */
typedef enum { MODE_SUBMIT, MODE_RELAY, MODE_VERIFY } SessionMode;
typedef enum {
    CMD_CONNECT, CMD_EHLO, CMD_AUTH, CMD_MAIL, CMD_RCPT, CMD_DATA, CMD_DOT, CMD_QUIT, CMD_RSET,
    CMD_VRFY
} Cmd;

/* What the opener of a session is told; each gets the session's index. */
typedef struct {
    /* The connection failed before any transaction: refused, a 421 greeting, or timed out. `why`
     * is the client's log line. The session is still live: the handler frees it or connects it
     * elsewhere (session_connect). */
    void (*failed)(Sim *sim, uint32_t s, const char *why);
    /* The server greeted and answered EHLO: the session is up (Postfix counts it towards
     * smtp_mx_session_limit). Returns false when the opener ends the session here, before MAIL
     * (the message is bigger than the server's EHLO SIZE): it has marked the recipients, and the
     * session goes on to `ended` and QUIT. NULL = go on. */
    bool (*greeted)(Sim *sim, uint32_t s);
    /* The server has queued the message (its 250 after the dot is on its way). */
    void (*accepted)(Sim *sim, uint32_t s);
    /* The transaction is over, the message taken or not, and the client is about to QUIT; NULL
     * when the opener has nothing to settle. The session ends by itself after QUIT. */
    void (*ended)(Sim *sim, uint32_t s);
} SessionHandlers;

/* The most addresses one attempt walks (the world's max_mx_tries is clamped to it). */
#define SESSION_MAX_ADDRS 16

typedef struct {
    StrId host;  /* MX host name */
    uint32_t ip;
} SessionAddr;

struct Session {
    bool live;
    SessionMode mode;
    const SessionHandlers *on; /* static data of the opener */
    uint32_t msg;
    uint32_t rcpt_first, rcpt_count; /* recipients it may name at RCPT: the pending ones */
    int32_t client, server;
    uint32_t server_ip;
    int port;             /* 25 (relay) or 587 (submission) */
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
    EngineEventId timer;  /* connect timeout */
    int32_t next_free;
    /* Set by the opener: no server comes after this one in the attempt, so a 4xx reply is the
     * attempt's answer. Otherwise a 4xx leaves the recipient undecided (TXN_NONE) for the next
     * MX host and only becomes the attempt's last error (Postfix keeps the recipient for the
     * backup). Always true for a submission. */
    bool final_server;
    /* Set by the opener's `ended`: leave the connection open (no QUIT) for another transaction
     * (the connection cache); the session stays live and idle until session_reuse or
     * session_close. */
    bool keep_open;
    /* PIPELINING (RFC 2920), as Postfix's client does it: MAIL, every RCPT and DATA leave in one
     * batch; the server answers them one by one as they arrive, the replies come back in order,
     * and the message follows only after the 354 to DATA. While `batch` is set: */
    bool batch;
    uint32_t batch_rcpts;    /* RCPTs in the batch */
    uint32_t batch_answered; /* of them, answered by the server */
    int64_t batch_sent_us;   /* when the batch left the client */
    int64_t batch_delay_us;  /* its latency on the link, jitter drawn once for the batch */
    int64_t batch_bytes;     /* bytes of the batch up to and including the server's command */
    int64_t batch_reply_us;  /* when the latest reply arrives (a reply never overtakes one) */
    bool batch_mail_refused; /* its MAIL was refused: the RCPT replies count for nothing */
    /* The server's side of the transaction: it took a MAIL, and this many RCPTs since (RFC 5321
     * §3.3: DATA with none is refused, "554 5.5.1 Error: no valid recipients"). */
    bool srv_in_mail;
    uint32_t srv_rcpts;
    StrId fail_reason;    /* the attempt's last error, as Postfix logs it */
    StrId fail_status;    /* its enhanced status code */
    /* The relay client's (sim_relay.c), untouched here: */
    uint32_t delivery;
    AttemptDone attempt_done;
    DnsAnswer mx;         /* sorted MX list of this attempt */
    uint32_t mx_index;    /* MX host whose addresses are being looked up */
    SessionAddr addrs[SESSION_MAX_ADDRS]; /* the attempt's addresses, in MX preference order */
    uint32_t addr_count, addr_index;
    uint32_t sess_count;  /* sessions of this attempt that got past EHLO */
    bool dns_soft;        /* an address look-up failed transiently (a soft error dominates) */
    uint32_t dest;        /* its connection-cache destination (sim_conncache.h) */
    bool cache_store;     /* it may be left open for the destination's next delivery */
    /* The address verifier's (sim_verify.c): */
    uint32_t verify_index; /* the address probed: index in the client's verify list */
    bool vrfy;            /* send VRFY <address> after EHLO (the session clears it once sent) */
};

/* A live session about msg, holding a reference to it; the caller fills in the rest (mode,
 * handlers, client, recipients) before connecting it. Pointers into sim->sessions do not survive
 * it. */
uint32_t session_new(Sim *sim, uint32_t msg);
/* Ends session s and releases its message reference. */
void session_free(Sim *sim, uint32_t s);
/* Starts a new transaction on an open, idle session (kept with keep_open) about message `msg`
 * (the session now holds it instead of its previous one): RSET, then the dialogue goes on from
 * after EHLO. The opener has set the recipients and the handlers. */
void session_reuse(Sim *sim, uint32_t s, uint32_t msg);
/* Closes an open, idle session without QUIT (a cached connection that timed out) and frees it;
 * `why` says why on the trace. */
void session_close(Sim *sim, uint32_t s, const char *why);
/* Opens a TCP connection from the session's client to `server` on `port`; `server` NONE = nobody
 * listens at that address (the connection times out). The dialogue then runs by itself. */
void session_connect(Sim *sim, uint32_t s, int32_t server, int port);

#endif
