#include "services/waitlist.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/metrics.h"
#include "core/timeutil.h"
#include "schemas/text.h"
#include "services/audit.h"
#include "services/bookings.h"
#include "services/schedule.h"
#include "services/services.h"

/* Buffers are at most 240 minutes (schemas/services.c): an entry further
 * than that from a freed span holds no slot that overlaps it. */
#define BUFFER_REACH (240 * 60)
/* Waiting entries read at a time for one slot: the first one usually takes it. */
#define WAITING_BATCH 16

bool waitlist_validate(const struct waitlist_request *req, int64_t now, struct field_errors *fe)
{
    int n = fe->n;
    if (req->from >= req->to)
        field_errors_add(fe, "body", "to", "value_error", "to must be after from");
    else if (req->to - req->from > WAITLIST_MAX_RANGE)
        field_errors_add(fe, "body", "to", "value_error", "to must be at most 62 days after from");
    if (req->to <= now)
        field_errors_add(fe, "body", "to", "value_error", "to must be in the future");
    return fe->n == n;
}

bool waitlist_slot_frees(const struct slot_rules *rules, const struct span *freed,
                         const struct span *slot)
{
    int64_t occ_start = slot->start - (int64_t)rules->buffer_before_min * 60;
    int64_t occ_end = slot->end + (int64_t)rules->buffer_after_min * 60;
    return occ_start < freed->end && occ_end > freed->start;
}

bool waitlist_holds(const struct waitlist_entry *e, const struct span *slot)
{
    return e->from <= slot->start && slot->end <= e->to;
}

bool waitlist_slot_range(const struct slot_rules *rules, const struct span *freed,
                         int64_t min_from, int64_t max_to, struct span *out)
{
    int64_t dur = (int64_t)rules->duration_min * 60;
    int64_t before = (int64_t)rules->buffer_before_min * 60;
    int64_t after = (int64_t)rules->buffer_after_min * 60;
    /* start + dur + after > freed.start and start - before < freed.end */
    out->start = freed->start - dur - after + 1;
    out->end = freed->end + before;
    if (out->start < min_from)
        out->start = min_from;
    if (out->end > max_to - dur + 1)
        out->end = max_to - dur + 1;
    return out->start < out->end;
}

static bool visible(const struct user *actor, const struct waitlist_entry *e)
{
    return actor->role == ROLE_ADMIN || e->customer_id == actor->id;
}

static struct audit_details *entry_details(const struct waitlist_entry *e)
{
    struct audit_details *d = schema_details_new();
    char from[21], to[21];
    rfc3339_format(e->from, from);
    rfc3339_format(e->to, to);
    schema_details_set_int(d, "service_id", e->service_id);
    schema_details_set_str(d, "from", from);
    schema_details_set_str(d, "to", to);
    schema_details_set_int(d, "auto_book", e->auto_book ? 1 : 0);
    return d;
}

/* The answer to the request's Idempotency-Key, in the unit of work. */
static enum app_err record_answer(struct store *s, const struct waitlist_entry *e, int64_t now)
{
    const struct store_context *c = store_context(s);
    if (!c || !c->idem_status)
        return APP_OK;
    char *text = schema_waitlist_text(e, now);
    enum app_err err = text ? store_idem_record(s, c->idem_status, text) : APP_ERR_INTERNAL;
    free(text);
    return err;
}

/* In the unit of work: the customer's row is locked (PostgreSQL; SQLite's
 * write lock is held already), so concurrent creates count one by one. */
static enum app_err insert_counted(struct store *s, const struct user *actor,
                                   struct waitlist_entry *e, int64_t now)
{
    struct user u;
    int64_t active = 0;
    enum app_err err = store_user_lock(s, actor->id, &u);
    if (!err)
        err = store_waitlist_active_count(s, actor->id, now, &active);
    if (!err && active >= WAITLIST_MAX_ACTIVE)
        err = APP_ERR_WAITLIST_LIMIT;
    if (!err)
        err = store_waitlist_insert(s, e);
    if (!err)
        err = audit_write(s, NULL, "waitlist.created", "waitlist_entry", e->id, entry_details(e));
    if (!err)
        err = record_answer(s, e, now);
    return err;
}

enum app_err waitlist_create(struct store *s, const struct user *actor,
                             const struct waitlist_request *req, struct waitlist_entry *out,
                             struct field_errors *fe)
{
    struct service svc;
    int64_t now = clock_now();
    if (actor->role != ROLE_CUSTOMER)
        return APP_ERR_FORBIDDEN;
    if (!waitlist_validate(req, now, fe))
        return APP_ERR_VALIDATION;
    enum app_err err = services_get_active(s, req->service_id, &svc);
    if (err)
        return err;
    memset(out, 0, sizeof *out);
    out->service_id = svc.id;
    out->provider_id = svc.provider_id;
    out->customer_id = actor->id;
    out->from = req->from;
    out->to = req->to;
    out->auto_book = req->auto_book;
    out->status = WAITLIST_ACTIVE;
    out->created_at = out->updated_at = now;
    err = store_begin(s);
    if (!err)
        err = insert_counted(s, actor, out, now);
    return store_end(s, err);
}

enum app_err waitlist_get(struct store *s, const struct user *actor, int64_t id,
                          struct waitlist_entry *out)
{
    enum app_err err = store_waitlist_get(s, id, out);
    return !err && !visible(actor, out) ? APP_ERR_WAITLIST_NOT_FOUND : err;
}

enum app_err waitlist_list(struct store *s, const struct user *actor, int limit, int offset,
                           struct waitlist_list *out)
{
    /* A provider has no entries of its own: its page is empty. */
    return store_waitlist_list(s, actor->role == ROLE_ADMIN ? 0 : actor->id, limit, offset, out);
}

enum app_err waitlist_delete(struct store *s, const struct user *actor, int64_t id)
{
    struct waitlist_entry e;
    enum app_err err = store_begin(s);
    if (!err)
        err = waitlist_get(s, actor, id, &e);
    if (!err)
        err = store_waitlist_delete(s, id);
    if (!err)
        err = audit_write(s, NULL, "waitlist.deleted", "waitlist_entry", id, entry_details(&e));
    return store_end(s, err);
}

enum app_err waitlist_slots_freed(struct store *s, int64_t provider_id, int64_t service_id,
                                  int64_t start, int64_t end)
{
    char *data = schema_slots_freed_text(service_id);
    enum app_err err = data ? store_event_add_freed(s, "slots.freed", data, provider_id, 0, start,
                                                    end)
                            : APP_ERR_INTERNAL;
    free(data);
    return err;
}

enum app_err waitlist_horizon_freed(struct store *s, int64_t provider_id)
{
    struct service_list list = {0};
    int longest = 0;
    enum app_err err = APP_OK;
    for (int offset = 0; !err; offset += list.n) {
        service_list_release(&list);
        err = store_service_list(s, provider_id, 100, offset, &list);
        for (int i = 0; !err && i < list.n; i++)
            if (list.items[i].max_advance_days > longest)
                longest = list.items[i].max_advance_days;
        if (!err && list.n < 100)
            break;
    }
    service_list_release(&list);
    int64_t now = clock_now();
    return err || !longest ? err
                           : waitlist_slots_freed(s, provider_id, 0, now,
                                                  now + (int64_t)longest * 86400);
}

/* --- serving ------------------------------------------------------------ */

/* One serving step's state: the place as the database has it (what the
 * next compare-and-set expects), the event being served and its span. */
struct serving {
    struct store *s;
    struct waitlist_place *place;
    int64_t event_id;
    struct span freed;
    int64_t now;
    struct waitlist_served *out;
    struct service svc; /* the last service read this turn (svc.id 0: none) */
};

/* What one attempt to serve an entry came to. */
enum serve_outcome { SERVED, ENTRY_GONE, SLOT_GONE, PLACE_LOST };

/* Whether (service_id, start) of the current event was served already: the
 * place is at or past it (a turn resumed after a crash or a lapsed lease). */
static bool passed(const struct serving *v, int64_t service_id, int64_t start)
{
    const struct waitlist_place *p = v->place;
    if (p->event_id != v->event_id)
        return p->event_id > v->event_id;
    if (p->done)
        return true;
    return service_id < p->service_id || (service_id == p->service_id && start <= p->slot_start);
}

static struct audit_details *serve_details(const struct waitlist_entry *e)
{
    struct audit_details *d = schema_details_new();
    char start[21];
    rfc3339_format(e->slot_start, start);
    schema_details_set_str(d, "by", "waitlist");
    schema_details_set_str(d, "slot_start", start);
    if (e->booking_id)
        schema_details_set_int(d, "booking_id", e->booking_id);
    return d;
}

/* The place moved to `to` and the entry served (e's new status, slot,
 * booking): its row, its event and its audit entry. */
static enum app_err write_served(struct serving *v, const struct waitlist_entry *e,
                                 const struct waitlist_place *to)
{
    bool booked = e->status == WAITLIST_BOOKED;
    struct waitlist_record rec = {booked ? "waitlist.booked" : "waitlist.slot_available",
                                  schema_waitlist_text(e, v->now),
                                  booked ? "waitlist.booked" : "waitlist.notified",
                                  schema_details_text(serve_details(e))};
    enum app_err err = rec.data && rec.details ? store_waitlist_serve(v->s, e, &rec, v->place, to)
                                               : APP_ERR_INTERNAL;
    free((char *)rec.data);
    free((char *)rec.details);
    return err;
}

/* Serves entry with slot in one unit of work that also moves the place
 * there: booked (auto_book) or notified, never twice. *outcome says what
 * came of it when the answer is APP_OK (refusals are outcomes, not errors). */
static enum app_err serve_once(struct serving *v, const struct service *svc,
                               const struct waitlist_entry *entry, const struct span *slot,
                               enum serve_outcome *outcome)
{
    struct waitlist_place to = {v->event_id, svc->id, slot->start, false};
    struct waitlist_entry e = *entry;
    struct booking b;
    *outcome = PLACE_LOST;
    e.slot_start = slot->start;
    e.slot_end = slot->end;
    e.updated_at = v->now;
    e.status = e.auto_book ? WAITLIST_BOOKED : WAITLIST_NOTIFIED;
    /* The slot was computed just now (serve_service): as for any booking,
     * the rules are checked before the unit of work, which then holds only
     * writes, and the database's no-overlap rule refuses whatever raced.
     * The place moves in the unit's last statement: a place another process
     * moved meanwhile rolls the booking back with it. */
    enum app_err err = store_begin(v->s);
    if (!err && e.auto_book) {
        *outcome = SLOT_GONE;
        err = bookings_create_for_waitlist(v->s, svc, e.customer_id, slot->start, e.id, &b);
        e.booking_id = b.id;
    }
    if (!err) {
        err = write_served(v, &e, &to);
        *outcome = err == APP_ERR_WAITLIST_NOT_FOUND ? ENTRY_GONE : PLACE_LOST;
    }
    enum app_err step = err;
    err = store_end(v->s, err);
    if (!err) {
        *v->place = to;
        *outcome = SERVED;
        if (e.auto_book)
            v->out->booked++;
        else
            v->out->notified++;
        metrics_waitlist_served(e.auto_book);
    }
    bool refused = step == APP_ERR_CONFLICT || step == APP_ERR_SLOT_UNAVAILABLE ||
                   step == APP_ERR_WAITLIST_NOT_FOUND;
    return err == step && refused ? APP_OK : err;
}

/* A serve that PostgreSQL refused to break a deadlock (or for a
 * serialization failure or a lock time-out) looks like a taken slot or a
 * gone entry; believing it would leave a free slot unserved or pass over the
 * oldest entry, so such a unit of work is run again, a few times at most. */
#define SERVE_ATTEMPTS 3

static enum app_err serve_one(struct serving *v, const struct service *svc,
                              const struct waitlist_entry *entry, const struct span *slot,
                              enum serve_outcome *outcome)
{
    enum app_err err;
    int attempts = 0;
    do
        err = serve_once(v, svc, entry, slot, outcome);
    while (!err && (*outcome == SLOT_GONE || *outcome == ENTRY_GONE) && store_end_raced(v->s) &&
           ++attempts < SERVE_ATTEMPTS);
    return err;
}

/* Serves slot to the oldest waiting entry holding it, read a few at a time
 * (entries served or gone since are not waiting any more, so each read
 * sees only who may still take it). APP_ERR_CONFLICT: the place was moved
 * elsewhere. */
static enum app_err serve_slot(struct serving *v, const struct service *svc,
                               const struct span *slot)
{
    struct waitlist_list waiting = {0};
    int64_t after_id = 0;
    bool more = true;
    enum app_err err = APP_OK;
    while (!err && more) {
        err = store_waitlist_waiting(v->s, svc->id, slot, after_id, v->now, WAITING_BATCH,
                                     &waiting);
        more = !err && waiting.n == WAITING_BATCH;
        for (int j = 0; !err && j < waiting.n; j++) {
            enum serve_outcome o = SERVED;
            after_id = waiting.items[j].id;
            if (!waitlist_holds(&waiting.items[j], slot))
                continue;
            err = serve_one(v, svc, &waiting.items[j], slot, &o);
            if (!err && o == PLACE_LOST)
                err = APP_ERR_CONFLICT;
            if (!err && o != ENTRY_GONE) { /* served, or the slot is gone */
                more = false;
                break;
            }
        }
        waitlist_list_release(&waiting);
    }
    return err;
}

/* The slots of one service the span frees, earliest first, each served. */
static enum app_err serve_service(struct serving *v, const struct waitlist_candidate *c)
{
    struct slot_list slots = {0};
    struct span range;
    const struct service *svc = &v->svc;
    /* A page's events mostly free time of the same service. */
    enum app_err err = svc->id == c->service_id ? APP_OK : services_get(v->s, c->service_id, &v->svc);
    if (err)
        v->svc.id = 0;
    if (err == APP_ERR_SERVICE_NOT_FOUND || (!err && !svc->active))
        return APP_OK;
    struct slot_rules rules = schedule_rules(svc, NULL);
    if (err || !waitlist_slot_range(&rules, &v->freed, c->min_from, c->max_to, &range))
        return err;
    err = schedule_slots(v->s, svc, &rules, range.start, range.end, 0, 0, &slots);
    for (size_t i = 0; !err && i < slots.n; i++)
        if (waitlist_slot_frees(&rules, &v->freed, &slots.items[i]) &&
            !passed(v, svc->id, slots.items[i].start))
            err = serve_slot(v, svc, &slots.items[i]);
    slot_list_release(&slots);
    return err;
}

/* The services with entries near the freed spans of one page of events,
 * read once for each provider (and service filter) the page names, over
 * the span its events cover together: one query a page, not one an event,
 * where most cancellations free time that nobody waits for. */
struct page_key {
    int64_t provider_id, only;
    struct span reach; /* the events' freed spans widened by BUFFER_REACH, joined */
    struct waitlist_candidate *cands;
    int n;
};

static int64_t event_only(const struct event *e)
{
    return strcmp(e->type, "slots.freed") == 0 ? schema_slots_freed_service(e->data) : 0;
}

static struct page_key *page_find(struct page_key *keys, int n, const struct event *e)
{
    int64_t only = event_only(e);
    for (int i = 0; i < n; i++)
        if (keys[i].provider_id == e->provider_id && keys[i].only == only)
            return &keys[i];
    return NULL;
}

/* Fills keys (room for events->n) and reads each one's candidates. */
static enum app_err page_load(struct store *s, const struct event_list *events, int64_t now,
                              struct page_key *keys, int *n)
{
    enum app_err err = APP_OK;
    *n = 0;
    for (int i = 0; i < events->n; i++) {
        const struct event *e = &events->items[i];
        if (e->freed_end <= e->freed_start)
            continue;
        struct span r = {e->freed_start - BUFFER_REACH, e->freed_end + BUFFER_REACH};
        struct page_key *k = page_find(keys, *n, e);
        if (!k) {
            k = &keys[(*n)++];
            *k = (struct page_key){e->provider_id, event_only(e), r, NULL, 0};
        }
        k->reach.start = r.start < k->reach.start ? r.start : k->reach.start;
        k->reach.end = r.end > k->reach.end ? r.end : k->reach.end;
    }
    for (int i = 0; !err && i < *n; i++)
        err = store_waitlist_candidates(s, keys[i].provider_id, keys[i].only, keys[i].reach.start,
                                        keys[i].reach.end, now, &keys[i].cands, &keys[i].n);
    return err;
}

static void page_release(struct page_key *keys, int n)
{
    for (int i = 0; i < n; i++)
        free(keys[i].cands);
    free(keys);
}

/* Every service of the event's provider with entries near its span (a
 * freed booking's time can offer slots of each of them). */
static enum app_err serve_event(struct serving *v, const struct event *e, const struct page_key *k)
{
    enum app_err err = APP_OK;
    v->event_id = e->id;
    v->freed = (struct span){e->freed_start, e->freed_end};
    for (int i = 0; !err && k && i < k->n; i++) {
        const struct waitlist_candidate *c = &k->cands[i];
        if (c->max_to > e->freed_start - BUFFER_REACH && c->min_from < e->freed_end + BUFFER_REACH &&
            !passed(v, c->service_id, INT64_MAX - 1))
            err = serve_service(v, c);
    }
    return err;
}

/* Where this process believes the place is, unless the database says
 * otherwise (another process served meanwhile, a failed turn, the first
 * turn): then the outbox is read again from the place's event. */
static enum app_err sync_place(struct store *s, struct outbox_cursor *c, struct waitlist_place *mine)
{
    struct waitlist_place db;
    enum app_err err = store_waitlist_place(s, &db);
    bool same = db.event_id == mine->event_id && db.service_id == mine->service_id &&
                db.slot_start == mine->slot_start && db.done == mine->done;
    if (!err && (!same || !db.done || c->after != db.event_id)) {
        *mine = db;
        memset(c, 0, sizeof *c);
        c->after = db.done ? db.event_id : db.event_id - 1;
    }
    return err;
}

enum app_err waitlist_serve(struct store *s, struct outbox_cursor *c, struct waitlist_place *place,
                            int limit, struct waitlist_served *out)
{
    struct event_list events = {0};
    struct serving v = {.s = s, .place = place, .now = clock_now(), .out = out};
    out->events = 0;
    struct page_key *keys = NULL;
    int n_keys = 0;
    enum app_err err = sync_place(s, c, place);
    if (!err)
        err = store_events_after(s, c, limit, &events);
    if (!err && events.n && !(keys = calloc((size_t)events.n, sizeof *keys)))
        err = APP_ERR_INTERNAL;
    if (!err && events.n)
        err = page_load(s, &events, v.now, keys, &n_keys);
    for (int i = 0; !err && i < events.n; i++)
        if (events.items[i].freed_end > events.items[i].freed_start)
            err = serve_event(&v, &events.items[i], page_find(keys, n_keys, &events.items[i]));
    page_release(keys, n_keys);
    struct waitlist_place done = {events.n ? events.items[events.n - 1].id : 0, 0, 0, true};
    if (!err && events.n && (place->event_id != done.event_id || !place->done)) {
        err = store_begin(s);
        if (!err)
            err = store_waitlist_place_move(s, place, &done);
        err = store_end(s, err);
        if (!err)
            *place = done;
    }
    if (!err)
        out->events = events.n;
    if (err) /* read the place again next turn */
        c->after = -1;
    event_list_release(&events);
    return err == APP_ERR_CONFLICT ? APP_OK : err;
}

enum app_err waitlist_expire(struct store *s, int64_t now, int *n)
{
    enum app_err err = store_begin(s);
    if (!err)
        err = store_waitlist_expire(s, now, n);
    return store_end(s, err);
}
