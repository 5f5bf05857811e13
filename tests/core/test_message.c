/* test_message: mail text formatting (sim/model/message.h).
 *
 * Dates: every expected string was produced independently of this code, by GNU date
 * (`date -u -R -d @$((1788771600 + s))`) and cross-checked with Python's datetime
 * (datetime(2026, 9, 7, 9, tzinfo=utc) + timedelta(seconds=s)); both agree that sim time 0 is
 * 1788771600 = Mon, 07 Sep 2026 09:00:00 +0000. The DSN fields are those of RFC 3464 §2.2-2.3;
 * the bounce wording is Postfix's.
 */
#include "engine/rng.h"
#include "mail/message.h"
#include "test.h"

#include <ctype.h>
#include <stdbool.h>

#define SEC(x) ((int64_t)(x) * INT64_C(1000000))

static void message_should_start_the_clock_on_a_school_morning(void)
{
    char buf[64];
    CHECK_EQ_INT(MESSAGE_EPOCH_S, 1788771600);
    CHECK_EQ_STR(message_format_date(0, buf, sizeof buf), "Mon, 07 Sep 2026 09:00:00 +0000");
}

static void message_should_format_rfc5322_dates(void)
{
    static const struct {
        int64_t s;
        const char *want;
    } cases[] = {
        { 1, "Mon, 07 Sep 2026 09:00:01 +0000" },
        { 59, "Mon, 07 Sep 2026 09:00:59 +0000" },
        { 53999, "Mon, 07 Sep 2026 23:59:59 +0000" },
        { 54000, "Tue, 08 Sep 2026 00:00:00 +0000" },          /* day rollover */
        { 432000, "Sat, 12 Sep 2026 09:00:00 +0000" },         /* 5 days: Postfix gives up */
        { 9989999, "Thu, 31 Dec 2026 23:59:59 +0000" },
        { 9990000, "Fri, 01 Jan 2027 00:00:00 +0000" },        /* year rollover */
        { 12614400, "Sun, 31 Jan 2027 09:00:00 +0000" },
        { 15087599, "Sun, 28 Feb 2027 23:59:59 +0000" },       /* 2027 is not a leap year */
        { 15120000, "Mon, 01 Mar 2027 09:00:00 +0000" },
        { 46668645, "Tue, 29 Feb 2028 12:30:45 +0000" },       /* 2028 is */
        { 46710000, "Wed, 01 Mar 2028 00:00:00 +0000" },
        { 126144000, "Fri, 06 Sep 2030 09:00:00 +0000" },
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CHECK_EQ_STR(message_format_date(SEC(cases[i].s), buf, sizeof buf), cases[i].want);
    }
    /* Sub-second parts are dropped, not rounded. */
    CHECK_EQ_STR(message_format_date(SEC(2) - 1, buf, sizeof buf),
                 "Mon, 07 Sep 2026 09:00:01 +0000");
}

/* Each weekday name in turn over a week, checked against the same independent sources. */
static void message_should_name_every_weekday(void)
{
    static const char *const want[] = {
        "Mon, 07 Sep 2026", "Tue, 08 Sep 2026", "Wed, 09 Sep 2026", "Thu, 10 Sep 2026",
        "Fri, 11 Sep 2026", "Sat, 12 Sep 2026", "Sun, 13 Sep 2026", "Mon, 14 Sep 2026",
    };
    char buf[64];
    for (int d = 0; d < 8; d++) {
        message_format_date(SEC(d * 86400), buf, sizeof buf);
        CHECK(strncmp(buf, want[d], strlen(want[d])) == 0);
    }
}

static void message_should_make_postfix_style_queue_ids(void)
{
    Rng a, b;
    rng_seed(&a, 7);
    rng_seed(&b, 7);
    char x[16], y[16], prev[16] = "";
    int differs = 0;
    for (int i = 0; i < 50; i++) {
        message_queue_id(rng_next_u64(&a), x);
        message_queue_id(rng_next_u64(&b), y);
        CHECK_EQ_STR(x, y); /* same seed, same ids */
        CHECK_EQ_INT(strlen(x), 10);
        int bad = 0;
        for (int k = 0; x[k]; k++) {
            bad += !(isdigit((unsigned char)x[k]) || (x[k] >= 'A' && x[k] <= 'F'));
        }
        CHECK_EQ_INT(bad, 0);
        differs += strcmp(x, prev) != 0;
        snprintf(prev, sizeof prev, "%s", x);
    }
    CHECK_EQ_INT(differs, 50);
}

static void message_should_extract_the_enhanced_status(void)
{
    char buf[16];
    CHECK_EQ_STR(message_status_of("550 5.1.1 <bob@x>: Recipient address rejected: User unknown",
                                   "5.0.0", buf),
                 "5.1.1");
    CHECK_EQ_STR(message_status_of("452 4.2.2 <bob@x>: Mailbox full", "4.0.0", buf), "4.2.2");
    CHECK_EQ_STR(message_status_of("452-4.2.2 first line of several", "4.0.0", buf), "4.2.2");
    CHECK_EQ_STR(message_status_of("556 5.1.10 <bob@x>: Recipient address has null MX", "", buf),
                 "5.1.10");
    CHECK_EQ_STR(message_status_of("250 2.0.0 Ok: queued as 4F2A1B3C5D", "", buf), "2.0.0");
    CHECK_EQ_STR(message_status_of("4.4.7", "", buf), "4.4.7"); /* a bare status */
}

/* No enhanced code: the class of the basic code (RFC 3463 X.0.0), else the caller's fallback. */
static void message_should_fall_back_when_there_is_no_enhanced_status(void)
{
    char buf[16];
    CHECK_EQ_STR(message_status_of("421 Service not available", "x", buf), "4.0.0");
    CHECK_EQ_STR(message_status_of("550 Mailbox unavailable", "x", buf), "5.0.0");
    CHECK_EQ_STR(message_status_of("connect to mx.b.example[203.0.113.25]:25: Connection refused",
                                   "4.4.1", buf),
                 "4.4.1");
    CHECK_EQ_STR(message_status_of("", "4.4.3", buf), "4.4.3");
    /* Something that looks like a status but is not of class 2, 4 or 5. */
    CHECK_EQ_STR(message_status_of("550 9.9.9 odd", "x", buf), "5.0.0");
}

/* Finds `line` as a whole line of `text`. */
static bool has_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++) {
        bool starts = p == text || p[-1] == '\n';
        bool ends = p[n] == '\n' || p[n] == '\0';
        if (starts && ends) {
            return true;
        }
    }
    return false;
}

static void message_should_write_a_delivery_status_notification(void)
{
    char buf[4096];
    const char *diag = "550 5.1.1 <bob@b.example>: Recipient address rejected: User unknown";
    size_t n = message_format_dsn(buf, sizeof buf, "smtp.a.example",
                                  "Mon, 07 Sep 2026 09:00:00 +0000", "bob@b.example", "failed",
                                  "5.1.1", "mx.b.example", diag);
    CHECK_EQ_INT(n, strlen(buf));
    CHECK(has_line(buf, "This is the mail system at host smtp.a.example."));
    CHECK(has_line(buf, "Reporting-MTA: dns; smtp.a.example"));
    CHECK(has_line(buf, "Arrival-Date: Mon, 07 Sep 2026 09:00:00 +0000"));
    CHECK(has_line(buf, "Final-Recipient: rfc822; bob@b.example"));
    CHECK(has_line(buf, "Action: failed"));
    CHECK(has_line(buf, "Status: 5.1.1"));
    CHECK(has_line(buf, "Remote-MTA: dns; mx.b.example"));
    CHECK(has_line(buf, "Diagnostic-Code: smtp; 550 5.1.1 <bob@b.example>: Recipient address "
                        "rejected: User unknown"));
    /* The human part names the recipient and the reason. */
    CHECK(has_line(buf, "<bob@b.example>: 550 5.1.1 <bob@b.example>: Recipient address rejected: "
                        "User unknown"));
    /* RFC 3464: the per-message fields, a blank line, then the per-recipient fields. */
    const char *mta = strstr(buf, "Reporting-MTA:"), *rcpt = strstr(buf, "Final-Recipient:");
    CHECK(mta && rcpt && mta < rcpt);
    CHECK(strstr(buf, "Arrival-Date: Mon, 07 Sep 2026 09:00:00 +0000\n\nFinal-Recipient:") != NULL);
}

static void message_should_write_a_delay_warning_without_remote_mta(void)
{
    char buf[4096];
    message_format_dsn(buf, sizeof buf, "smtp.a.example", "Mon, 07 Sep 2026 09:00:00 +0000",
                       "bob@b.example", "delayed", "4.2.2", "",
                       "452 4.2.2 <bob@b.example>: Mailbox full");
    CHECK(has_line(buf, "Action: delayed"));
    CHECK(has_line(buf, "Status: 4.2.2"));
    CHECK(strstr(buf, "Remote-MTA:") == NULL);
    CHECK(strstr(buf, "I'm sorry to have to inform you") == NULL);
    CHECK(has_line(buf, "Diagnostic-Code: smtp; 452 4.2.2 <bob@b.example>: Mailbox full"));
}

/* RFC 3464 §2.3.6: diagnostic-type "smtp" says the text is an SMTP reply. A reason the sending
 * MTA made up itself (no server ever answered) needs another type; Postfix writes
 * "X-Postfix; <reason>" (bounce_notify_util.c: "Diagnostic-Code: X-%s; %s", mail_name, reason). */
static void message_should_not_label_a_local_reason_as_an_smtp_reply(void)
{
    char buf[4096];
    const char *reason = "Host or domain name not found. Name service error for "
                         "name=nowhere.example type=MX: Host not found";
    message_format_dsn(buf, sizeof buf, "smtp.a.example", "Mon, 07 Sep 2026 09:00:00 +0000",
                       "bob@nowhere.example", "failed", "5.4.4", "", reason);
    CHECK(strstr(buf, "Diagnostic-Code: smtp;") == NULL);
    CHECK(has_line(buf, "Diagnostic-Code: X-Postfix; Host or domain name not found. Name service "
                        "error for name=nowhere.example type=MX: Host not found"));
    /* The queue-lifetime reason the simulator writes when it gives up is local too. */
    message_format_dsn(buf, sizeof buf, "smtp.a.example", "Mon, 07 Sep 2026 09:00:00 +0000",
                       "bob@b.example", "failed", "4.4.7", "",
                       "message expired after 5 days in the queue; last error: 421 4.3.2 "
                       "Service not available");
    CHECK(has_line(buf, "Diagnostic-Code: X-Postfix; message expired after 5 days in the queue; "
                        "last error: 421 4.3.2 Service not available"));
}

static void message_should_truncate_a_dsn_to_its_buffer(void)
{
    char buf[40];
    memset(buf, 'x', sizeof buf);
    size_t n = message_format_dsn(buf, sizeof buf, "smtp.a.example", "date", "bob@b.example",
                                  "failed", "5.1.1", "mx.b.example", "550 5.1.1 no");
    CHECK_EQ_INT(n, sizeof buf - 1);
    CHECK_EQ_INT(strlen(buf), sizeof buf - 1);
    CHECK_EQ_STR(buf, "This is the mail system at host smtp.a.");
}

RUN_TESTS(TEST_CASE(message_should_start_the_clock_on_a_school_morning),
          TEST_CASE(message_should_format_rfc5322_dates),
          TEST_CASE(message_should_name_every_weekday),
          TEST_CASE(message_should_make_postfix_style_queue_ids),
          TEST_CASE(message_should_extract_the_enhanced_status),
          TEST_CASE(message_should_fall_back_when_there_is_no_enhanced_status),
          TEST_CASE(message_should_write_a_delivery_status_notification),
          TEST_CASE(message_should_write_a_delay_warning_without_remote_mta),
          TEST_CASE(message_should_not_label_a_local_reason_as_an_smtp_reply),
          TEST_CASE(message_should_truncate_a_dsn_to_its_buffer))
