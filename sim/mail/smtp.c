/* smtp: the reply table (see smtp.h). Texts are those of Postfix 3.x and postgrey, so a student
 * who later reads a real mail log recognises them (docs/design/mail-facts.md). */
#include "mail/smtp.h"

#include <stdio.h>
#include <string.h>

static const SmtpReplyInfo REPLIES[SMTP_REPLY_COUNT] = {
    [SMTP_GREETING] = { 220, "", "%s ESMTP Postfix",
                        "The receiving server answers the connection: ready to talk." },
    [SMTP_EHLO_OK] = { 250, "", "%s", "The server lists what it supports, such as SIZE." },
    [SMTP_AUTH_OK] = { 235, "2.7.0", "Authentication successful",
                       "The password is accepted: this user may send mail through here." },
    [SMTP_MAIL_OK] = { 250, "2.1.0", "Ok", "The sender address is accepted." },
    [SMTP_RCPT_OK] = { 250, "2.1.5", "Ok", "This recipient is accepted." },
    [SMTP_DATA_GO] = { 354, "", "End data with <CR><LF>.<CR><LF>",
                       "Go ahead: send the message itself, ending with a lone dot." },
    [SMTP_QUEUED] = { 250, "2.0.0", "Ok: queued as %s",
                      "The server has taken responsibility for the message." },
    [SMTP_BYE] = { 221, "2.0.0", "Bye", "The conversation ends politely." },
    [SMTP_RSET_OK] = { 250, "2.0.0", "Ok",
                       "The connection is reset for a new message: the sender reuses an open "
                       "session instead of connecting again." },
    [SMTP_OVERLOADED] = { 421, "4.3.2", "Service not available",
                          "The server is too busy: come back later (a temporary failure)." },
    [SMTP_GREYLISTED] = { 450, "4.2.0", "%s: Recipient address rejected: Greylisted",
                          "Greylisting: an unknown sender is told to try again later. Real "
                          "servers retry; many spam robots never do." },
    [SMTP_MAILBOX_FULL_T] = { 452, "4.2.2", "%s: Mailbox full",
                              "The mailbox is full. This is temporary: the sender will retry." },
    [SMTP_UNKNOWN_USER] = { 550, "5.1.1", "%s: Recipient address rejected: User unknown",
                            "No such mailbox here: a permanent failure, so the message bounces." },
    [SMTP_MAILBOX_FULL_P] = { 552, "5.2.2", "%s: Mailbox is full",
                              "The mailbox is full and the server refuses for good: it bounces." },
    [SMTP_TOO_BIG] = { 552, "5.3.4", "Message size exceeds fixed limit",
                       "The message is bigger than this server accepts: it bounces." },
    [SMTP_BLOCKLISTED] = { 554, "5.7.1", "Service unavailable; Client host [%s] blocked using %s",
                           "The sending server's address is on a blocklist: refused for good." },
    [SMTP_RELAY_DENIED] = { 554, "5.7.1", "%s: Relay access denied",
                            "This server does not accept mail for that domain." },
    [SMTP_NO_VALID_RCPT] = { 554, "5.5.1", "Error: no valid recipients",
                             "No recipient was accepted (refused or deferred), so there is nothing to send." },
    [SMTP_VRFY_DISABLED] = { 502, "5.5.1", "VRFY command is disabled",
                             "The server will not say whether an address exists: VRFY is switched "
                             "off (Postfix disable_vrfy_command), as on most servers, against "
                             "address harvesting." },
    [SMTP_NEED_MAIL] = { 503, "5.5.1", "Error: need MAIL command",
                         "Out of order: the sender was refused, so there is no message to add "
                         "a recipient to." },
    [SMTP_NEED_RCPT] = { 503, "5.5.1", "Error: need RCPT command",
                         "Out of order: no recipient was given, so there is nothing to send." },
};

const SmtpReplyInfo *smtp_reply_info(SmtpReply r)
{
    return &REPLIES[r];
}

const char *smtp_format_reply(SmtpReply r, const char *arg, char *buf, size_t size)
{
    const SmtpReplyInfo *info = &REPLIES[r];
    char text[512];
    if (r == SMTP_BLOCKLISTED) {
        /* Two arguments: "ip\tzone". */
        char ip[64] = "", zone[256] = "";
        if (arg) {
            sscanf(arg, "%63[^\t]\t%255s", ip, zone);
        }
        snprintf(text, sizeof text, info->format, ip, zone);
    } else {
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#endif
        snprintf(text, sizeof text, info->format, arg ? arg : "");
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    }
    if (info->status[0]) {
        snprintf(buf, size, "%d %s %s", info->code, info->status, text);
    } else {
        snprintf(buf, size, "%d %s", info->code, text);
    }
    return buf;
}

size_t smtp_reply_len(SmtpReply r, size_t arg_len)
{
    const SmtpReplyInfo *info = &REPLIES[r];
    size_t len = 4 + strlen(info->format); /* "250 " */
    if (info->status[0]) {
        len += strlen(info->status) + 1;
    }
    if (strstr(info->format, "%s")) {
        len = len - 2 + arg_len;
    }
    return len;
}

bool smtp_is_followup(const char *line)
{
    static const SmtpReply FOLLOWUPS[] = { SMTP_NO_VALID_RCPT, SMTP_NEED_MAIL, SMTP_NEED_RCPT };
    /* Most replies are neither 554 nor 503: the view asks for every reply it draws. */
    if (strncmp(line, "554 ", 4) != 0 && strncmp(line, "503 ", 4) != 0) {
        return false;
    }
    for (size_t i = 0; i < sizeof FOLLOWUPS / sizeof FOLLOWUPS[0]; i++) {
        const SmtpReplyInfo *r = smtp_reply_info(FOLLOWUPS[i]);
        char head[96];
        int n = snprintf(head, sizeof head, "%d %s %s", r->code, r->status, r->format);
        if (n > 0 && (size_t)n < sizeof head && strncmp(line, head, (size_t)n) == 0) {
            return true;
        }
    }
    return false;
}

int smtp_code_of(const char *line)
{
    if (line[0] >= '2' && line[0] <= '5' && line[1] >= '0' && line[1] <= '9' && line[2] >= '0' &&
        line[2] <= '9' && (line[3] == ' ' || line[3] == '-' || line[3] == '\0')) {
        return (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    }
    return 0;
}
