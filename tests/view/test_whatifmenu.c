/* test_whatifmenu: the "send one more message" form's editing rules. */
#include "test.h"

#include "view/whatifmenu.h"

#include <string.h>

static const char *const FROM[] = { "alice@a.example", "carol@c.example" };
static const char *const TO[] = { "bob@b.example", "dave@b.example", "alice@a.example" };

static void sendform_should_cycle_values_and_move_between_fields(void)
{
    SendForm f;
    sendform_init(&f, FROM, 2, TO, 3);
    CHECK(sendform_ready(&f));
    char buf[64];
    CHECK_EQ_STR(sendform_value(&f, SF_FROM, buf, sizeof buf), "alice@a.example");
    sendform_cycle(&f, -1);
    CHECK_EQ_STR(sendform_value(&f, SF_FROM, buf, sizeof buf), "carol@c.example");
    sendform_move(&f, +1);
    CHECK_EQ_INT(f.field, SF_TO);
    sendform_cycle(&f, +1);
    CHECK_EQ_STR(sendform_value(&f, SF_TO, buf, sizeof buf), "dave@b.example");
    sendform_move(&f, -1);
    sendform_move(&f, -1);
    CHECK_EQ_INT(f.field, SF_SIZE);
    sendform_cycle(&f, +1);
    CHECK(sendform_size_bytes(f.size) == 300000);
    CHECK_EQ_STR(sendform_value(&f, SF_SIZE, buf, sizeof buf), "300.0 kB");
}

static void sendform_should_edit_the_subject_by_whole_characters(void)
{
    SendForm f;
    sendform_init(&f, FROM, 2, TO, 3);
    sendform_type(&f, "x"); /* not the subject field: ignored */
    CHECK_EQ_STR(f.subject, "What if?");
    f.field = SF_SUBJECT;
    sendform_type(&f, " \u00e9");
    CHECK_EQ_STR(f.subject, "What if? \u00e9");
    sendform_backspace(&f);
    CHECK_EQ_STR(f.subject, "What if? ");
    for (int i = 0; i < 100; i++) {
        sendform_type(&f, "\u00e9");
    }
    CHECK(strlen(f.subject) < SENDFORM_SUBJECT_MAX);
    CHECK(((unsigned char)f.subject[strlen(f.subject) - 1] & 0xC0) == 0x80);
}

static void sendform_should_not_be_ready_without_addresses(void)
{
    SendForm f;
    sendform_init(&f, FROM, 0, TO, 3);
    CHECK(!sendform_ready(&f));
}

RUN_TESTS(TEST_CASE(sendform_should_cycle_values_and_move_between_fields),
          TEST_CASE(sendform_should_edit_the_subject_by_whole_characters),
          TEST_CASE(sendform_should_not_be_ready_without_addresses))
