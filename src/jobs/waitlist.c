#include "jobs/waitlist.h"

#include <glib.h>

#include "core/banned.h"
#include "core/log.h"
#include "core/timeutil.h"
#include "services/waitlist.h"

#define SERVE_BATCH 200

enum app_err waitlist_job_run(struct store *s)
{
    /* Only the waitlist job's thread uses these. */
    static struct outbox_cursor cursor;
    static struct waitlist_place place;
    static int64_t expired_at;
    struct waitlist_served served = {SERVE_BATCH, 0, 0};
    enum app_err err = APP_OK;
    /* Catch up in one go after a pause; each serve is its own unit of work. */
    while (!err && served.events == SERVE_BATCH) {
        err = waitlist_serve(s, &cursor, &place, SERVE_BATCH, &served);
        if (served.booked || served.notified)
            log_info("waitlist served %d booked, %d notified", served.booked, served.notified);
        served.booked = served.notified = 0;
    }
    int64_t now = clock_now();
    int n = 0;
    if (!err && now != expired_at) {
        err = waitlist_expire(s, now, &n);
        expired_at = now;
    }
    if (!err && n)
        log_info("waitlist expired %d entries", n);
    return err;
}
