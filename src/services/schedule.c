#include "services/schedule.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "core/tz.h"
#include "services/services.h"

/* A candidate starting in [from, to) occupies at most [from - 240 min,
 * to + 1440 + 240 min): time off and bookings outside that cannot matter. */
#define BEFORE (240 * 60)
#define AFTER ((1440 + 240) * 60)

/* next_slots reads the week after its start first (where the answer almost
 * always is), then spans twice as long each time: 7 × (2^7 − 1) = 889 days
 * cover the longest horizon (730 days) in 7 loads; 8 is the hard bound. */
#define NEXT_FIRST_SPAN (7 * 86400)
#define NEXT_MAX_LOADS 8

/* Schedule loads by this thread, for schedule_loads(). */
static _Thread_local unsigned long loads;

unsigned long schedule_loads(void)
{
    return loads;
}

struct slot_rules schedule_rules(const struct service *svc, const struct booking *moving)
{
    struct slot_rules r = {
        .duration_min = svc->duration_minutes,
        .buffer_before_min = svc->buffer_before_minutes,
        .buffer_after_min = svc->buffer_after_minutes,
        .interval_min = svc->slot_interval_minutes,
        .min_notice_min = svc->min_notice_minutes,
        .max_advance_days = svc->max_advance_days,
    };
    if (moving) {
        r.duration_min = (int)((moving->end - moving->start) / 60);
        r.buffer_before_min = moving->buffer_before_min;
        r.buffer_after_min = moving->buffer_after_min;
    }
    return r;
}

struct loaded {
    struct schedule sched;
    struct tz *tz;
};

static void loaded_release(struct loaded *l)
{
    schedule_release(&l->sched);
    tz_free(l->tz);
}

/* The zone of the schedule l read (UTC when the system does not know it). */
static enum app_err open_zone(struct loaded *l)
{
    l->tz = tz_open(l->sched.avail.timezone);
    if (!l->tz)
        l->tz = tz_open("UTC");
    return l->tz ? APP_OK : APP_ERR_INTERNAL;
}

static enum app_err load(struct store *s, const struct service *svc, int64_t from, int64_t to,
                         int64_t exclude_id, bool with_busy, struct loaded *l)
{
    memset(l, 0, sizeof *l);
    loads++;
    enum app_err err = store_schedule(s, svc->provider_id, from - BEFORE, to + AFTER, exclude_id,
                                      with_busy, &l->sched);
    return err ? err : open_zone(l);
}

/* The engine's input pointing into sched, which must outlive it. */
static struct slot_input input_of(const struct schedule *sched, const struct tz *tz,
                                  const struct slot_rules *rules, int64_t from, int64_t to)
{
    return (struct slot_input){
        .tz = tz,
        .windows = sched->avail.windows,
        .n_windows = (size_t)sched->avail.n,
        .time_off = sched->time_off.items,
        .n_time_off = (size_t)sched->time_off.n,
        .busy = sched->busy.items,
        .n_busy = (size_t)sched->busy.n,
        .rules = *rules,
        .now = clock_now(),
        .from = from,
        .to = to,
    };
}

static bool offered_at(const struct loaded *l, const struct slot_rules *rules, int64_t start)
{
    struct slot_input in = input_of(&l->sched, l->tz, rules, start, start + 1);
    return slots_is_offered(&in, start);
}

enum app_err schedule_slots(struct store *s, const struct service *svc,
                            const struct slot_rules *rules, int64_t from, int64_t to,
                            int64_t exclude_id, size_t max, struct slot_list *out)
{
    struct loaded l;
    enum app_err err = load(s, svc, from, to, exclude_id, true, &l);
    if (!err) {
        struct slot_input in = input_of(&l.sched, l.tz, rules, from, to);
        if (slots_compute(&in, max, out) != 0)
            err = APP_ERR_INTERNAL;
    }
    loaded_release(&l);
    return err;
}

enum app_err schedule_is_offered(struct store *s, const struct service *svc,
                                 const struct slot_rules *rules, int64_t start,
                                 int64_t exclude_id, bool *offered)
{
    struct loaded l;
    /* Rule 3 (no overlap with other bookings' buffered time) is the database's
     * own: the exclusion constraint (PostgreSQL) and the no-overlap triggers
     * (SQLite) state exactly it and refuse the write that breaks it, so the
     * check before a write reads no bookings. */
    enum app_err err = load(s, svc, start, start + 1, exclude_id, false, &l);
    if (!err)
        *offered = offered_at(&l, rules, start);
    loaded_release(&l);
    return err;
}

enum app_err schedule_service_is_offered(struct store *s, int64_t service_id, int64_t start,
                                         struct service *svc, bool *offered)
{
    struct loaded l;
    memset(&l, 0, sizeof l);
    loads++;
    /* One query for the service and its rules: on PostgreSQL a round trip
     * less for every booking. */
    enum app_err err = store_service_schedule(s, service_id, start - BEFORE, start + 1 + AFTER, svc,
                                              &l.sched);
    if (!err && !svc->active)
        err = APP_ERR_SERVICE_NOT_FOUND;
    if (!err)
        err = open_zone(&l);
    if (!err) {
        struct slot_rules rules = schedule_rules(svc, NULL);
        *offered = offered_at(&l, &rules, start);
    }
    loaded_release(&l);
    return err;
}

enum app_err schedule_next_slots(struct store *s, const struct service *svc,
                                 const struct slot_rules *rules, int64_t start,
                                 int64_t exclude_id, struct slot_list *out)
{
    int64_t now = clock_now();
    int64_t horizon = now + (int64_t)rules->max_advance_days * 86400 + 1;
    /* Nothing before now + min notice is offered: a start in year 1 searches
     * from there, not through the centuries in between. */
    int64_t from = start + 1, earliest = now + (int64_t)rules->min_notice_min * 60;
    int64_t span = NEXT_FIRST_SPAN;
    enum app_err err = APP_OK;
    if (from < earliest)
        from = earliest;
    for (int i = 0; !err && out->n < 3 && from < horizon && i < NEXT_MAX_LOADS; i++) {
        int64_t to = horizon - from > span ? from + span : horizon;
        err = schedule_slots(s, svc, rules, from, to, exclude_id, 3 - out->n, out);
        from = to;
        span *= 2;
    }
    return err;
}

enum app_err schedule_service_view(struct store *s, int64_t id, int64_t from_days,
                                   int64_t to_days, const char *zone, struct schedule_view *v)
{
    struct loaded l;
    memset(v, 0, sizeof *v);
    enum app_err err = services_get_active(s, id, &v->svc);
    if (err)
        return err;
    /* Local dates of any zone lie within 15 h of the same UTC dates, so one
     * load covers the range before the zone to read it in is known. */
    err = load(s, &v->svc, from_days * 86400 - 15 * 3600, (to_days + 1) * 86400 + 15 * 3600, 0,
               true, &l);
    v->sched = l.sched;
    v->provider_tz = l.tz;
    v->view_tz = err ? NULL : tz_open(zone ? zone : tz_name(l.tz));
    if (!err && !v->view_tz)
        err = APP_ERR_INTERNAL;
    if (!err) {
        struct slot_rules rules = schedule_rules(&v->svc, NULL);
        v->input = input_of(&v->sched, v->provider_tz, &rules,
                            tz_wall_to_utc(v->view_tz, from_days, 0),
                            tz_wall_to_utc(v->view_tz, to_days + 1, 0));
        if (slots_compute(&v->input, 0, &v->slots) != 0)
            err = APP_ERR_INTERNAL;
    }
    if (err)
        schedule_view_release(v);
    return err;
}

void schedule_view_release(struct schedule_view *v)
{
    schedule_release(&v->sched);
    tz_free(v->provider_tz);
    tz_free(v->view_tz);
    slot_list_release(&v->slots);
    v->provider_tz = v->view_tz = NULL;
    v->input = (struct slot_input){0};
}

enum app_err schedule_service_slots(struct store *s, int64_t id, int64_t from_days,
                                    int64_t to_days, const char *zone, struct service *svc,
                                    char *zone_used, struct slot_list *out)
{
    struct schedule_view *v = malloc(sizeof *v);
    if (!v)
        return APP_ERR_INTERNAL;
    enum app_err err = schedule_service_view(s, id, from_days, to_days, zone, v);
    if (!err) {
        *svc = v->svc;
        g_strlcpy(zone_used, tz_name(v->view_tz), 64);
        *out = v->slots; /* the list changes hands */
        v->slots = (struct slot_list){0};
        schedule_view_release(v);
    }
    free(v);
    return err;
}
