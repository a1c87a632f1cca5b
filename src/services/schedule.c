#include "services/schedule.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "core/tz.h"
#include "services/services.h"

/* Two days: more than a booking (1440 + 2 × 240 minutes) or a local day can
 * reach across, so loading this much around a range misses nothing. */
#define MARGIN (2 * 86400)

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
    struct user provider;
    struct availability avail;
    struct time_off_list off;
    struct booking_list busy;
    struct span *off_spans, *busy_spans;
    struct tz *tz;
};

static void loaded_release(struct loaded *l)
{
    time_off_list_release(&l->off);
    booking_list_release(&l->busy);
    free(l->off_spans);
    free(l->busy_spans);
    tz_free(l->tz);
}

static enum app_err load(struct store *s, const struct service *svc, int64_t from, int64_t to,
                         int64_t exclude_id, struct loaded *l)
{
    memset(l, 0, sizeof *l);
    enum app_err err = store_user_by_id(s, svc->provider_id, &l->provider);
    if (!err)
        err = store_availability_get(s, svc->provider_id, &l->avail);
    if (!err)
        err = store_time_off_between(s, svc->provider_id, from - MARGIN, to + MARGIN, &l->off);
    if (!err)
        err = store_booking_busy(s, svc->provider_id, from - MARGIN, to + MARGIN, exclude_id, &l->busy);
    if (err)
        return err;
    l->tz = tz_open(l->provider.timezone);
    if (!l->tz)
        l->tz = tz_open("UTC");
    l->off_spans = calloc((size_t)l->off.n + 1, sizeof *l->off_spans);
    l->busy_spans = calloc((size_t)l->busy.n + 1, sizeof *l->busy_spans);
    if (!l->tz || !l->off_spans || !l->busy_spans)
        return APP_ERR_INTERNAL;
    for (int i = 0; i < l->off.n; i++)
        l->off_spans[i] = (struct span){l->off.items[i].start, l->off.items[i].end};
    for (int i = 0; i < l->busy.n; i++)
        l->busy_spans[i] = (struct span){booking_occupied_start(&l->busy.items[i]),
                                         booking_occupied_end(&l->busy.items[i])};
    return APP_OK;
}

static struct slot_input input_of(const struct loaded *l, const struct slot_rules *rules,
                                  int64_t from, int64_t to)
{
    return (struct slot_input){
        .tz = l->tz,
        .windows = l->avail.windows,
        .n_windows = (size_t)l->avail.n,
        .time_off = l->off_spans,
        .n_time_off = (size_t)l->off.n,
        .busy = l->busy_spans,
        .n_busy = (size_t)l->busy.n,
        .rules = *rules,
        .now = clock_now(),
        .from = from,
        .to = to,
    };
}

enum app_err schedule_slots(struct store *s, const struct service *svc,
                            const struct slot_rules *rules, int64_t from, int64_t to,
                            int64_t exclude_id, size_t max, struct slot_list *out)
{
    struct loaded l;
    enum app_err err = load(s, svc, from, to, exclude_id, &l);
    if (!err) {
        struct slot_input in = input_of(&l, rules, from, to);
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
    enum app_err err = load(s, svc, start, start + 1, exclude_id, &l);
    if (!err) {
        struct slot_input in = input_of(&l, rules, start, start + 1);
        *offered = slots_is_offered(&in, start);
    }
    loaded_release(&l);
    return err;
}

enum app_err schedule_next_slots(struct store *s, const struct service *svc,
                                 const struct slot_rules *rules, int64_t start,
                                 int64_t exclude_id, struct slot_list *out)
{
    int64_t horizon = clock_now() + (int64_t)rules->max_advance_days * 86400 + 1;
    enum app_err err = APP_OK;
    /* A week at a time, so a full horizon of bookings is never loaded at once. */
    for (int64_t from = start + 1; !err && out->n < 3 && from < horizon; from += 7 * 86400) {
        int64_t to = from + 7 * 86400 < horizon ? from + 7 * 86400 : horizon;
        err = schedule_slots(s, svc, rules, from, to, exclude_id, 3 - out->n, out);
    }
    return err;
}

enum app_err schedule_service_slots(struct store *s, int64_t id, int64_t from_days,
                                    int64_t to_days, const char *zone, struct service *svc,
                                    char *zone_used, struct slot_list *out)
{
    struct user provider;
    enum app_err err = services_get_active(s, id, svc);
    if (!err)
        err = store_user_by_id(s, svc->provider_id, &provider);
    if (err)
        return err;
    struct tz *tz = tz_open(zone ? zone : provider.timezone);
    if (!tz)
        return APP_ERR_INTERNAL;
    g_strlcpy(zone_used, tz_name(tz), 64);
    int64_t from = tz_wall_to_utc(tz, from_days, 0), to = tz_wall_to_utc(tz, to_days + 1, 0);
    tz_free(tz);
    struct slot_rules rules = schedule_rules(svc, NULL);
    return schedule_slots(s, svc, &rules, from, to, 0, 0, out);
}
