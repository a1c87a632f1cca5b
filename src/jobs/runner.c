#include "jobs/runner.h"

#include <glib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/banned.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/thread.h"
#include "core/random.h"
#include "core/timeutil.h"
#include "db/store.h"
#include "services/audit.h"
#include "services/retention.h"
#include "jobs/waitlist.h"
#include "jobs/webhooks.h"

struct job {
    const char *name;
    int interval_ms;
    enum app_err (*run)(struct store *s);
    bool everywhere; /* runs in every process, with no lease */
    void (*stop)(struct store *s); /* on its thread after its last turn (NULL: nothing) */
};

/* Read-only once the threads run. */
static struct retention_policy policy;
static char database_url[1024];
static char owner[33]; /* this process, in job_leases */

static enum app_err run_seal(struct store *s)
{
    static struct outbox_cursor place; /* only the sealer's thread uses it */
    int sealed = 500;
    enum app_err err = APP_OK;
    /* Catch up in one go after a pause; each batch is its own unit of work. */
    while (!err && sealed == 500)
        err = audit_seal(s, &place, 500, &sealed);
    return err;
}

static enum app_err run_retention(struct store *s)
{
    int64_t deleted = 0;
    enum app_err err = retention_run(s, &policy, clock_now(), &deleted);
    if (!err && deleted)
        log_info("retention deleted %" G_GINT64_FORMAT " rows", deleted);
    return err;
}

/* The sealer may run in another process: measure in the database. */
static enum app_err run_outbox_lag(struct store *s)
{
    int64_t n = 0;
    enum app_err err = store_audit_unsealed(s, &n);
    if (!err)
        metrics_set_audit_unsealed(n);
    return err;
}

static struct job jobs[] = {
    {"audit_seal", 1000, run_seal, false, NULL},
    {"retention", 60000, run_retention, false, NULL},
    {"outbox_lag", 2000, run_outbox_lag, true, NULL},
    {"webhook_fanout", 200, webhook_jobs_fanout, false, NULL},
    {"webhook_reminders", 1000, webhook_jobs_remind, false, NULL},
    /* Serves freed slots within a second of the change (API.md). */
    {"waitlist", 150, waitlist_job_run, false, NULL},
    /* Its turn waits on its transfers itself (at most 100 ms). */
    {"webhook_deliver", 0, webhook_jobs_deliver, true, webhook_jobs_deliver_stop},
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stopping;
    pthread_t threads[sizeof jobs / sizeof jobs[0]];
    int n;
} runner = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* Sleeps ms unless stopped first; false once stopping. */
static bool wait_ms(int ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&runner.lock);
    while (!runner.stopping && pthread_cond_timedwait(&runner.cond, &runner.lock, &until) == 0)
        ;
    bool go_on = !runner.stopping;
    pthread_mutex_unlock(&runner.lock);
    return go_on;
}

/* One turn: hold the lease (three intervals, at least 10 s), then run.
 * False when it failed (the job then waits at least a second). */
static bool turn(const struct job *j, struct store **s)
{
    char err[256];
    if (!*s && !(*s = store_open(database_url, err, sizeof err))) {
        log_error("cannot connect: %s", err);
        return false;
    }
    int64_t now = clock_now(), ttl = j->interval_ms * 3 / 1000;
    bool held = j->everywhere;
    enum app_err e = held ? APP_OK
                          : store_job_lease(*s, j->name, owner, now, now + (ttl < 10 ? 10 : ttl), &held);
    if (!e && held)
        e = j->run(*s);
    if (e)
        log_error("failed: %s", app_error_info(e)->detail);
    return e == APP_OK;
}

static void *job_main(void *arg)
{
    const struct job *j = arg;
    char what[48];
    struct store *s = NULL;
    g_snprintf(what, sizeof what, "job %s", j->name);
    log_set_context(what);
    /* A job that runs back to back (interval 0) must not spin on a
     * database that is gone. */
    while (wait_ms(turn(j, &s) || j->interval_ms >= 1000 ? j->interval_ms : 1000))
        ;
    bool held;
    if (j->stop)
        j->stop(s);
    if (s && !j->everywhere)
        (void)store_job_lease(s, j->name, owner, 0, clock_now() - 1, &held);
    store_close(s);
    return NULL;
}

bool jobs_start(const struct config *cfg)
{
    pthread_condattr_t attr;
    policy = (struct retention_policy){cfg->login_window_seconds,
                                       (int64_t)cfg->event_retention_hours * 3600,
                                       (int64_t)cfg->audit_retention_days * 86400,
                                       (int64_t)cfg->webhook_delivery_retention_days * 86400};
    jobs[1].interval_ms = cfg->retention_interval_seconds * 1000;
    g_strlcpy(database_url, cfg->database_url, sizeof database_url);
    if (!random_hex(owner, 16) || !webhook_jobs_init(cfg, owner))
        return false;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&runner.cond, &attr);
    pthread_condattr_destroy(&attr);
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
        if (thread_start_quiet(&runner.threads[runner.n], job_main, &jobs[i]) != 0)
            return false;
        runner.n++;
    }
    return true;
}

void jobs_stop(void)
{
    pthread_mutex_lock(&runner.lock);
    runner.stopping = true;
    pthread_cond_broadcast(&runner.cond);
    pthread_mutex_unlock(&runner.lock);
    for (int i = 0; i < runner.n; i++)
        pthread_join(runner.threads[i], NULL);
    runner.n = 0;
    webhook_jobs_cleanup();
}
