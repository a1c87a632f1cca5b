#include "api/workers.h"

#include <glib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/dispatch.h"
#include "api/respond.h"
#include "core/banned.h"
#include "core/log.h"
#include "db/store.h"

struct job {
    const struct route *route;
    struct request *req;
    struct response *res;
    void (*done)(void *);
    void *arg;
    struct job *next;
};

/* The pool: a FIFO of jobs under one lock. The pool owns the jobs and the
 * threads; each thread owns its store. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct job *head, *tail;
    bool stopping;
    int n;
    pthread_t *threads;
    char *url;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static struct job *next_job(void)
{
    pthread_mutex_lock(&pool.lock);
    while (!pool.head && !pool.stopping)
        pthread_cond_wait(&pool.cond, &pool.lock);
    struct job *j = pool.head;
    if (j) {
        pool.head = j->next;
        if (!pool.head)
            pool.tail = NULL;
    }
    pthread_mutex_unlock(&pool.lock);
    return j;
}

static void *worker_main(void *arg)
{
    struct store *store = NULL;
    char err[256];
    (void)arg;
    for (struct job *j = next_job(); j; j = next_job()) {
        if (!store && !(store = store_open(pool.url, err, sizeof err)))
            log_error("worker cannot connect: %s", err);
        if (store)
            dispatch_run(j->route, j->req, j->res, store);
        else
            respond_error(j->res, APP_ERR_UNAVAILABLE);
        j->done(j->arg);
        free(j);
    }
    store_close(store);
    return NULL;
}

bool workers_start(int n, const char *database_url)
{
    pool.url = strdup(database_url);
    pool.threads = calloc((size_t)n, sizeof *pool.threads);
    if (!pool.url || !pool.threads)
        return false;
    for (int i = 0; i < n; i++) {
        if (pthread_create(&pool.threads[i], NULL, worker_main, NULL) != 0)
            break;
        pool.n++;
    }
    return pool.n > 0;
}

bool workers_submit(const struct route *route, struct request *req, struct response *res,
                    void (*done)(void *), void *arg)
{
    struct job *j = calloc(1, sizeof *j);
    if (!j)
        return false;
    *j = (struct job){route, req, res, done, arg, NULL};
    pthread_mutex_lock(&pool.lock);
    bool ok = !pool.stopping;
    if (ok) {
        if (pool.tail)
            pool.tail->next = j;
        else
            pool.head = j;
        pool.tail = j;
        pthread_cond_signal(&pool.cond);
    }
    pthread_mutex_unlock(&pool.lock);
    if (!ok)
        free(j);
    return ok;
}

void workers_stop(void)
{
    pthread_mutex_lock(&pool.lock);
    pool.stopping = true;
    pthread_cond_broadcast(&pool.cond);
    pthread_mutex_unlock(&pool.lock);
    for (int i = 0; i < pool.n; i++)
        pthread_join(pool.threads[i], NULL);
    free(pool.threads);
    free(pool.url);
    pool.threads = NULL;
    pool.url = NULL;
    pool.n = 0;
}
