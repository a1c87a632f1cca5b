#include "api/watchdog.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/banned.h"
#include "core/timeutil.h"

struct conn_watch {
    int fd;
    atomic_int_fast64_t since_us; /* 0 while a request is being handled */
    atomic_bool in_request;       /* from its headers to its answer */
    int64_t gone_since;           /* since_us when the client was first seen gone (sweep only) */
    bool cut;
    struct conn_watch *prev, *next;
};

/* The list of open connections; the lock also keeps each fd open while it is
 * shut down, since libmicrohttpd removes a watch before closing its socket.
 * polls and watches are the sweep's scratch arrays, one entry a connection. */
static struct {
    pthread_mutex_t lock;
    struct conn_watch *head;
    atomic_int count;
    pthread_t thread;
    atomic_bool stop;
    atomic_bool draining;
    int64_t request_us;
    bool running;
    struct pollfd *polls;
    struct conn_watch **watches;
    size_t cap;
} wd = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void cut(struct conn_watch *w)
{
    shutdown(w->fd, SHUT_RDWR);
    w->cut = true;
}

/* Has the client gone (closed, half-closed or reset) while its connection
 * waits for, or is still delivering, a request? Then that request can never
 * arrive. libmicrohttpd 0.9.75 misses such a close when the FIN comes with
 * the last bytes (a short read clears its "readable" flag and no new edge
 * follows), and would hold the slot until the timeout. Bytes still unread
 * mean libmicrohttpd has yet to look, and one sighting is not enough: the
 * connection must still be stuck on the same request at the next sweep. */
static bool client_gone(struct conn_watch *w, int64_t since, short revents)
{
    int unread = 0;
    if (!(revents & (POLLRDHUP | POLLHUP | POLLERR)) || !since) {
        w->gone_since = 0;
        return false;
    }
    if (ioctl(w->fd, FIONREAD, &unread) == 0 && unread > 0)
        return false;
    if (w->gone_since != since) {
        w->gone_since = since;
        return false;
    }
    return true;
}

/* Fills the scratch arrays with the connections not cut yet; returns how many. */
static size_t gather(void)
{
    size_t n = 0, want = (size_t)atomic_load(&wd.count);
    if (want > wd.cap) {
        struct pollfd *p = realloc(wd.polls, want * sizeof *p);
        struct conn_watch **w = p ? realloc(wd.watches, want * sizeof *w) : NULL;
        if (p)
            wd.polls = p;
        if (w) {
            wd.watches = w;
            wd.cap = want;
        }
    }
    for (struct conn_watch *w = wd.head; w && n < wd.cap; w = w->next) {
        /* A request in hand (an event stream's, for hours) can be cut by
         * nothing the sweep looks at: polling 10 000 streams' sockets four
         * times a second would be all the sweep did. */
        bool in_hand = atomic_load(&w->since_us) == 0 && atomic_load(&w->in_request);
        if (w->cut || in_hand)
            continue;
        wd.polls[n] = (struct pollfd){.fd = w->fd, .events = POLLRDHUP};
        wd.watches[n++] = w;
    }
    return n;
}

static void sweep(void)
{
    int64_t now = clock_mono_us();
    bool draining = atomic_load(&wd.draining);
    pthread_mutex_lock(&wd.lock);
    size_t n = gather();
    if (n && poll(wd.polls, n, 0) < 0)
        memset(wd.polls, 0, n * sizeof *wd.polls);
    for (size_t i = 0; i < n; i++) {
        struct conn_watch *w = wd.watches[i];
        int64_t since = atomic_load(&w->since_us);
        bool late = since && now - since > wd.request_us;
        /* Draining: a connection between requests gets no further one. */
        bool idle = draining && !atomic_load(&w->in_request);
        if (client_gone(w, since, wd.polls[i].revents) || late || idle)
            cut(w);
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
    free(wd.polls);
    free(wd.watches);
    wd.polls = NULL;
    wd.watches = NULL;
    wd.cap = 0;
}

int watchdog_count(void)
{
    return atomic_load_explicit(&wd.count, memory_order_relaxed);
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
    atomic_fetch_add(&wd.count, 1);
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
    atomic_fetch_sub(&wd.count, 1);
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
