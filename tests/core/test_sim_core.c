/* test_sim_core: the helpers the parts of the simulation share (sim/model/sim_core.h) that have a
 * rule of their own: what a reply code means for a recipient, and marking a delivery's recipients.
 * The expected outcomes follow RFC 5321 §4.2.1 (2yz done, 4yz try again, 5yz give up). */
#include "model/sim_core.h"
#include "test.h"

#include "mail/smtp.h"

static void sim_core_should_accept_on_a_2xx_reply(void)
{
    CHECK_EQ_INT(sim_txn_of_reply(250), TXN_ACCEPTED);
    CHECK_EQ_INT(sim_txn_of_reply(smtp_reply_info(SMTP_RCPT_OK)->code), TXN_ACCEPTED);
    CHECK_EQ_INT(sim_txn_of_reply(smtp_reply_info(SMTP_QUEUED)->code), TXN_ACCEPTED);
}

static void sim_core_should_retry_on_a_4xx_reply(void)
{
    CHECK_EQ_INT(sim_txn_of_reply(smtp_reply_info(SMTP_GREYLISTED)->code), TXN_TRANSIENT);
    CHECK_EQ_INT(sim_txn_of_reply(smtp_reply_info(SMTP_MAILBOX_FULL_T)->code), TXN_TRANSIENT);
    CHECK_EQ_INT(sim_txn_of_reply(smtp_reply_info(SMTP_OVERLOADED)->code), TXN_TRANSIENT);
}

static void sim_core_should_give_up_on_a_5xx_reply(void)
{
    CHECK_EQ_INT(sim_txn_of_reply(smtp_reply_info(SMTP_UNKNOWN_USER)->code), TXN_PERMANENT);
    CHECK_EQ_INT(sim_txn_of_reply(smtp_reply_info(SMTP_MAILBOX_FULL_P)->code), TXN_PERMANENT);
    CHECK_EQ_INT(sim_txn_of_reply(smtp_reply_info(SMTP_BLOCKLISTED)->code), TXN_PERMANENT);
    CHECK_EQ_INT(sim_txn_of_reply(smtp_reply_info(SMTP_TOO_BIG)->code), TXN_PERMANENT);
}

/* A reply that decides nothing for the transaction (none, an intermediate 354) is not an
 * acceptance: the recipient is tried again. */
static void sim_core_should_not_accept_on_a_reply_that_is_not_2xx_or_5xx(void)
{
    CHECK_EQ_INT(sim_txn_of_reply(smtp_reply_info(SMTP_DATA_GO)->code), TXN_TRANSIENT);
    CHECK_EQ_INT(sim_txn_of_reply(-1), TXN_TRANSIENT);
    CHECK_EQ_INT(sim_txn_of_reply(0), TXN_TRANSIENT);
}

static void sim_core_should_mark_only_pending_recipients(void)
{
    Rcpt r[3] = { { .state = RS_PENDING, .txn = TXN_NONE },
                  { .state = RS_SENT, .txn = TXN_ACCEPTED, .txn_reply = 7 },
                  { .state = RS_PENDING, .txn = TXN_ACCEPTED } };
    Sim sim = { .rcpts = r, .rcpt_count = 3 };
    sim_rcpts_mark(&sim, 0, 3, TXN_TRANSIENT, 42, 43);
    CHECK_EQ_INT(r[0].txn, TXN_TRANSIENT);
    CHECK_EQ_INT(r[0].txn_reply, 42);
    CHECK_EQ_INT(r[0].txn_status, 43);
    CHECK_EQ_INT(r[1].txn, TXN_ACCEPTED); /* already sent: untouched */
    CHECK_EQ_INT(r[1].txn_reply, 7);
    /* Accepted by an earlier server of the attempt: a later failure does not undo it. */
    CHECK_EQ_INT(r[2].txn, TXN_ACCEPTED);
}

static void sim_core_should_mark_accepted_only_where_nothing_is_decided(void)
{
    Rcpt r[2] = { { .state = RS_PENDING, .txn = TXN_NONE },
                  { .state = RS_PENDING, .txn = TXN_PERMANENT, .txn_reply = 9 } };
    Sim sim = { .rcpts = r, .rcpt_count = 2 };
    sim_rcpts_mark(&sim, 0, 2, TXN_ACCEPTED, 42, STR_EMPTY);
    CHECK_EQ_INT(r[0].txn, TXN_ACCEPTED);
    CHECK_EQ_INT(r[1].txn, TXN_PERMANENT);
    CHECK_EQ_INT(r[1].txn_reply, 9);
}

RUN_TESTS(TEST_CASE(sim_core_should_accept_on_a_2xx_reply),
          TEST_CASE(sim_core_should_retry_on_a_4xx_reply),
          TEST_CASE(sim_core_should_give_up_on_a_5xx_reply),
          TEST_CASE(sim_core_should_not_accept_on_a_reply_that_is_not_2xx_or_5xx),
          TEST_CASE(sim_core_should_mark_only_pending_recipients),
          TEST_CASE(sim_core_should_mark_accepted_only_where_nothing_is_decided))
