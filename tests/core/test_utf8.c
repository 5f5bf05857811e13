/* test_utf8: the one UTF-8 rule (sim/util/utf8.h) that the scenario loader, the trace reader and
 * every error message rely on.
 *
 * utf8_seq accepts exactly RFC 3629's well-formed sequences: ASCII, 2-, 3- and 4-byte forms at
 * their boundaries; it refuses stray continuation bytes, overlong forms (C0/C1, E0 80..9F,
 * F0 80..8F), UTF-16 surrogates (ED A0..BF), code points past U+10FFFF (F4 90.., F5..FF) and a
 * sequence cut short. utf8_make_printable turns controls, DEL and bad bytes into '?' and leaves
 * good text alone.
 */
#include "test.h"
#include "util/utf8.h"

#include <string.h>

static size_t seq(const char *bytes)
{
    return utf8_seq((const unsigned char *)bytes, strlen(bytes));
}

static void utf8_should_accept_well_formed_sequences_at_their_boundaries(void)
{
    CHECK_EQ_INT(seq("A"), 1);
    CHECK_EQ_INT(seq("\x7F"), 1);         /* DEL is ASCII: printable is another question */
    CHECK_EQ_INT(seq("\xC2\x80"), 2);     /* U+0080, the first 2-byte code point */
    CHECK_EQ_INT(seq("\xDF\xBF"), 2);     /* U+07FF */
    CHECK_EQ_INT(seq("\xE0\xA0\x80"), 3); /* U+0800 */
    CHECK_EQ_INT(seq("\xE2\x9C\x89"), 3); /* U+2709 ENVELOPE, which the player draws */
    CHECK_EQ_INT(seq("\xED\x9F\xBF"), 3); /* U+D7FF, just below the surrogates */
    CHECK_EQ_INT(seq("\xEE\x80\x80"), 3); /* U+E000, just above them */
    CHECK_EQ_INT(seq("\xF0\x90\x80\x80"), 4); /* U+10000 */
    CHECK_EQ_INT(seq("\xF4\x8F\xBF\xBF"), 4); /* U+10FFFF, the last code point */
}

static void utf8_should_refuse_malformed_sequences(void)
{
    CHECK_EQ_INT(seq("\x80"), 0);             /* a continuation byte alone */
    CHECK_EQ_INT(seq("\xC0\xAF"), 0);         /* overlong '/' */
    CHECK_EQ_INT(seq("\xC1\xBF"), 0);         /* overlong */
    CHECK_EQ_INT(seq("\xE0\x9F\xBF"), 0);     /* overlong 3-byte form */
    CHECK_EQ_INT(seq("\xED\xA0\x80"), 0);     /* U+D800, a surrogate */
    CHECK_EQ_INT(seq("\xED\xBF\xBF"), 0);     /* U+DFFF */
    CHECK_EQ_INT(seq("\xF0\x8F\xBF\xBF"), 0); /* overlong 4-byte form */
    CHECK_EQ_INT(seq("\xF4\x90\x80\x80"), 0); /* U+110000 */
    CHECK_EQ_INT(seq("\xF5\x80\x80\x80"), 0);
    CHECK_EQ_INT(seq("\xFF"), 0);
    CHECK_EQ_INT(seq("\xE2\x9C"), 0);         /* cut short by the end of the text */
    CHECK_EQ_INT(seq("\xE2\x9C" "A"), 0);     /* cut short by an ASCII byte */
    CHECK_EQ_INT(seq("\xF0\x90\x80" "A"), 0);
}

static void utf8_should_make_text_printable_and_leave_good_text_alone(void)
{
    char good[] = "caf\xC3\xA9 \xE2\x9C\x89 ok";
    utf8_make_printable(good);
    CHECK_EQ_STR(good, "caf\xC3\xA9 \xE2\x9C\x89 ok");
    char bad[] = "a\tb\x7F" "c\x1B[31m\xC3(d\xE2\x9C";
    utf8_make_printable(bad);
    CHECK_EQ_STR(bad, "a?b?c?[31m?(d??");
    char empty[] = "";
    utf8_make_printable(empty);
    CHECK_EQ_STR(empty, "");
}

RUN_TESTS(TEST_CASE(utf8_should_accept_well_formed_sequences_at_their_boundaries),
          TEST_CASE(utf8_should_refuse_malformed_sequences),
          TEST_CASE(utf8_should_make_text_printable_and_leave_good_text_alone))
