/* fuzz.h: what the libFuzzer harnesses in tests/fuzz/ share.
 *
 * Each harness defines LLVMFuzzerTestOneInput. Built with clang's -fsanitize=fuzzer it is a
 * fuzzer (tests/fuzz/run.sh); linked with replay_main.c it is an ordinary program that feeds it
 * the files it is given, so every build (gcc, ASan, valgrind) replays the regression inputs.
 *
 * FUZZ_CHECK states a property the code under test promises (an error is one printable line, a
 * trace the simulation wrote can be read back ...). It aborts, so libFuzzer records the input as a
 * crash, and it works in release builds, where assert() is compiled out.
 */
#ifndef MAILSIM_FUZZ_H
#define MAILSIM_FUZZ_H

#include "util/error.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* Length of the well-formed UTF-8 sequence at s, or 0 (overlong forms and surrogates refused). */
static inline size_t fuzz_utf8_seq(const unsigned char *s)
{
    unsigned char b = s[0], lo = 0x80, hi = 0xBF;
    size_t n;
    if (b < 0x80) {
        return 1;
    } else if (b >= 0xC2 && b <= 0xDF) {
        n = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        n = 3;
        lo = b == 0xE0 ? 0xA0 : 0x80;
        hi = b == 0xED ? 0x9F : 0xBF;
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4;
        lo = b == 0xF0 ? 0x90 : 0x80;
        hi = b == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi) {
        return 0;
    }
    for (size_t i = 2; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return n;
}

/* An error a user sees must be set, and be one line of printable UTF-8 (README: "the file, the
 * place and what was expected"). */
static inline void fuzz_check_error(const Error *err)
{
    char buf[1400];
    FUZZ_CHECK(err->set);
    FUZZ_CHECK(err->msg[0] != '\0');
    const unsigned char *p = (const unsigned char *)error_format(err, buf, sizeof buf);
    while (*p) {
        size_t n = fuzz_utf8_seq(p);
        FUZZ_CHECK(n > 0);
        FUZZ_CHECK(!(n == 1 && (*p < 0x20 || *p == 0x7F)));
        p += n;
    }
}

#endif
