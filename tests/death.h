/* death.h: run a piece of code in a child process and see whether it dies of a failed assert.
 * Only for test_*_asserts.c executables, which tests/CMakeLists.txt registers only in build types
 * that keep asserts; including this header without them is a build error, so such a test can never
 * pass without checking.
 */
#ifndef MAILSIM_TEST_DEATH_H
#define MAILSIM_TEST_DEATH_H

#ifdef NDEBUG
#error "death.h checks asserts: build this test only without NDEBUG"
#endif

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs `body` in a child process (its stderr to /dev/null) and reports whether it died of SIGABRT. */
static inline bool dies_of_abort(void (*body)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, STDERR_FILENO);
        }
        body();
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) {
        return false;
    }
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

#endif
