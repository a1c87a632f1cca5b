#include "api/ready.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/banned.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "db/store.h"

struct probe {
    const struct route *route;
    struct response *res;
    void (*done)(void *);
    void *arg;
    int64_t deadline_us;
    uint64_t round; /* the prober round answering it; 0: none yet */
    struct probe *next;
};

/* Probes in arrival order, which is deadline order (one timeout for all).
 * A probe belongs to the list until one thread takes it out under the lock,
 * and that thread alone answers it. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t work;  /* the prober: probes without a round */
    pthread_cond_t timer; /* the timer: the list changed */
    struct probe *head, *tail;
    uint64_t rounds;
    bool running, stopping;
    int64_t timeout_us;
    char *url;
    pthread_t prober, timer_thread;
} rd = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void unlink_probe(struct probe *p, struct probe *prev)
{
    if (prev)
        prev->next = p->next;
    else
        rd.head = p->next;
    if (rd.tail == p)
        rd.tail = prev;
    p->next = NULL;
}

/* Gives every waiting probe without a round this one; returns its route
 * (NULL: none waiting). */
static const struct route *start_round(uint64_t round)
{
    const struct route *route = NULL;
    for (struct probe *p = rd.head; p; p = p->next)
        if (!p->round) {
            p->round = round;
            route = route ? route : p->route;
        }
    return route;
}

/* Takes the probes of round out of the list, as a chain. */
static struct probe *take_round(uint64_t round)
{
    struct probe *chain = NULL, *prev = NULL, *next;
    for (struct probe *p = rd.head; p; p = next) {
        next = p->next;
        if (p->round != round) {
            prev = p;
            continue;
        }
        unlink_probe(p, prev);
        p->next = chain;
        chain = p;
    }
    return chain;
}

static void copy_response(struct response *to, const struct response *from)
{
    *to = *from;
    if (!from->body_static && from->body) {
        to->body = malloc(from->body_len ? from->body_len : 1);
        if (to->body)
            memcpy(to->body, from->body, from->body_len);
        else
            to->body_len = 0;
    }
}

static void finish(struct probe *p)
{
    p->done(p->arg);
    free(p);
}

/* One ping, answered to every probe waiting when it began. */
static void run_round(struct store **store, const struct route *route, uint64_t round)
{
    char err[256];
    struct response scratch = {0};
    if (!*store && !(*store = store_open(rd.url, err, sizeof err)))
        log_warn("readiness cannot connect: %s", err);
    struct request req = {.store = *store};
    route->handler(&req, &scratch);
    pthread_mutex_lock(&rd.lock);
    struct probe *chain = take_round(round);
    pthread_cond_signal(&rd.timer);
    pthread_mutex_unlock(&rd.lock);
    for (struct probe *p = chain, *next; p; p = next) {
        next = p->next;
        copy_response(p->res, &scratch);
        finish(p);
    }
    response_release(&scratch);
}

static void *prober_main(void *arg)
{
    struct store *store = NULL;
    (void)arg;
    pthread_mutex_lock(&rd.lock);
    while (!rd.stopping) {
        const struct route *route = start_round(rd.rounds + 1);
        if (!route) {
            pthread_cond_wait(&rd.work, &rd.lock);
            continue;
        }
        uint64_t round = ++rd.rounds;
        pthread_mutex_unlock(&rd.lock);
        run_round(&store, route, round);
        pthread_mutex_lock(&rd.lock);
    }
    pthread_mutex_unlock(&rd.lock);
    store_close(store);
    return NULL;
}

static struct timespec mono_at(int64_t us)
{
    return (struct timespec){.tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000};
}

/* The deadline's answer: the handler with no store says "unavailable". */
static void *timer_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&rd.lock);
    while (!rd.stopping || rd.head) {
        struct probe *p = rd.head;
        if (!p) {
            pthread_cond_wait(&rd.timer, &rd.lock);
            continue;
        }
        if (!rd.stopping && p->deadline_us > clock_mono_us()) {
            struct timespec at = mono_at(p->deadline_us);
            pthread_cond_timedwait(&rd.timer, &rd.lock, &at);
            continue;
        }
        unlink_probe(p, NULL);
        pthread_mutex_unlock(&rd.lock);
        struct request req = {.store = NULL};
        p->route->handler(&req, p->res);
        finish(p);
        pthread_mutex_lock(&rd.lock);
    }
    pthread_mutex_unlock(&rd.lock);
    return NULL;
}

static bool init_conds(void)
{
    pthread_condattr_t attr;
    bool ok = pthread_condattr_init(&attr) == 0 &&
              pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0 &&
              pthread_cond_init(&rd.timer, &attr) == 0;
    pthread_condattr_destroy(&attr);
    return ok && pthread_cond_init(&rd.work, NULL) == 0;
}

static void stop_threads(bool timer_started)
{
    pthread_mutex_lock(&rd.lock);
    rd.stopping = true;
    pthread_cond_broadcast(&rd.work);
    pthread_cond_broadcast(&rd.timer);
    pthread_mutex_unlock(&rd.lock);
    if (timer_started)
        pthread_join(rd.timer_thread, NULL);
    pthread_join(rd.prober, NULL);
}

bool ready_start(const char *database_url, int timeout_ms)
{
    rd.url = strdup(database_url);
    rd.timeout_us = (int64_t)timeout_ms * 1000;
    rd.stopping = false;
    if (!rd.url || !init_conds() || pthread_create(&rd.prober, NULL, prober_main, NULL) != 0)
        return false;
    if (pthread_create(&rd.timer_thread, NULL, timer_main, NULL) != 0) {
        stop_threads(false);
        return false;
    }
    rd.running = true;
    return true;
}

void ready_stop(void)
{
    if (rd.running)
        stop_threads(true);
    rd.running = false;
    free(rd.url);
    rd.url = NULL;
}

bool ready_submit(const struct route *route, struct response *res, void (*done)(void *),
                  void *arg)
{
    struct probe *p = calloc(1, sizeof *p);
    if (!p)
        return false;
    *p = (struct probe){route, res, done, arg, clock_mono_us() + rd.timeout_us, 0, NULL};
    pthread_mutex_lock(&rd.lock);
    bool ok = rd.running && !rd.stopping;
    if (ok) {
        if (rd.tail)
            rd.tail->next = p;
        else
            rd.head = p;
        rd.tail = p;
        pthread_cond_signal(&rd.work);
        pthread_cond_signal(&rd.timer);
    }
    pthread_mutex_unlock(&rd.lock);
    if (!ok)
        free(p);
    return ok;
}
