#include "core/cpu.h"

#include <pthread.h>
#include <sched.h>

#include "core/banned.h"

/* Written once by cpu_background_init before any worker starts. */
static bool supported;

static bool set_policy(int policy)
{
    struct sched_param param = {.sched_priority = 0};
    return pthread_setschedparam(pthread_self(), policy, &param) == 0;
}

static void *probe(void *result)
{
    *(bool *)result = set_policy(SCHED_IDLE) && set_policy(SCHED_OTHER);
    return NULL;
}

bool cpu_background_init(void)
{
    pthread_t t;
    bool ok = false;
    /* A thread of its own: if it cannot come back, it simply ends. */
    if (pthread_create(&t, NULL, probe, &ok) == 0)
        pthread_join(t, NULL);
    supported = ok;
    return ok;
}

void cpu_background_begin(void)
{
    if (supported)
        set_policy(SCHED_IDLE);
}

void cpu_background_end(void)
{
    if (supported)
        set_policy(SCHED_OTHER);
}
