#include "api/streams.h"

#include <glib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "api/sse.h"
#include "core/banned.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/timeutil.h"
#include "db/store.h"

/* Events read from the outbox per query, and backlog events per stream and turn. */
#define PAGE 256
#define BACKLOG_PAGE 200
/* A backlog is read on while the stream has less than this pending. */
#define BACKLOG_LOW_WATER (64 * 1024)
/* Session checks: streams per query. */
#define CHECK_BATCH 200
/* How long the dispatcher waits for a NOTIFY (PostgreSQL), or between two
 * polls (SQLite, which cannot notify); while a gap or a backlog waits. */
#define LISTEN_WAIT_MS 250
#define POLL_WAIT_MS 50
#define BUSY_WAIT_MS 10
/* Closed streams are dropped and pings sent at most this often (and at once
 * on SIGTERM): with 10 000 streams a pass costs about a millisecond. */
#define SWEEP_US 500000

/* One stream. The lock guards the pending text and the flags the I/O thread
 * reads; the rest is the dispatcher's alone. Two references: the
 * dispatcher's list and libmicrohttpd's response. */
struct stream {
    pthread_mutex_t lock;
    struct MHD_Connection *conn;
    char *buf; /* pending text: [off, len) */
    size_t off, len, cap;
    bool suspended; /* the connection waits for text; only the dispatcher resumes it */
    bool ending;    /* end of stream once the pending text is out */
    bool closed;    /* the response is gone */
    atomic_int refs;

    struct event_viewer viewer;
    bool resume, reset_checked, catching;
    int64_t last_id;
    int64_t after; /* the last event id considered for this stream */
    int64_t next_ping_us;
    struct stream *next;
};

static struct {
    pthread_mutex_t lock; /* incoming and closing */
    struct stream *incoming;
    bool closing;
    atomic_int open;      /* responses not yet freed */
    atomic_int suspended; /* of them, suspended now */
    atomic_int_fast64_t head_id; /* every id up to it is final and was dispatched; -1: not yet */
    atomic_bool stop;
    pthread_t thread;
    bool running;
    /* The dispatcher's own. */
    struct stream *list;
    /* The live streams again, by whom an event may reach: a booking or
     * waitlist event reaches only the users it names and the admins
     * (events_visible decides; these only spare it the other streams, so
     * that an event costs the streams it may reach, not all of them).
     * by_user: user id -> GPtrArray of its non-admin streams. */
    GHashTable *by_user;
    GPtrArray *admins;
    struct store *store;
    char url[1024];
    struct outbox_cursor cursor;
    /* Some stream may still be reading its backlog: catch_up walks the list
     * only then (a stream starts catching up only in take_incoming). */
    bool backlogs;
    int64_t ping_us, check_us, next_check_us, next_sweep_us;
    size_t max_pending;
} d = {.lock = PTHREAD_MUTEX_INITIALIZER, .head_id = -1};

static void stream_unref(struct stream *st)
{
    if (atomic_fetch_sub(&st->refs, 1) != 1)
        return;
    pthread_mutex_destroy(&st->lock);
    free(st->buf);
    free(st);
}

/* Lock held: lets a waiting connection run again. */
static void wake(struct stream *st)
{
    if (st->suspended) {
        st->suspended = false;
        atomic_fetch_sub(&d.suspended, 1);
        MHD_resume_connection(st->conn);
    }
}

static bool reserve(struct stream *st, size_t n)
{
    if (st->len + n <= st->cap)
        return true;
    if (st->off) {
        memmove(st->buf, st->buf + st->off, st->len - st->off);
        st->len -= st->off;
        st->off = 0;
    }
    size_t cap = st->cap ? st->cap : 512;
    while (cap < st->len + n)
        cap *= 2;
    char *buf = cap == st->cap ? st->buf : realloc(st->buf, cap);
    if (!buf)
        return false;
    st->buf = buf;
    st->cap = cap;
    return true;
}

/* Ends st: drop discards what is pending (its client is not to get it). */
static void stream_end(struct stream *st, bool drop)
{
    pthread_mutex_lock(&st->lock);
    if (drop)
        st->off = st->len = 0;
    st->ending = true;
    if (!st->closed)
        wake(st);
    pthread_mutex_unlock(&st->lock);
}

/* Adds text to what st has pending. A reader that lets more than
 * EVENT_STREAM_MAX_PENDING bytes pile up is ended instead: its client
 * resumes from the last event it got, with Last-Event-ID. */
static bool stream_push(struct stream *st, const char *text, size_t n)
{
    bool pushed = false, overflow = false;
    pthread_mutex_lock(&st->lock);
    if (!st->closed && !st->ending) {
        overflow = st->len - st->off + n > d.max_pending || !reserve(st, n);
        if (overflow) {
            st->off = st->len = 0;
            st->ending = true;
        } else {
            memcpy(st->buf + st->len, text, n);
            st->len += n;
            pushed = true;
        }
        wake(st);
    }
    pthread_mutex_unlock(&st->lock);
    if (overflow)
        metrics_event_streams_dropped_add(1);
    return pushed;
}

static size_t pending(struct stream *st)
{
    pthread_mutex_lock(&st->lock);
    size_t n = st->len - st->off;
    pthread_mutex_unlock(&st->lock);
    return n;
}

/* libmicrohttpd's content reader, on an I/O thread: copies pending text
 * out; with none, suspends the connection until the dispatcher resumes it
 * (returning 0 without suspending would spin). */
static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
    struct stream *st = cls;
    ssize_t ret = 0;
    (void)pos;
    pthread_mutex_lock(&st->lock);
    size_t have = st->len - st->off;
    if (have) {
        size_t n = have < max ? have : max;
        memcpy(out, st->buf + st->off, n);
        st->off += n;
        if (st->off == st->len) {
            /* An idle stream holds no buffer. */
            free(st->buf);
            st->buf = NULL;
            st->off = st->len = st->cap = 0;
        }
        ret = (ssize_t)n;
    } else if (st->ending) {
        ret = MHD_CONTENT_READER_END_OF_STREAM;
    } else {
        st->suspended = true;
        atomic_fetch_add(&d.suspended, 1);
        MHD_suspend_connection(st->conn);
    }
    pthread_mutex_unlock(&st->lock);
    return ret;
}

static void stream_freed(void *cls)
{
    struct stream *st = cls;
    pthread_mutex_lock(&st->lock);
    st->closed = true;
    if (st->suspended)
        atomic_fetch_sub(&d.suspended, 1);
    st->suspended = false;
    st->conn = NULL;
    pthread_mutex_unlock(&st->lock);
    atomic_fetch_sub(&d.open, 1);
    metrics_event_streams_open_add(-1);
    stream_unref(st);
}

struct MHD_Response *streams_response(struct MHD_Connection *conn, struct stream_open *o)
{
    struct stream *st = calloc(1, sizeof *st);
    struct MHD_Response *resp = NULL;
    if (st && pthread_mutex_init(&st->lock, NULL) == 0) {
        st->conn = conn;
        st->viewer = o->viewer;
        st->resume = o->resume;
        st->last_id = o->last_id;
        atomic_init(&st->refs, 2);
        st->next_ping_us = clock_mono_us() + d.ping_us;
        resp = reserve(st, sizeof SSE_RETRY) ? MHD_create_response_from_callback(
                                                  MHD_SIZE_UNKNOWN, 1024, stream_read, st,
                                                  stream_freed)
                                            : NULL;
    }
    if (!resp) {
        if (st)
            free(st->buf);
        free(st);
        free(o);
        return NULL;
    }
    memcpy(st->buf, SSE_RETRY, sizeof SSE_RETRY - 1);
    st->len = sizeof SSE_RETRY - 1;
    pthread_mutex_lock(&d.lock);
    /* Live from the head as it is now: every id up to it is final, so the
     * events that commit from here on all come after it. */
    st->after = o->resume ? o->last_id : atomic_load(&d.head_id);
    bool closing = d.closing;
    if (!closing) {
        st->next = d.incoming;
        d.incoming = st;
        atomic_fetch_add(&d.open, 1);
        metrics_event_streams_open_add(1);
    }
    pthread_mutex_unlock(&d.lock);
    free(o);
    if (closing) {
        /* No thread holds it: its freeing is the only reference left. */
        atomic_store(&st->refs, 1);
        atomic_fetch_add(&d.open, 1);
        metrics_event_streams_open_add(1);
        st->ending = true;
    }
    return resp;
}

/* Whether st resumed past what retention kept: then `event: reset` first. */
static void check_reset(struct stream *st)
{
    bool reset = false;
    st->reset_checked = true;
    if (st->resume && events_resume_check(d.store, st->last_id, &reset) == APP_OK && reset)
        stream_push(st, SSE_RESET, sizeof SSE_RESET - 1);
}

/* The GPtrArray of st's index entry (created when make). */
static GPtrArray *index_of(const struct stream *st, enum role role, bool make)
{
    if (role == ROLE_ADMIN)
        return d.admins;
    gint64 key = st->viewer.user_id;
    GPtrArray *a = g_hash_table_lookup(d.by_user, &key);
    if (!a && make) {
        gint64 *k = g_new(gint64, 1);
        *k = key;
        a = g_ptr_array_new();
        g_hash_table_insert(d.by_user, k, a);
    }
    return a;
}

static void index_add(struct stream *st)
{
    g_ptr_array_add(index_of(st, st->viewer.role, true), st);
}

static void index_remove(struct stream *st, enum role role)
{
    GPtrArray *a = index_of(st, role, false);
    if (a)
        g_ptr_array_remove_fast(a, st);
    if (a && a != d.admins && a->len == 0) {
        gint64 key = st->viewer.user_id;
        g_hash_table_remove(d.by_user, &key);
    }
}

/* New streams join the list: live when they start at or past the head,
 * else catching up from their id. */
static void take_incoming(int64_t head)
{
    pthread_mutex_lock(&d.lock);
    struct stream *in = d.incoming;
    d.incoming = NULL;
    pthread_mutex_unlock(&d.lock);
    while (in) {
        struct stream *st = in;
        in = in->next;
        if (st->after < 0)
            st->after = head; /* opened before the first head was known */
        st->catching = st->after < head;
        d.backlogs = d.backlogs || st->catching;
        if (!st->catching)
            check_reset(st);
        st->next = d.list;
        d.list = st;
        index_add(st);
    }
}

static void frame(GString *out, const struct event *e)
{
    g_string_truncate(out, 0);
    sse_frame_event(out, e->id, e->type, e->data);
}

/* e to each stream of a that may see it, framed once into text. */
static uint64_t fan_out_to(GPtrArray *a, const struct event *e, GString *text)
{
    uint64_t n = 0;
    for (guint i = 0; a && i < a->len; i++) {
        struct stream *st = g_ptr_array_index(a, i);
        if (st->catching || e->id <= st->after || !events_visible(&st->viewer, e))
            continue;
        if (!text->len)
            frame(text, e);
        n += stream_push(st, text->str, text->len);
    }
    return n;
}

/* One event to every live stream that may see it: those of the users it
 * names and the admins'. */
static void fan_out(const struct event *e, GString *text)
{
    if (!events_streamed(e->type))
        return;
    text->len = 0;
    gint64 customer = e->customer_id, provider = e->provider_id;
    uint64_t n = fan_out_to(d.admins, e, text);
    if (customer)
        n += fan_out_to(g_hash_table_lookup(d.by_user, &customer), e, text);
    if (provider && provider != customer)
        n += fan_out_to(g_hash_table_lookup(d.by_user, &provider), e, text);
    metrics_events_fanned_out_add(n);
}

/* Every new event of the outbox, in id order, gaps waited for. */
static void read_new(GString *text)
{
    struct event_list l;
    int n = PAGE;
    /* A live stream's `after` stays where it went live: every id read here
     * is past it (or, for a Last-Event-ID ahead of the outbox, skipped by
     * fan_out_to), so no walk over all the streams is needed per page. */
    while (n == PAGE && events_next_page(d.store, &d.cursor, PAGE, &l) == APP_OK) {
        for (int i = 0; i < l.n; i++)
            fan_out(&l.items[i], text);
        n = l.n;
        event_list_release(&l);
        atomic_store(&d.head_id, d.cursor.after);
    }
}

/* A page of st's backlog, up to the head (whose ids are all final); the
 * stream goes live once it has read them all. */
static void catch_up_one(struct stream *st, int64_t head, GString *text)
{
    struct event_list l;
    if (events_backlog(d.store, &st->viewer, st->after, head, BACKLOG_PAGE, &l) != APP_OK)
        return;
    /* After the page: whatever retention deletes from now on is in it already. */
    if (!st->reset_checked)
        check_reset(st);
    for (int i = 0; i < l.n; i++) {
        const struct event *e = &l.items[i];
        if (events_visible(&st->viewer, e)) {
            frame(text, e);
            stream_push(st, text->str, text->len);
        }
    }
    st->after = l.n < BACKLOG_PAGE ? head : l.items[l.n - 1].id;
    st->catching = st->after < head;
    event_list_release(&l);
}

/* True when some stream still has a backlog to read. */
static bool catch_up(GString *text)
{
    int64_t head = atomic_load(&d.head_id);
    bool more = false;
    for (struct stream *st = d.list; st; st = st->next) {
        if (!st->catching)
            continue;
        if (!st->ending && !st->closed && pending(st) < BACKLOG_LOW_WATER)
            catch_up_one(st, head, text);
        more = more || st->catching;
    }
    return more;
}

/* Drops the streams whose responses are gone; pings the others; ends all
 * on SIGTERM. */
static void sweep(int64_t now, bool closing)
{
    for (struct stream **p = &d.list; *p;) {
        struct stream *st = *p;
        pthread_mutex_lock(&st->lock);
        bool closed = st->closed;
        pthread_mutex_unlock(&st->lock);
        if (closed) {
            *p = st->next;
            index_remove(st, st->viewer.role);
            stream_unref(st);
            continue;
        }
        if (closing) {
            stream_end(st, false);
        } else if (now >= st->next_ping_us) {
            stream_push(st, SSE_PING, sizeof SSE_PING - 1);
            st->next_ping_us = now + d.ping_us;
        }
        p = &st->next;
    }
}

/* A role changed: an admin's streams and the others' are kept apart. */
static void set_role(struct stream *st, enum role role)
{
    if (role == st->viewer.role)
        return;
    index_remove(st, st->viewer.role);
    st->viewer.role = role;
    index_add(st);
}

/* Each stream's session and user, CHECK_BATCH streams a query: a stream
 * whose session was logged out or revoked, or whose user was deactivated,
 * ends; a changed role applies to the events after. */
static void check_sessions(void)
{
    struct stream *batch[CHECK_BATCH];
    const char *sids[CHECK_BATCH];
    bool live[CHECK_BATCH];
    enum role roles[CHECK_BATCH];
    struct stream *st = d.list;
    while (st) {
        int n = 0;
        for (; st && n < CHECK_BATCH; st = st->next)
            if (!st->ending) {
                batch[n] = st;
                sids[n++] = st->viewer.sid;
            }
        if (!n || events_sessions_check(d.store, sids, n, clock_now(), live, roles) != APP_OK)
            continue;
        for (int i = 0; i < n; i++) {
            if (live[i])
                set_role(batch[i], roles[i]);
            else
                stream_end(batch[i], true);
        }
    }
}

/* Where the dispatcher starts: the outbox's newest id, once final. -1 when
 * the database cannot say now. */
static int64_t find_head(void)
{
    int64_t head = -1;
    if (events_head(d.store, &head) != APP_OK)
        return -1;
    d.cursor = (struct outbox_cursor){.after = head};
    atomic_store(&d.head_id, head);
    return head;
}

/* One turn: new streams, new events, backlogs, pings, session checks.
 * Returns how long to wait before the next one. */
static int turn(void)
{
    GString *text = g_string_sized_new(1024);
    int64_t now = clock_mono_us(), head = atomic_load(&d.head_id);
    pthread_mutex_lock(&d.lock);
    bool closing = d.closing;
    pthread_mutex_unlock(&d.lock);
    if (head < 0)
        head = find_head();
    bool busy = false;
    if (head < 0 && closing)
        take_incoming(0); /* no database: they end without events */
    if (head >= 0) {
        take_incoming(head);
        read_new(text);
        d.backlogs = d.backlogs && catch_up(text);
        busy = d.backlogs || d.cursor.gap_at;
    }
    if (closing || now >= d.next_sweep_us) {
        sweep(now, closing);
        d.next_sweep_us = now + SWEEP_US;
    }
    if (now >= d.next_check_us) {
        check_sessions();
        d.next_check_us = now + d.check_us;
    }
    g_string_free(text, TRUE);
    return busy ? BUSY_WAIT_MS : -1;
}

static void *dispatch_main(void *arg)
{
    char err[256];
    bool notifies = false;
    int wait = POLL_WAIT_MS;
    (void)arg;
    log_set_context("events dispatcher");
    while (!atomic_load(&d.stop)) {
        if (!d.store && !(d.store = store_open(d.url, err, sizeof err))) {
            log_warn("cannot connect: %s", err);
            g_usleep(500000);
            continue;
        }
        if (events_wait(d.store, wait, &notifies) != APP_OK)
            g_usleep(100000); /* the database went away: a pause, then again */
        int next = turn();
        wait = next >= 0 ? next : notifies ? LISTEN_WAIT_MS : POLL_WAIT_MS;
    }
    log_set_context(NULL);
    return NULL;
}

bool streams_start(const struct config *cfg)
{
    g_strlcpy(d.url, cfg->database_url, sizeof d.url);
    d.ping_us = (int64_t)cfg->event_ping_seconds * 1000000;
    d.check_us = (int64_t)cfg->event_session_check_seconds * 1000000;
    d.max_pending = (size_t)cfg->event_stream_max_pending;
    d.next_check_us = clock_mono_us() + d.check_us;
    d.by_user = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                      (GDestroyNotify)g_ptr_array_unref);
    d.admins = g_ptr_array_new();
    atomic_store(&d.stop, false);
    /* The head before the first stream: a stream opened before it is known
     * could only start at whatever the head is when it is, past events that
     * committed after the stream had opened. (The database answered the
     * migrations a moment ago; if it fails now, the thread finds it later.) */
    char err[256];
    d.store = store_open(d.url, err, sizeof err);
    for (int i = 0; d.store && i < 20 && find_head() < 0; i++)
        g_usleep(100000);
    d.running = pthread_create(&d.thread, NULL, dispatch_main, NULL) == 0;
    if (!d.running)
        log_error("events: cannot start the dispatcher");
    return d.running;
}

unsigned streams_stall_seconds(void)
{
    int64_t s = 4 * d.ping_us / 1000000;
    return s < 60 ? 60u : (unsigned)s;
}

bool streams_close_all(int timeout_ms)
{
    pthread_mutex_lock(&d.lock);
    d.closing = true;
    pthread_mutex_unlock(&d.lock);
    /* Up to 2 s for the clients to read their streams' ends, longer (up to
     * timeout_ms) only while one still waits suspended for the dispatcher. */
    int64_t start = clock_mono_us(), deadline = start + (int64_t)timeout_ms * 1000;
    while (atomic_load(&d.open) > 0 && clock_mono_us() < deadline &&
           (atomic_load(&d.suspended) > 0 || clock_mono_us() < start + 2000000))
        g_usleep(10000);
    if (atomic_load(&d.open) > 0)
        log_warn("shutdown: %d event streams still open (%d suspended)", atomic_load(&d.open),
                 atomic_load(&d.suspended));
    return atomic_load(&d.suspended) == 0;
}

void streams_stop(void)
{
    atomic_store(&d.stop, true);
    if (d.running)
        pthread_join(d.thread, NULL);
    d.running = false;
    /* The daemon is stopped: every response is freed, so only the list's
     * references are left. */
    take_incoming(0);
    while (d.list) {
        struct stream *st = d.list;
        d.list = st->next;
        stream_unref(st);
    }
    if (d.by_user)
        g_hash_table_destroy(d.by_user);
    if (d.admins)
        g_ptr_array_unref(d.admins);
    d.by_user = NULL;
    d.admins = NULL;
    if (d.store)
        store_close(d.store);
    d.store = NULL;
}
