#include "api/watchdog.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/banned.h"
#include "core/timeutil.h"

struct conn_watch {
    int fd;
    atomic_int_fast64_t since_us; /* 0 while a request is being handled */
    atomic_bool in_request;       /* from its headers to its answer */
    bool cut;
    struct conn_watch *prev, *next;
};

/* The list of open connections; the lock also keeps each fd open while it is
 * shut down, since libmicrohttpd removes a watch before closing its socket. */
static struct {
    pthread_mutex_t lock;
    struct conn_watch *head;
    pthread_t thread;
    atomic_bool stop;
    atomic_bool draining;
    int64_t request_us;
    bool running;
} wd = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void sweep(void)
{
    int64_t now = clock_mono_us();
    bool draining = atomic_load(&wd.draining);
    pthread_mutex_lock(&wd.lock);
    for (struct conn_watch *w = wd.head; w; w = w->next) {
        int64_t since = atomic_load(&w->since_us);
        bool late = since && now - since > wd.request_us;
        /* Draining: a connection between requests gets no further one. */
        bool idle = draining && !atomic_load(&w->in_request);
        if (!w->cut && (late || idle)) {
            shutdown(w->fd, SHUT_RDWR);
            w->cut = true;
        }
    }
    pthread_mutex_unlock(&wd.lock);
}

static void *watch_main(void *arg)
{
    (void)arg;
    while (!atomic_load(&wd.stop)) {
        usleep(250000);
        sweep();
    }
    return NULL;
}

void watchdog_start(int request_timeout)
{
    wd.request_us = (int64_t)request_timeout * 1000000;
    atomic_store(&wd.stop, false);
    wd.running = pthread_create(&wd.thread, NULL, watch_main, NULL) == 0;
}

void watchdog_drain(void)
{
    atomic_store(&wd.draining, true);
    sweep();
}

void watchdog_stop(void)
{
    atomic_store(&wd.stop, true);
    if (wd.running)
        pthread_join(wd.thread, NULL);
    wd.running = false;
}

struct conn_watch *watchdog_add(int fd)
{
    struct conn_watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->fd = fd;
    watchdog_request_done(w);
    pthread_mutex_lock(&wd.lock);
    w->next = wd.head;
    if (wd.head)
        wd.head->prev = w;
    wd.head = w;
    pthread_mutex_unlock(&wd.lock);
    return w;
}

void watchdog_remove(struct conn_watch *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&wd.lock);
    if (w->prev)
        w->prev->next = w->next;
    else
        wd.head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&wd.lock);
    free(w);
}

void watchdog_request_started(struct conn_watch *w)
{
    if (w)
        atomic_store(&w->in_request, true);
}

void watchdog_request_received(struct conn_watch *w)
{
    if (w)
        atomic_store(&w->since_us, 0);
}

void watchdog_request_done(struct conn_watch *w)
{
    if (w) {
        atomic_store(&w->since_us, clock_mono_us());
        atomic_store(&w->in_request, false);
    }
}
