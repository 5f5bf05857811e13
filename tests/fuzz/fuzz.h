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
#include "util/utf8.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #cond);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* An error a user sees must be set, and be one line of printable UTF-8 (README: "the file, the
 * place and what was expected"). */
static inline void fuzz_check_error(const Error *err)
{
    char buf[1400];
    FUZZ_CHECK(err->set);
    FUZZ_CHECK(err->msg[0] != '\0');
    const char *text = error_format(err, buf, sizeof buf);
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        size_t n = utf8_seq(p, strlen((const char *)p));
        FUZZ_CHECK(n > 0);
        FUZZ_CHECK(!(n == 1 && (*p < 0x20 || *p == 0x7F)));
        p += n;
    }
}

#endif
