#include "services/bookings.h"

#include <glib.h>
#include <string.h>

#include <stdlib.h>

#include "core/banned.h"
#include "core/timeutil.h"
#include "schemas/text.h"
#include "services/audit.h"
#include "services/schedule.h"
#include "services/services.h"

/* Its customer, its provider (while still one) or an admin. */
static bool visible(const struct user *actor, const struct booking *b)
{
    return actor->role == ROLE_ADMIN || b->customer_id == actor->id ||
           (actor->role == ROLE_PROVIDER && b->provider_id == actor->id);
}

/* Its provider (while still one) or an admin. */
static bool is_staff(const struct user *actor, const struct booking *b)
{
    return actor->role == ROLE_ADMIN ||
           (actor->role == ROLE_PROVIDER && b->provider_id == actor->id);
}

/* Writes b (a new booking when its id is 0) with what every change writes
 * besides, in the same unit of work: its event (with the occupied span the
 * change freed, NULL: none, which the waitlist serves) and its audit entry
 * (type, taking d) and, for a new booking, the answer to the request's
 * Idempotency-Key. */
static enum app_err save_change(struct store *s, const char *type, struct booking *b,
                                struct audit_details *d, const struct span *freed)
{
    bool created = b->id == 0;
    const struct store_context *c = store_context(s);
    char *data = schema_booking_text(b), *details = schema_details_text(d);
    struct booking_record rec = {type, data, details, created && c ? c->idem_status : 0,
                                 freed ? freed->start : 0, freed ? freed->end : 0};
    enum app_err err = !data || !details ? APP_ERR_INTERNAL
                       : created         ? store_booking_insert(s, b, &rec)
                                         : store_booking_update(s, b, &rec);
    free(data);
    free(details);
    return err;
}

/* Who the booking is for, and whether actor may book it. */
static enum app_err resolve_customer(struct store *s, const struct user *actor,
                                     const struct service *svc, const struct booking_request *req,
                                     int64_t *customer_id, struct field_errors *fe)
{
    if (actor->role == ROLE_CUSTOMER) {
        if (req->has_customer_id && req->customer_id != actor->id)
            return APP_ERR_FORBIDDEN;
        *customer_id = actor->id;
        return APP_OK;
    }
    if (actor->role == ROLE_PROVIDER && svc->provider_id != actor->id)
        return APP_ERR_FORBIDDEN;
    if (!req->has_customer_id) {
        field_errors_add(fe, "body", "customer_id", "missing",
                         "Field required when booking on behalf of a customer");
        return APP_ERR_VALIDATION;
    }
    struct user c;
    enum app_err err = store_user_by_id(s, req->customer_id, &c);
    if (err == APP_ERR_USER_NOT_FOUND || (!err && (c.role != ROLE_CUSTOMER || !c.is_active))) {
        field_errors_add(fe, "body", "customer_id", "value_error", "No such active customer");
        return APP_ERR_VALIDATION;
    }
    *customer_id = req->customer_id;
    return err;
}

/* Writes b, checked against rules 1 and 2 before, in a unit of work that
 * holds only the writes (on SQLite the write lock is held that much
 * shorter). Rule 3 is the database's no-overlap rule, which refuses whatever
 * raced past the check; time off or narrower hours committed between the
 * check and the write order as if they came after the booking, which the
 * contract allows (time off may cover existing bookings). */
static enum app_err insert_checked(struct store *s, struct booking *b)
{
    enum app_err err = store_begin(s);
    if (!err) {
        store_last_step(s); /* on PostgreSQL the booking and its records are one statement */
        err = store_end(s, save_change(s, "booking.created", b, NULL, NULL));
    }
    return err == APP_ERR_CONFLICT ? APP_ERR_SLOT_UNAVAILABLE : err;
}

/* A refused slot is answered with the next ones offered; reading them can
 * fail too (the database went away meanwhile), and then that is the answer:
 * a 503, not a 500. */
static enum app_err refused(struct store *s, const struct service *svc,
                            const struct slot_rules *rules, int64_t start, int64_t id,
                            struct slot_list *next)
{
    enum app_err err = schedule_next_slots(s, svc, rules, start, id, next);
    return err ? err : APP_ERR_SLOT_UNAVAILABLE;
}

/* A new confirmed booking of svc for customer_id at start, its duration and
 * buffers the service's. */
static void new_booking(const struct service *svc, int64_t customer_id, int64_t start,
                        const char *notes, struct booking *out)
{
    memset(out, 0, sizeof *out);
    out->customer_id = customer_id;
    out->service_id = svc->id;
    out->provider_id = svc->provider_id;
    out->start = start;
    out->end = start + (int64_t)svc->duration_minutes * 60;
    out->buffer_before_min = svc->buffer_before_minutes;
    out->buffer_after_min = svc->buffer_after_minutes;
    out->status = BOOKING_CONFIRMED;
    g_strlcpy(out->notes, notes, sizeof out->notes);
    out->created_at = out->updated_at = clock_now();
}

enum app_err bookings_create_for_waitlist(struct store *s, const struct service *svc,
                                          int64_t customer_id, int64_t start, int64_t entry_id,
                                          struct booking *out)
{
    struct audit_details *d = schema_details_new();
    new_booking(svc, customer_id, start, "", out);
    schema_details_set_str(d, "by", "waitlist");
    schema_details_set_int(d, "waitlist_entry_id", entry_id);
    enum app_err err = save_change(s, "booking.created", out, d, NULL);
    return err == APP_ERR_CONFLICT ? APP_ERR_SLOT_UNAVAILABLE : err;
}

enum app_err bookings_create(struct store *s, const struct user *actor,
                             const struct booking_request *req, struct booking *out,
                             struct slot_list *next, struct field_errors *fe)
{
    struct service svc;
    bool offered = false;
    enum app_err err = schedule_service_is_offered(s, req->service_id, req->start, &svc, &offered);
    memset(out, 0, sizeof *out);
    if (!err)
        err = resolve_customer(s, actor, &svc, req, &out->customer_id, fe);
    if (err)
        return err;
    struct slot_rules rules = schedule_rules(&svc, NULL);
    new_booking(&svc, out->customer_id, req->start, req->notes, out);
    err = offered ? insert_checked(s, out) : APP_ERR_SLOT_UNAVAILABLE;
    return err == APP_ERR_SLOT_UNAVAILABLE ? refused(s, &svc, &rules, req->start, 0, next) : err;
}

enum app_err bookings_get(struct store *s, const struct user *actor, int64_t id,
                          struct booking *out)
{
    enum app_err err = store_booking_get(s, id, out);
    return !err && !visible(actor, out) ? APP_ERR_BOOKING_NOT_FOUND : err;
}

enum app_err bookings_list(struct store *s, const struct user *actor, struct booking_filter *f,
                           int limit, int offset, struct booking_list *out)
{
    f->customer_id = actor->role == ROLE_CUSTOMER ? actor->id : 0;
    f->provider_id = actor->role == ROLE_PROVIDER ? actor->id : 0;
    return store_booking_list(s, f, limit, offset, out);
}

/* Inside a write transaction: loads and locks booking id for a change by
 * actor, under the cancel rules (confirmed, still ahead, and for a customer
 * not later than the service's cancel notice). */
static enum app_err lock_changeable(struct store *s, const struct user *actor, int64_t id,
                                    struct booking *b, struct service *svc)
{
    enum app_err err = store_booking_lock(s, id, b);
    if (!err && !visible(actor, b))
        err = APP_ERR_BOOKING_NOT_FOUND;
    if (!err)
        err = services_get(s, b->service_id, svc);
    if (err)
        return err;
    int64_t now = clock_now();
    int64_t deadline = b->start - (is_staff(actor, b) ? 0 : (int64_t)svc->cancel_notice_minutes * 60);
    if (b->status != BOOKING_CONFIRMED || now >= deadline)
        return APP_ERR_NOT_CHANGEABLE;
    return APP_OK;
}

enum app_err bookings_cancel(struct store *s, const struct user *actor, int64_t id,
                             const char *reason, struct booking *out)
{
    struct service svc;
    enum app_err err = store_begin(s);
    if (!err)
        err = lock_changeable(s, actor, id, out, &svc);
    if (!err) {
        out->status = BOOKING_CANCELLED;
        out->cancelled_at = out->updated_at = clock_now();
        out->has_cancel_reason = reason != NULL;
        g_strlcpy(out->cancel_reason, reason ? reason : "", sizeof out->cancel_reason);
        struct span freed = {booking_occupied_start(out), booking_occupied_end(out)};
        err = save_change(s, "booking.cancelled", out, NULL, &freed);
    }
    return store_end(s, err);
}

enum app_err bookings_reschedule(struct store *s, const struct user *actor, int64_t id,
                                 int64_t start, struct booking *out, struct slot_list *next)
{
    struct service svc;
    struct slot_rules rules;
    bool offered = false;
    int64_t old_start = 0;
    enum app_err err = store_begin(s);
    if (!err)
        err = lock_changeable(s, actor, id, out, &svc);
    if (!err) {
        rules = schedule_rules(&svc, out);
        err = schedule_is_offered(s, &svc, &rules, start, id, &offered);
    }
    if (!err && !offered)
        err = APP_ERR_SLOT_UNAVAILABLE;
    if (!err) {
        struct span freed = {booking_occupied_start(out), booking_occupied_end(out)};
        old_start = out->start;
        out->end = start + (out->end - out->start);
        out->start = start;
        out->updated_at = clock_now();
        struct audit_details *d = schema_details_new();
        char from[21], to[21];
        rfc3339_format(old_start, from);
        rfc3339_format(start, to);
        schema_details_change_str(d, "start", from, to);
        err = save_change(s, "booking.rescheduled", out, d, &freed);
    }
    err = store_end(s, err);
    err = err == APP_ERR_CONFLICT ? APP_ERR_SLOT_UNAVAILABLE : err;
    if (err == APP_ERR_SLOT_UNAVAILABLE)
        err = refused(s, &svc, &rules, start, id, next);
    if (err == APP_ERR_SLOT_UNAVAILABLE)
        store_booking_get(s, id, out);
    return err;
}

enum app_err bookings_complete(struct store *s, const struct user *actor, int64_t id,
                               struct booking *out)
{
    enum app_err err = store_begin(s);
    if (!err)
        err = store_booking_lock(s, id, out);
    if (!err && !visible(actor, out))
        err = APP_ERR_BOOKING_NOT_FOUND;
    if (!err && !is_staff(actor, out))
        err = APP_ERR_FORBIDDEN;
    if (!err && (out->status != BOOKING_CONFIRMED || out->start >= clock_now()))
        err = APP_ERR_NOT_CHANGEABLE;
    if (!err) {
        out->status = BOOKING_COMPLETED;
        out->updated_at = clock_now();
        err = save_change(s, "booking.completed", out, NULL, NULL);
    }
    return store_end(s, err);
}
