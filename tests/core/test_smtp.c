/* test_smtp: the SMTP reply table and its helpers (sim/mail/smtp.h).
 *
 * Expected lines are the ones real software sends, not copies of the table: the RFC 5321 codes
 * and RFC 3463 enhanced codes of docs/design/mail-facts.md, with the wording of Postfix 3.x
 * smtpd / smtpd_check.c ("Recipient address rejected: User unknown", "Relay access denied",
 * "Message size exceeds fixed limit", "Service unavailable; Client host [ip] blocked using zone",
 * "End data with <CR><LF>.<CR><LF>", "Ok: queued as ID", "Error: no valid recipients") and of
 * postgrey ("Recipient address rejected: Greylisted"), as they appear in those programs' logs.
 */
#include "mail/smtp.h"
#include "test.h"

static const char *fmt(SmtpReply r, const char *arg)
{
    static char buf[512];
    return smtp_format_reply(r, arg, buf, sizeof buf);
}

static void smtp_should_format_the_rejections_of_mail_facts(void)
{
    CHECK_EQ_STR(fmt(SMTP_UNKNOWN_USER, "<bob@x>"),
                 "550 5.1.1 <bob@x>: Recipient address rejected: User unknown");
    CHECK_EQ_STR(fmt(SMTP_MAILBOX_FULL_T, "<bob@x>"), "452 4.2.2 <bob@x>: Mailbox full");
    CHECK_EQ_STR(fmt(SMTP_MAILBOX_FULL_P, "<bob@x>"), "552 5.2.2 <bob@x>: Mailbox is full");
    CHECK_EQ_STR(fmt(SMTP_TOO_BIG, NULL), "552 5.3.4 Message size exceeds fixed limit");
    CHECK_EQ_STR(fmt(SMTP_GREYLISTED, "<bob@b.example>"),
                 "450 4.2.0 <bob@b.example>: Recipient address rejected: Greylisted");
    CHECK_EQ_STR(fmt(SMTP_OVERLOADED, NULL), "421 4.3.2 Service not available");
    CHECK_EQ_STR(fmt(SMTP_RELAY_DENIED, "<carol@c.example>"),
                 "554 5.7.1 <carol@c.example>: Relay access denied");
    CHECK_EQ_STR(fmt(SMTP_NO_VALID_RCPT, NULL), "554 5.5.1 Error: no valid recipients");
}

/* The blocklist reply has two arguments, passed as "ip\tzone". */
static void smtp_should_format_the_blocklist_reply_from_ip_and_zone(void)
{
    CHECK_EQ_STR(fmt(SMTP_BLOCKLISTED, "198.51.100.10\tzen.example"),
                 "554 5.7.1 Service unavailable; Client host [198.51.100.10] blocked using "
                 "zen.example");
    CHECK_EQ_STR(fmt(SMTP_BLOCKLISTED, "203.0.113.5\tbl.example.org"),
                 "554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using "
                 "bl.example.org");
}

static void smtp_should_format_the_positive_replies(void)
{
    CHECK_EQ_STR(fmt(SMTP_GREETING, "mx.b.example"), "220 mx.b.example ESMTP Postfix");
    CHECK_EQ_STR(fmt(SMTP_AUTH_OK, NULL), "235 2.7.0 Authentication successful");
    CHECK_EQ_STR(fmt(SMTP_MAIL_OK, NULL), "250 2.1.0 Ok");
    CHECK_EQ_STR(fmt(SMTP_RCPT_OK, NULL), "250 2.1.5 Ok");
    CHECK_EQ_STR(fmt(SMTP_DATA_GO, NULL), "354 End data with <CR><LF>.<CR><LF>");
    CHECK_EQ_STR(fmt(SMTP_QUEUED, "4F2A1B3C5D"), "250 2.0.0 Ok: queued as 4F2A1B3C5D");
    CHECK_EQ_STR(fmt(SMTP_BYE, NULL), "221 2.0.0 Bye");
    CHECK_EQ_STR(fmt(SMTP_EHLO_OK, "mx.b.example"), "250 mx.b.example");
}

static void smtp_should_truncate_to_the_buffer(void)
{
    char small[12];
    smtp_format_reply(SMTP_UNKNOWN_USER, "<bob@x>", small, sizeof small);
    CHECK_EQ_STR(small, "550 5.1.1 <");
}

/* RFC 5321 §4.2.1: 2yz done, 3yz intermediate (both "positive"), 4yz transient, 5yz permanent. */
static void smtp_should_classify_reply_codes(void)
{
    static const int positive[] = { 220, 221, 235, 250, 354 };
    static const int transient[] = { 421, 450, 451, 452 };
    static const int permanent[] = { 550, 551, 552, 553, 554, 556 };
    for (size_t i = 0; i < sizeof positive / sizeof positive[0]; i++) {
        CHECK(smtp_is_positive(positive[i]));
        CHECK(!smtp_is_transient(positive[i]));
        CHECK(!smtp_is_permanent(positive[i]));
    }
    for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++) {
        CHECK(!smtp_is_positive(transient[i]));
        CHECK(smtp_is_transient(transient[i]));
        CHECK(!smtp_is_permanent(transient[i]));
    }
    for (size_t i = 0; i < sizeof permanent / sizeof permanent[0]; i++) {
        CHECK(!smtp_is_positive(permanent[i]));
        CHECK(!smtp_is_transient(permanent[i]));
        CHECK(smtp_is_permanent(permanent[i]));
    }
    /* Boundaries. */
    CHECK(!smtp_is_positive(199));
    CHECK(smtp_is_positive(399));
    CHECK(smtp_is_transient(400) && smtp_is_transient(499));
    CHECK(smtp_is_permanent(500) && smtp_is_permanent(599));
    CHECK(!smtp_is_permanent(600));
    CHECK(!smtp_is_positive(0) && !smtp_is_transient(0) && !smtp_is_permanent(0));
}

/* Every row of the table: the line it formats starts with its code, and its enhanced status
 * (when it has one) is of the same class, as RFC 3463 §3.1 requires (2.x.x with 2yz, 4.x.x with
 * 4yz, 5.x.x with 5yz). The transient ones are exactly the 4yz ones. */
static void smtp_should_keep_code_and_enhanced_status_in_the_same_class(void)
{
    for (int r = 0; r < SMTP_REPLY_COUNT; r++) {
        const SmtpReplyInfo *info = smtp_reply_info((SmtpReply)r);
        char buf[512];
        smtp_format_reply((SmtpReply)r, "x\ty", buf, sizeof buf);
        CHECK_EQ_INT(smtp_code_of(buf), info->code);
        if (info->status[0]) {
            CHECK_EQ_INT(info->status[0] - '0', info->code / 100);
            /* "class.subject.detail" */
            CHECK(info->status[1] == '.');
        }
        CHECK(info->caption && info->caption[0]);
    }
    CHECK_EQ_INT(smtp_reply_info(SMTP_GREYLISTED)->code, 450);
    CHECK_EQ_INT(smtp_reply_info(SMTP_OVERLOADED)->code, 421);
    CHECK_EQ_INT(smtp_reply_info(SMTP_MAILBOX_FULL_T)->code, 452);
    CHECK_EQ_INT(smtp_reply_info(SMTP_UNKNOWN_USER)->code, 550);
    CHECK_EQ_STR(smtp_reply_info(SMTP_UNKNOWN_USER)->status, "5.1.1");
    CHECK_EQ_STR(smtp_reply_info(SMTP_TOO_BIG)->status, "5.3.4");
}

static void smtp_should_read_the_code_at_the_start_of_a_line(void)
{
    CHECK_EQ_INT(smtp_code_of("452 4.2.2 <bob@x>: Mailbox full"), 452);
    CHECK_EQ_INT(smtp_code_of("250-mx.b.example"), 250); /* a multi-line reply's first line */
    CHECK_EQ_INT(smtp_code_of("250"), 250);              /* code alone */
    CHECK_EQ_INT(smtp_code_of("221 2.0.0 Bye"), 221);
    CHECK_EQ_INT(smtp_code_of("554 5.7.1 Service unavailable"), 554);
}

static void smtp_should_find_no_code_where_there_is_none(void)
{
    CHECK_EQ_INT(smtp_code_of("EHLO smtp.a.example"), 0);
    CHECK_EQ_INT(smtp_code_of("RCPT TO:<bob@b.example>"), 0);
    CHECK_EQ_INT(smtp_code_of(""), 0);
    CHECK_EQ_INT(smtp_code_of("2"), 0);
    CHECK_EQ_INT(smtp_code_of("25"), 0);
    CHECK_EQ_INT(smtp_code_of("2500 too long"), 0);
    CHECK_EQ_INT(smtp_code_of("150 not an SMTP class"), 0);
    CHECK_EQ_INT(smtp_code_of("650 not an SMTP class"), 0);
    CHECK_EQ_INT(smtp_code_of("4x2 garbled"), 0);
    CHECK_EQ_INT(smtp_code_of(" 250 leading space"), 0);
}

/* The replies a pipelined transaction gets only because of an earlier refusal (RFC 2920). */
static void smtp_should_tell_a_followup_reply_from_a_refusal(void)
{
    CHECK(smtp_is_followup("554 5.5.1 Error: no valid recipients"));
    CHECK(smtp_is_followup("503 5.5.1 Error: need MAIL command"));
    CHECK(smtp_is_followup("503 5.5.1 Error: need RCPT command"));
    CHECK(!smtp_is_followup("554 5.7.1 Service unavailable; Client host [192.0.2.66] blocked"));
    CHECK(!smtp_is_followup("550 5.1.1 <bobb@b.example>: Recipient address rejected: User unknown"));
    CHECK(!smtp_is_followup("502 5.5.1 VRFY command is disabled"));
    CHECK(!smtp_is_followup("554 5.5.1 Error"));
    CHECK(!smtp_is_followup(""));
}

RUN_TESTS(TEST_CASE(smtp_should_tell_a_followup_reply_from_a_refusal),
          TEST_CASE(smtp_should_format_the_rejections_of_mail_facts),
          TEST_CASE(smtp_should_format_the_blocklist_reply_from_ip_and_zone),
          TEST_CASE(smtp_should_format_the_positive_replies),
          TEST_CASE(smtp_should_truncate_to_the_buffer),
          TEST_CASE(smtp_should_classify_reply_codes),
          TEST_CASE(smtp_should_keep_code_and_enhanced_status_in_the_same_class),
          TEST_CASE(smtp_should_read_the_code_at_the_start_of_a_line),
          TEST_CASE(smtp_should_find_no_code_where_there_is_none))
