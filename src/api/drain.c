#include "api/drain.h"

#include <pthread.h>
#include <stdatomic.h>

#include "core/notify.h"
#include "core/banned.h"

/* held and closed change together under lock: a hand-over either counts
 * before the gate closes or sees it closed. */
static struct {
    pthread_mutex_t lock;
    int held;
    bool closed;
    atomic_bool draining;
} gate = {.lock = PTHREAD_MUTEX_INITIALIZER};

void drain_begin(void)
{
    notify_stopping();
    atomic_store(&gate.draining, true);
}

bool drain_active(void)
{
    return atomic_load_explicit(&gate.draining, memory_order_relaxed);
}

bool drain_enter(void)
{
    pthread_mutex_lock(&gate.lock);
    bool ok = !gate.closed;
    if (ok)
        gate.held++;
    pthread_mutex_unlock(&gate.lock);
    return ok;
}

void drain_leave(void)
{
    pthread_mutex_lock(&gate.lock);
    gate.held--;
    pthread_mutex_unlock(&gate.lock);
}

bool drain_close(void)
{
    pthread_mutex_lock(&gate.lock);
    if (gate.held == 0)
        gate.closed = true;
    bool closed = gate.closed;
    pthread_mutex_unlock(&gate.lock);
    return closed;
}

int drain_held(void)
{
    pthread_mutex_lock(&gate.lock);
    int n = gate.held;
    pthread_mutex_unlock(&gate.lock);
    return n;
}
