#include "api/workers.h"

#include <glib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/dispatch.h"
#include "api/respond.h"
#include "core/banned.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/timeutil.h"
#include "db/store.h"

struct job {
    const struct route *route;
    struct request *req;
    struct response *res;
    void (*done)(void *);
    void *arg;
    struct job *next;
};

/* One pool: a FIFO of jobs under one lock. The pool owns the jobs and the
 * threads; each thread owns its store. bcrypt routes have a pool of their
 * own with a bounded queue, so a signup flood neither takes the workers of
 * the database routes nor queues without end. */
struct pool {
    const char *name;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct job *head, *tail;
    int queued;
    int max_queued; /* -1: no bound */
    bool stopping;
    int n;
    pthread_t *threads;
    int64_t busy_us, done; /* work finished, for the Retry-After of a full queue */
};

static struct pool db_pool = {.name = "database", .lock = PTHREAD_MUTEX_INITIALIZER,
                              .cond = PTHREAD_COND_INITIALIZER, .max_queued = -1};
static struct pool bcrypt_pool = {.name = "bcrypt", .lock = PTHREAD_MUTEX_INITIALIZER,
                                  .cond = PTHREAD_COND_INITIALIZER, .max_queued = -1};
static char *database_url;

static struct job *next_job(struct pool *p, int64_t took_us)
{
    pthread_mutex_lock(&p->lock);
    p->busy_us += took_us;
    p->done += took_us > 0;
    while (!p->head && !p->stopping)
        pthread_cond_wait(&p->cond, &p->lock);
    struct job *j = p->head;
    if (j) {
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        p->queued--;
    }
    pthread_mutex_unlock(&p->lock);
    return j;
}

static void *worker_main(void *arg)
{
    struct pool *p = arg;
    struct store *store = NULL;
    char err[256];
    int64_t took = 0;
    for (struct job *j = next_job(p, 0); j; j = next_job(p, took)) {
        int64_t start = clock_mono_us();
        if (!store && !(store = store_open(database_url, err, sizeof err)))
            log_error("%s worker cannot connect: %s", p->name, err);
        if (store) {
            metrics_db_in_use_add(1);
            dispatch_run(j->route, j->req, j->res, store);
            metrics_db_in_use_add(-1);
        }
        else
            respond_error(j->res, APP_ERR_UNAVAILABLE);
        j->done(j->arg);
        free(j);
        took = clock_mono_us() - start;
        if (took < 1)
            took = 1;
    }
    store_close(store);
    return NULL;
}

static bool pool_start(struct pool *p, int n, int max_queued)
{
    p->max_queued = max_queued;
    p->threads = calloc((size_t)n, sizeof *p->threads);
    for (int i = 0; p->threads && i < n; i++) {
        if (pthread_create(&p->threads[i], NULL, worker_main, p) != 0)
            break;
        p->n++;
    }
    return p->n > 0;
}

bool workers_start(int db_threads, int bcrypt_threads, int bcrypt_queue, const char *url)
{
    database_url = strdup(url);
    return database_url && pool_start(&db_pool, db_threads, -1) &&
           pool_start(&bcrypt_pool, bcrypt_threads, bcrypt_queue);
}

/* Seconds until a full queue has room again, from the average job so far. */
static int retry_after(const struct pool *p)
{
    int64_t avg_us = p->done ? p->busy_us / p->done : 0;
    int64_t wait_us = avg_us * (p->max_queued + p->n) / p->n;
    int64_t s = (wait_us + 999999) / 1000000;
    return s < 1 ? 1 : s > 60 ? 60 : (int)s;
}

enum workers_result workers_submit(const struct route *route, struct request *req,
                                   struct response *res, void (*done)(void *), void *arg,
                                   int *retry_after_s)
{
    struct pool *p = route->run == RUN_BCRYPT ? &bcrypt_pool : &db_pool;
    struct job *j = calloc(1, sizeof *j);
    if (!j)
        return WORKERS_STOPPING;
    *j = (struct job){route, req, res, done, arg, NULL};
    pthread_mutex_lock(&p->lock);
    enum workers_result r = p->stopping ? WORKERS_STOPPING
                            : p->max_queued >= 0 && p->queued >= p->max_queued ? WORKERS_FULL
                                                                               : WORKERS_QUEUED;
    if (r == WORKERS_QUEUED) {
        if (p->tail)
            p->tail->next = j;
        else
            p->head = j;
        p->tail = j;
        p->queued++;
        pthread_cond_signal(&p->cond);
    } else if (r == WORKERS_FULL) {
        *retry_after_s = retry_after(p);
    }
    pthread_mutex_unlock(&p->lock);
    if (r != WORKERS_QUEUED)
        free(j);
    return r;
}

static void pool_stop(struct pool *p)
{
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    p->threads = NULL;
    p->n = 0;
}

void workers_stop(void)
{
    pool_stop(&db_pool);
    pool_stop(&bcrypt_pool);
    free(database_url);
    database_url = NULL;
}
