/* smtp: the SMTP vocabulary — reply codes, enhanced status codes (RFC 3463) and the exact reply
 * lines real servers (Postfix, postgrey) send, as one table, plus small pure helpers.
 *
 * Owns no state. The session logic that decides which reply to send lives in the simulation;
 * this module only knows what each reply looks like and what its class means.
 */
#ifndef MAILSIM_SMTP_H
#define MAILSIM_SMTP_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    SMTP_GREETING,        /* 220 <host> ESMTP Postfix */
    SMTP_EHLO_OK,         /* 250-<host> ... (multi-line, SIZE) */
    SMTP_AUTH_OK,         /* 235 2.7.0 Authentication successful */
    SMTP_MAIL_OK,         /* 250 2.1.0 Ok */
    SMTP_RCPT_OK,         /* 250 2.1.5 Ok */
    SMTP_DATA_GO,         /* 354 End data with <CR><LF>.<CR><LF> */
    SMTP_QUEUED,          /* 250 2.0.0 Ok: queued as <id> */
    SMTP_BYE,             /* 221 2.0.0 Bye */
    SMTP_RSET_OK,         /* 250 2.0.0 Ok (to RSET) */
    SMTP_OVERLOADED,      /* 421 4.3.2 Service not available */
    SMTP_GREYLISTED,      /* 450 4.2.0 <rcpt>: Recipient address rejected: Greylisted */
    SMTP_MAILBOX_FULL_T,  /* 452 4.2.2 <rcpt>: Mailbox full */
    SMTP_UNKNOWN_USER,    /* 550 5.1.1 <rcpt>: Recipient address rejected: User unknown */
    SMTP_MAILBOX_FULL_P,  /* 552 5.2.2 <rcpt>: Mailbox is full */
    SMTP_TOO_BIG,         /* 552 5.3.4 Message size exceeds fixed limit */
    SMTP_BLOCKLISTED,     /* 554 5.7.1 Service unavailable; Client host [ip] blocked using zone */
    SMTP_RELAY_DENIED,    /* 554 5.7.1 <rcpt>: Relay access denied */
    SMTP_NO_VALID_RCPT,   /* 554 5.5.1 Error: no valid recipients */
    SMTP_VRFY_DISABLED,   /* 502 5.5.1 VRFY command is disabled (disable_vrfy_command = yes) */
    SMTP_NEED_MAIL,       /* 503 5.5.1 Error: need MAIL command (RCPT after a refused MAIL) */
    SMTP_NEED_RCPT,       /* 503 5.5.1 Error: need RCPT command (DATA after a refused MAIL) */
    SMTP_REPLY_COUNT
} SmtpReply;

typedef struct {
    int code;            /* 220, 250, 450, ... */
    const char *status;  /* enhanced status "5.1.1", or "" */
    const char *format;  /* text after code and status; %s = the reply's argument */
    const char *caption; /* one plain-language sentence for the class */
} SmtpReplyInfo;

const SmtpReplyInfo *smtp_reply_info(SmtpReply r);

/* Formats the full reply line ("550 5.1.1 <bob@b.example>: Recipient address rejected: User
 * unknown") into buf; `arg` fills the reply's %s (may be NULL when it has none). Returns buf. */
const char *smtp_format_reply(SmtpReply r, const char *arg, char *buf, size_t size);

/* The length smtp_format_reply gives for an argument of arg_len bytes, without formatting it: a
 * reply's time on the wire does not depend on whether anyone records its text. Not for
 * SMTP_BLOCKLISTED (two arguments; a refusal is always formatted). */
size_t smtp_reply_len(SmtpReply r, size_t arg_len);

/* RFC 5321 §4.2.1 reply classes. */
static inline bool smtp_is_positive(int code) { return code >= 200 && code < 400; }
static inline bool smtp_is_transient(int code) { return code >= 400 && code < 500; }
static inline bool smtp_is_permanent(int code) { return code >= 500 && code < 600; }

/* Whether `line` is a reply that only follows from an earlier one in a pipelined transaction
 * (RFC 2920): "554 5.5.1 Error: no valid recipients" to the DATA sent after every RCPT was
 * refused, or "503 5.5.1 Error: need MAIL/RCPT command" after a refused MAIL. It refuses nothing
 * of its own: the recipients' fate was settled by the reply before it. */
bool smtp_is_followup(const char *line);

/* The reply code at the start of a line ("452 4.2.2 ..." -> 452), or 0 if it has none. */
int smtp_code_of(const char *line);

#endif
