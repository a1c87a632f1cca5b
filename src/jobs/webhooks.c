#include "jobs/webhooks.h"

#include <curl/curl.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/timeutil.h"
#include "jobs/webhook_http.h"
#include "schemas/webhooks.h"
#include "services/deliveries.h"

#define FANOUT_BATCH 500
#define CLAIM_EVERY_US 200000 /* how often an idle deliverer looks for due work */
#define STOP_GRACE_US 2000000

/* Read-only once the threads run. */
static struct {
    bool allow_private;
    int timeout_s, max_in_flight, minute_seconds;
    struct retry_schedule schedule;
    int retry[WEBHOOK_RETRY_MAX];
    char owner[40];
} opt;

/* A send with what its result is recorded against. */
struct transfer {
    struct webhook_send ws; /* first: its CURLOPT_PRIVATE (&ws) is the transfer */
    struct delivery d;
    int64_t failing_since;
    struct webhook_verdict verdict;
    uint64_t seq; /* order of finishing */
    bool kept;    /* the record found the claim still this one's */
    char claim[64];
    struct transfer *prev, *next; /* in flight: dl.flying */
};

/* The deliverer's state: its thread's alone. */
static struct {
    CURLM *multi;
    struct transfer *flying;
    int in_flight;
    int64_t last_claim_us;
    bool last_claim_full;
    uint64_t batch, finished;
    struct transfer **done;
    int n_done, cap_done;
    bool curl_ready; /* curl_global_init ran (webhook_jobs_init) */
} dl;

bool webhook_jobs_init(const struct config *cfg, const char *owner)
{
    opt.allow_private = cfg->webhook_allow_private != 0;
    opt.timeout_s = cfg->webhook_timeout_seconds;
    opt.max_in_flight = cfg->webhook_max_in_flight;
    opt.minute_seconds = cfg->webhook_minute_seconds;
    memcpy(opt.retry, cfg->webhook_retry, sizeof opt.retry);
    opt.schedule = (struct retry_schedule){opt.retry, cfg->webhook_retries};
    g_strlcpy(opt.owner, owner, sizeof opt.owner);
    dl.curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    return dl.curl_ready;
}

void webhook_jobs_cleanup(void)
{
    if (dl.curl_ready)
        curl_global_cleanup();
    dl.curl_ready = false;
}

enum app_err webhook_jobs_fanout(struct store *s)
{
    static struct outbox_cursor place; /* only the fan-out's thread uses it */
    int n = FANOUT_BATCH;
    enum app_err err = APP_OK;
    while (!err && n == FANOUT_BATCH)
        err = deliveries_fan_out(s, &place, FANOUT_BATCH, &n);
    return err;
}

enum app_err webhook_jobs_remind(struct store *s)
{
    int n = 0;
    return deliveries_remind(s, clock_now(), opt.minute_seconds, &n);
}

static void finish(struct transfer *t)
{
    if (dl.n_done == dl.cap_done) {
        int cap = dl.cap_done ? dl.cap_done * 2 : 64;
        struct transfer **p = realloc(dl.done, (size_t)cap * sizeof *p);
        if (!p) { /* the claim lapses and the attempt is made again */
            webhook_http_release(&t->ws);
            free(t);
            return;
        }
        dl.done = p;
        dl.cap_done = cap;
    }
    t->seq = dl.finished++;
    dl.done[dl.n_done++] = t;
}

/* Starts attempt a, or finishes it at once when there is nothing to send. */
static void start(const struct delivery_attempt *a, const char *claim, int64_t now)
{
    struct transfer *t = calloc(1, sizeof *t);
    char why[256];
    if (!t)
        return;
    t->d = a->d;
    t->failing_since = a->failing_since;
    g_strlcpy(t->claim, claim, sizeof t->claim);
    if (!webhook_http_prepare(&t->ws, a, now, opt.allow_private, opt.timeout_s, why,
                              sizeof why)) {
        t->verdict = deliveries_apply(&opt.schedule, &t->d, 0, why, now, t->failing_since);
        finish(t);
        return;
    }
    if (curl_multi_add_handle(dl.multi, t->ws.easy) != CURLM_OK) {
        webhook_http_release(&t->ws);
        free(t);
        return;
    }
    t->next = dl.flying;
    if (dl.flying)
        dl.flying->prev = t;
    dl.flying = t;
    dl.in_flight++;
}

static void land(struct transfer *t)
{
    curl_multi_remove_handle(dl.multi, t->ws.easy);
    if (t->prev)
        t->prev->next = t->next;
    else
        dl.flying = t->next;
    if (t->next)
        t->next->prev = t->prev;
    t->prev = t->next = NULL;
    dl.in_flight--;
}

static enum app_err claim_more(struct store *s)
{
    int64_t mono = clock_mono_us(), now = clock_now();
    int room = opt.max_in_flight - dl.in_flight;
    if (room <= 0 || (!dl.last_claim_full && mono - dl.last_claim_us < CLAIM_EVERY_US))
        return APP_OK;
    char claim[64];
    struct delivery_attempt_list list;
    int64_t due = 0;
    enum app_err err = dl.last_claim_full ? APP_OK : store_delivery_next_due(s, &due);
    if (err || (!dl.last_claim_full && (due == 0 || due > now))) {
        dl.last_claim_us = mono;
        return err;
    }
    g_snprintf(claim, sizeof claim, "%s-%" G_GUINT64_FORMAT, opt.owner, ++dl.batch);
    int limit = room < 200 ? room : 200;
    /* Long enough for the transfer and its record; a claim whose holder
     * died is due again when it lapses. */
    int64_t lease_until = now + 2 * opt.timeout_s + 5;
    err = store_delivery_claim(s, claim, now, limit, lease_until, &list);
    dl.last_claim_us = mono;
    dl.last_claim_full = !err && list.n == limit;
    for (int i = 0; !err && i < list.n; i++)
        start(&list.items[i], claim, now);
    if (!err)
        delivery_attempt_list_release(&list);
    return err;
}

/* Moves finished transfers from the multi handle to dl.done. */
static void collect(void)
{
    CURLMsg *m;
    int left;
    char why[256];
    while ((m = curl_multi_info_read(dl.multi, &left))) {
        struct transfer *t = NULL;
        if (m->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        CURLcode rc = m->data.result;
        land(t);
        int code = webhook_http_result(&t->ws, rc, why, sizeof why);
        t->verdict = deliveries_apply(&opt.schedule, &t->d, code, why[0] ? why : NULL,
                                      clock_now(), t->failing_since);
        finish(t);
    }
}

static enum metrics_webhook_outcome outcome_of(const struct delivery *d)
{
    return d->status == DELIVERY_DELIVERED ? METRICS_WEBHOOK_DELIVERED
           : d->status == DELIVERY_PENDING ? METRICS_WEBHOOK_RETRY
                                           : METRICS_WEBHOOK_FAILED;
}

/* By webhook, then in the order they finished. */
static int by_webhook(const void *a, const void *b)
{
    const struct transfer *x = *(struct transfer *const *)a, *y = *(struct transfer *const *)b;
    if (x->d.webhook_id != y->d.webhook_id)
        return x->d.webhook_id < y->d.webhook_id ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The webhook health of done[from, to) (one webhook): its last attempt
 * says whether it is failing, any may disable it. One update per webhook
 * and batch, taken in webhook order, so deliverers of several processes
 * never wait on each other's rows in a cycle; none when every attempt was
 * claimed in the state the last one leaves (a healthy webhook's successes):
 * a round trip saved a turn under load. A state another process changed
 * since the claim is set right by the next batch, which claims it so. */
static enum app_err record_health(struct store *s, int from, int to, int64_t now)
{
    const struct transfer *last = NULL;
    bool disable = false;
    for (int i = from; i < to; i++)
        if (dl.done[i]->kept) {
            last = dl.done[i];
            disable = disable || last->verdict.disable;
        }
    bool unchanged = last && !disable;
    for (int i = from; unchanged && i < to; i++)
        unchanged = !dl.done[i]->kept || (dl.done[i]->failing_since != 0) == last->verdict.failing;
    return last && !unchanged
               ? store_webhook_health(s, last->d.webhook_id, last->verdict.failing, now, disable)
               : APP_OK;
}

/* The unit of work of record(): the results in one statement, then each
 * webhook's health. */
static enum app_err record_unit(struct store *s, struct delivery_outcome *o, int64_t now)
{
    for (int i = 0; i < dl.n_done; i++)
        o[i] = (struct delivery_outcome){&dl.done[i]->d, dl.done[i]->claim, false};
    char *outcomes = schema_delivery_outcomes_text(o, dl.n_done);
    if (!outcomes)
        return APP_ERR_INTERNAL;
    enum app_err err = store_begin(s);
    if (!err)
        err = store_delivery_record(s, outcomes, now, o, dl.n_done);
    free(outcomes);
    for (int i = 0; !err && i < dl.n_done; i++)
        dl.done[i]->kept = o[i].kept;
    for (int i = 0, j; !err && i < dl.n_done; i = j) {
        for (j = i + 1; j < dl.n_done && dl.done[j]->d.webhook_id == dl.done[i]->d.webhook_id; j++)
            ;
        err = record_health(s, i, j, now);
    }
    return store_end(s, err);
}

/* Records every finished attempt in one unit of work. A failure leaves the
 * claims to lapse: those attempts are made again (at least once). */
static enum app_err record(struct store *s)
{
    if (!dl.n_done)
        return APP_OK;
    qsort(dl.done, (size_t)dl.n_done, sizeof *dl.done, by_webhook);
    struct delivery_outcome *o = calloc((size_t)dl.n_done, sizeof *o);
    enum app_err err = o ? record_unit(s, o, clock_now()) : APP_ERR_INTERNAL;
    free(o);
    for (int i = 0; i < dl.n_done; i++) {
        if (!err && dl.done[i]->kept)
            metrics_webhook_attempt(outcome_of(&dl.done[i]->d), dl.done[i]->d.attempts);
        webhook_http_release(&dl.done[i]->ws);
        free(dl.done[i]);
    }
    dl.n_done = 0;
    return err;
}

/* One turn: claim what is due, move the transfers on for up to 100 ms,
 * record what ended. */
enum app_err webhook_jobs_deliver(struct store *s)
{
    int running = 0;
    if (!dl.multi && !(dl.multi = curl_multi_init()))
        return APP_ERR_INTERNAL;
    enum app_err err = claim_more(s);
    curl_multi_perform(dl.multi, &running);
    curl_multi_poll(dl.multi, NULL, 0, dl.in_flight ? 20 : 100, NULL);
    curl_multi_perform(dl.multi, &running);
    collect();
    enum app_err rec = record(s);
    return err ? err : rec;
}

void webhook_jobs_deliver_stop(struct store *s)
{
    int running = 0;
    int64_t until = clock_mono_us() + STOP_GRACE_US;
    while (dl.multi && dl.in_flight > 0 && clock_mono_us() < until) {
        curl_multi_perform(dl.multi, &running);
        curl_multi_poll(dl.multi, NULL, 0, 20, NULL);
        curl_multi_perform(dl.multi, &running);
        collect();
    }
    if (s)
        (void)record(s);
    while (dl.flying) {
        struct transfer *t = dl.flying;
        land(t);
        webhook_http_release(&t->ws);
        free(t);
    }
    if (dl.multi) {
        curl_multi_cleanup(dl.multi);
        dl.multi = NULL;
    }
    free(dl.done);
    dl.done = NULL;
    dl.cap_done = dl.n_done = dl.in_flight = 0;
}
