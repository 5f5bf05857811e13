/* message: mail text formatting (see message.h). Dates are computed with Howard Hinnant's
 * civil-from-days algorithm, so nothing depends on the host's time zone or C library. */
#include "mail/message.h"

#include <ctype.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (*m <= 2));
}

const char *message_format_date(int64_t t_us, char *buf, size_t size)
{
    static const char *const DAYS[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
    static const char *const MONTHS[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    int64_t s = MESSAGE_EPOCH_S + t_us / 1000000;
    int64_t days = s / 86400, rem = s % 86400;
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, size, "%s, %02u %s %d %02d:%02d:%02d +0000", DAYS[days % 7], d, MONTHS[m - 1], y,
             (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    return buf;
}

/* Drawn for every message whether or not a trace shows it (the RNG's course must not depend on
 * the trace), so it is formatted by hand: snprintf was a visible share of a bulk run. */
const char *message_queue_id(uint64_t random, char buf[16])
{
    static const char HEX[] = "0123456789ABCDEF";
    uint64_t id = random & UINT64_C(0xFFFFFFFFFF);
    for (int i = 9; i >= 0; i--) {
        buf[i] = HEX[id & 0xF];
        id >>= 4;
    }
    buf[10] = '\0';
    return buf;
}

size_t message_format_dsn(char *buf, size_t size, const char *reporting_mta,
                          const char *arrival_date, const char *rcpt, const char *action,
                          const char *status, const char *remote_mta, const char *diagnostic)
{
    bool failed = strcmp(action, "failed") == 0;
    int n = snprintf(
        buf, size,
        "This is the mail system at host %s.\n\n%s\n\n<%s>: %s\n\n"
        "--- Delivery report (message/delivery-status) ---\n"
        "Reporting-MTA: dns; %s\nArrival-Date: %s\n\n"
        "Final-Recipient: rfc822; %s\nAction: %s\nStatus: %s\n%s%s%s"
        "Diagnostic-Code: %s; %s\n",
        reporting_mta,
        failed ? "I'm sorry to have to inform you that your message could not be delivered to one "
                 "or more recipients."
               : "Your message could not be delivered for a while. It will be retried until it is "
                 "too old. This is only a warning: you do not need to send it again.",
        rcpt, diagnostic, reporting_mta, arrival_date, rcpt, action, status,
        remote_mta[0] ? "Remote-MTA: dns; " : "", remote_mta, remote_mta[0] ? "\n" : "",
        /* RFC 3464 §2.3.6: "smtp" only for an SMTP reply; Postfix labels its own reasons. */
        isdigit((unsigned char)diagnostic[0]) ? "smtp" : "X-Postfix", diagnostic);
    return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

const char *message_status_of(const char *reply, const char *fallback, char buf[16])
{
    /* Look for d.d{1,3}.d{1,3} after the basic code. */
    const char *p = reply;
    if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) &&
        isdigit((unsigned char)p[2])) {
        p += 3;
        while (*p == ' ' || *p == '-') {
            p++;
        }
    }
    unsigned a, b, c;
    int used = 0;
    if (sscanf(p, "%1u.%3u.%3u%n", &a, &b, &c, &used) == 3 && used > 0 && (a == 2 || a == 4 || a == 5)) {
        snprintf(buf, 16, "%u.%u.%u", a, b, c);
        return buf;
    }
    if (reply[0] == '4' || reply[0] == '5') {
        snprintf(buf, 16, "%c.0.0", reply[0]);
        return buf;
    }
    snprintf(buf, 16, "%s", fallback);
    return buf;
}
