#include "services/deliveries.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "schemas/text.h"

struct webhook_verdict deliveries_apply(const struct retry_schedule *rs, struct delivery *d,
                                        int code, const char *error, int64_t now,
                                        int64_t failing_since)
{
    struct webhook_verdict v = {false, false};
    d->last_status_code = code;
    d->next_attempt_at = 0;
    if (code >= 200 && code <= 299) {
        d->status = DELIVERY_DELIVERED;
        d->delivered_at = now;
        d->last_error[0] = '\0';
        return v;
    }
    if (error)
        g_strlcpy(d->last_error, error, sizeof d->last_error);
    else
        g_snprintf(d->last_error, sizeof d->last_error, "HTTP %d", code);
    v.failing = true;
    int64_t since = failing_since ? failing_since : now;
    v.disable = code == 410 || now - since >= DELIVERIES_DISABLE_AFTER;
    if (code != 410 && d->attempts >= 1 && d->attempts <= rs->count) {
        d->status = DELIVERY_PENDING;
        /* now is whole seconds, rounded down: one more keeps the next
         * attempt at least the schedule's time after this one. */
        d->next_attempt_at = now + rs->seconds[d->attempts - 1] + 1;
    } else {
        d->status = DELIVERY_FAILED;
    }
    return v;
}

/* Where this process believes the fan-out is, unless the database says
 * otherwise (another process ran it meanwhile, or this is the first turn). */
static enum app_err sync_cursor(struct store *s, struct outbox_cursor *c)
{
    int64_t after = 0;
    enum app_err err = store_fanout_after(s, &after);
    if (!err && after != c->after) {
        memset(c, 0, sizeof *c);
        c->after = after;
    }
    return err;
}

enum app_err deliveries_fan_out(struct store *s, struct outbox_cursor *c, int limit, int *n)
{
    struct event_list events = {0};
    *n = 0;
    enum app_err err = sync_cursor(s, c);
    int64_t from = c->after;
    if (!err)
        err = store_events_after(s, c, limit, &events);
    if (!err && events.n) {
        err = store_fanout_step(s, from, c->after, clock_now());
        if (err) /* read the place again next turn */
            c->after = -1;
        else
            *n = events.n;
    }
    event_list_release(&events);
    return err == APP_ERR_CONFLICT ? APP_OK : err;
}

/* One reminder: its event (the Booking as data), its mark, its delivery. */
static enum app_err remind_one(struct store *s, const struct reminder_due *r, int64_t now)
{
    struct booking b;
    int64_t event_id = 0;
    char *data = NULL;
    enum app_err err = store_begin(s);
    if (!err)
        err = store_booking_get(s, r->booking_id, &b);
    if (!err && !(data = schema_booking_text(&b)))
        err = APP_ERR_INTERNAL;
    if (!err)
        err = store_event_add_id(s, "booking.reminder", data, b.provider_id, b.customer_id,
                                 &event_id);
    if (!err)
        err = store_reminder_mark(s, r, event_id);
    if (!err)
        err = store_delivery_insert(s, r->webhook_id, event_id, "booking.reminder", now);
    free(data);
    return store_end(s, err);
}

enum app_err deliveries_remind(struct store *s, int64_t now, int minute_seconds, int *n)
{
    struct reminder_due *due = NULL;
    int count = 0;
    *n = 0;
    enum app_err err = store_reminders_due(s, now, minute_seconds, 100, &due, &count);
    for (int i = 0; !err && i < count; i++) {
        err = remind_one(s, &due[i], now);
        /* Marked by another process meanwhile, or the booking is gone. */
        if (err == APP_ERR_CONFLICT || err == APP_ERR_BOOKING_NOT_FOUND)
            err = APP_OK;
        else if (!err)
            (*n)++;
    }
    free(due);
    return err;
}
