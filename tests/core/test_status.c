/* test_status: the names of recipient statuses (sim/mail/status.h), as summaries, expectations
 * and scenario files spell them. */
#include "mail/status.h"
#include "test.h"

#include <string.h>

static void status_should_name_each_status_as_the_scenario_format_does(void)
{
    CHECK_EQ_STR(status_name(ST_DELIVERED), "delivered");
    CHECK_EQ_STR(status_name(ST_BOUNCED), "bounced");
    CHECK_EQ_STR(status_name(ST_DEFERRED), "deferred");
    CHECK_EQ_STR(status_name(ST_DROPPED), "dropped");
}

static void status_should_read_back_every_name_it_writes(void)
{
    for (int s = 0; s < ST_COUNT; s++) {
        CHECK_EQ_INT(status_from_name(status_name((RcptStatus)s)), s);
    }
}

static void status_should_refuse_what_is_not_a_status(void)
{
    CHECK_EQ_STR(status_name(ST_ANY), "?");
    CHECK_EQ_STR(status_name(ST_COUNT), "?");
    CHECK_EQ_INT(status_from_name("?"), -1);
    CHECK_EQ_INT(status_from_name("Delivered"), -1);
    CHECK_EQ_INT(status_from_name(""), -1);
}

RUN_TESTS(TEST_CASE(status_should_name_each_status_as_the_scenario_format_does),
          TEST_CASE(status_should_read_back_every_name_it_writes),
          TEST_CASE(status_should_refuse_what_is_not_a_status))
