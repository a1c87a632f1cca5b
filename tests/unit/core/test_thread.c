/* core/thread.c: a quiet thread blocks every signal; its starter's mask is
 * left as it was. */
#include <criterion/criterion.h>
#include <signal.h>

#include "core/thread.h"

static void *read_mask(void *arg)
{
    pthread_sigmask(SIG_BLOCK, NULL, arg);
    return NULL;
}

Test(thread, a_quiet_thread_takes_no_signal_and_its_starter_keeps_its_mask)
{
    sigset_t before, after, inside;
    pthread_sigmask(SIG_BLOCK, NULL, &before);
    cr_assert_not(sigismember(&before, SIGTERM), "the test starts with SIGTERM deliverable");
    pthread_t t;
    cr_assert_eq(thread_start_quiet(&t, read_mask, &inside), 0);
    pthread_join(t, NULL);
    cr_assert(sigismember(&inside, SIGTERM) && sigismember(&inside, SIGINT) &&
              sigismember(&inside, SIGPIPE) && sigismember(&inside, SIGUSR1));
    pthread_sigmask(SIG_BLOCK, NULL, &after);
    cr_assert_not(sigismember(&after, SIGTERM), "the starter's mask changed");
}
