/* Unit tests of src/api/ready.c: every readiness probe is answered exactly
 * once and by its deadline, even while the prober is stuck in the database
 * (here: a handler held on a gate); a free prober answers the probes waiting
 * with one ping. No timing decides a result: waits are bounded only to catch
 * a hang. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/ready.h"
#include "api/respond.h"
#include "core/log.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static bool gate_open;
static int pings, answered;

/* As health_ready: with a store, "ping" (held until the gate opens), 200;
 * without one, 503 at once. */
static void probe_handler(struct request *req, struct response *res)
{
    if (!req->store) {
        respond_static(res, 503, "application/json", "down", 4);
        return;
    }
    pthread_mutex_lock(&mu);
    pings++;
    pthread_cond_broadcast(&changed);
    while (!gate_open)
        pthread_cond_wait(&changed, &mu);
    pthread_mutex_unlock(&mu);
    respond_static(res, 200, "application/json", "up", 2);
}

static const struct route probe_route = {"GET", "/health/ready", probe_handler, AUTH_NONE, RUN_READY, 0, 0};

static void on_done(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&mu);
    answered++;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&mu);
}

/* Waits (at most 20 s: only a hang fails here) until *counter reaches n. */
static void wait_for(int *counter, int n)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 20;
    pthread_mutex_lock(&mu);
    while (*counter < n)
        if (pthread_cond_timedwait(&changed, &mu, &until) != 0)
            break;
    int got = *counter;
    pthread_mutex_unlock(&mu);
    cr_assert_geq(got, n, "waited 20 s for %d, got %d", n, got);
}

static char db_path[64], db_url[80];

static void setup(void)
{
    log_set_level("error");
    snprintf(db_path, sizeof db_path, "/tmp/appointd_test_ready_XXXXXX");
    int fd = mkstemp(db_path);
    cr_assert_geq(fd, 0);
    close(fd);
    snprintf(db_url, sizeof db_url, "sqlite:%s", db_path);
}

static void teardown(void)
{
    unlink(db_path);
}

static void open_gate(void)
{
    pthread_mutex_lock(&mu);
    gate_open = true;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&mu);
}

TestSuite(ready, .init = setup, .fini = teardown, .timeout = 60);

Test(ready, a_stuck_prober_still_answers_every_probe_503_once)
{
    struct response res[6];
    memset(res, 0, sizeof res);
    cr_assert(ready_start(db_url, 300));
    for (int i = 0; i < 4; i++)
        cr_assert(ready_submit(&probe_route, &res[i], on_done, NULL));
    wait_for(&answered, 4);
    wait_for(&pings, 1);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(res[i].status, 503, "probe %d: %d", i, res[i].status);

    /* The prober comes back: what it found goes to nobody (all answered). */
    open_gate();
    for (int i = 4; i < 6; i++)
        cr_assert(ready_submit(&probe_route, &res[i], on_done, NULL));
    wait_for(&answered, 6);
    ready_stop();
    cr_assert_eq(answered, 6, "a probe was answered twice");
    for (int i = 4; i < 6; i++)
        cr_assert(res[i].status == 200 || res[i].status == 503, "probe %d: %d", i, res[i].status);
    for (int i = 0; i < 6; i++)
        response_release(&res[i]);
}

Test(ready, probes_waiting_during_a_ping_share_the_next_one)
{
    enum { N = 16 };
    struct response res[N + 1];
    memset(res, 0, sizeof res);
    cr_assert(ready_start(db_url, 20000));
    cr_assert(ready_submit(&probe_route, &res[0], on_done, NULL));
    wait_for(&pings, 1); /* the first round's ping is held on the gate */
    for (int i = 1; i <= N; i++)
        cr_assert(ready_submit(&probe_route, &res[i], on_done, NULL));
    open_gate();
    wait_for(&answered, N + 1);
    ready_stop();
    for (int i = 0; i <= N; i++)
        cr_assert_eq(res[i].status, 200, "probe %d: %d", i, res[i].status);
    cr_assert_eq(pings, 2, "%d pings for one round and %d probes that waited", pings, N);
    cr_assert_eq(answered, N + 1);
}

static void *open_when_all_answered(void *arg)
{
    wait_for(&answered, *(int *)arg);
    open_gate();
    return NULL;
}

Test(ready, stop_answers_what_waits_then_refuses_more)
{
    struct response res[3];
    int n = 3;
    memset(res, 0, sizeof res);
    cr_assert(ready_start(db_url, 60000));
    for (int i = 0; i < n; i++)
        cr_assert(ready_submit(&probe_route, &res[i], on_done, NULL));
    wait_for(&pings, 1);
    /* ready_stop answers the waiting probes at once (the deadline is a
     * minute away), then joins the prober, which returns once they are. */
    pthread_t opener;
    cr_assert_eq(pthread_create(&opener, NULL, open_when_all_answered, &n), 0);
    ready_stop();
    pthread_join(opener, NULL);
    for (int i = 0; i < n; i++)
        cr_assert_eq(res[i].status, 503, "probe %d: %d", i, res[i].status);
    struct response late = {0};
    cr_assert_not(ready_submit(&probe_route, &late, on_done, NULL));
    cr_assert_eq(answered, n);
}
