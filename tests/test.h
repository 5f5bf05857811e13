/* test.h: the tiny assertion kit every test executable uses.
 *
 * CHECK records a failure with its file and line and carries on, so one run reports every broken
 * expectation; REQUIRE does the same and then leaves the test function, for a result the rest of
 * the case cannot do without. test_main prints "N passed, M failed" and returns non-zero on any
 * failure. A case that made no check at all fails: a test must check something to pass.
 */
#ifndef MAILSIM_TEST_H
#define MAILSIM_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int test_failures_;
static int test_checks_;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        test_checks_++;                                                                            \
        if (!(cond)) {                                                                             \
            test_failures_++;                                                                      \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

/* CHECK, then return from the (void) test function when the condition does not hold. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        test_checks_++;                                                                            \
        if (!(cond)) {                                                                             \
            test_failures_++;                                                                      \
            fprintf(stderr, "%s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond);             \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long va_ = (long long)(a), vb_ = (long long)(b);                                      \
        test_checks_++;                                                                            \
        if (va_ != vb_) {                                                                          \
            test_failures_++;                                                                      \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b,  \
                    va_, vb_);                                                                     \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *sa_ = (a), *sb_ = (b);                                                         \
        test_checks_++;                                                                            \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                                               \
            test_failures_++;                                                                      \
            fprintf(stderr, "%s:%d: %s == %s failed:\n  got:  %s\n  want: %s\n", __FILE__,         \
                    __LINE__, #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");                 \
        }                                                                                          \
    } while (0)

typedef struct {
    const char *name;
    void (*fn)(void);
} TestCase;

/* Runs every case, reports each one's outcome, and closes with the line ctest-style runners read. */
static inline int test_main(const TestCase *cases, size_t n)
{
    int failed_cases = 0;
    for (size_t i = 0; i < n; i++) {
        int before = test_failures_, checks_before = test_checks_;
        cases[i].fn();
        int checked = test_checks_ != checks_before;
        int ok = test_failures_ == before && checked;
        failed_cases += !ok;
        if (!checked) {
            fprintf(stderr, "%s: made no check\n", cases[i].name);
        }
        printf("%s %s\n", ok ? "ok  " : "FAIL", cases[i].name);
    }
    printf("%zu passed, %d failed (%d checks)\n", n - (size_t)failed_cases, failed_cases,
           test_checks_);
    return failed_cases ? 1 : 0;
}

#define TEST_CASE(fn) { #fn, fn }
#define RUN_TESTS(...)                                                                             \
    int main(void)                                                                                 \
    {                                                                                              \
        static const TestCase cases_[] = { __VA_ARGS__ };                                          \
        return test_main(cases_, sizeof cases_ / sizeof cases_[0]);                                \
    }

#endif
