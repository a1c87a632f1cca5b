/* The rules of the event stream (API.md "Real-time updates"): tickets, who
 * sees which event, and when a resume starts with a reset. No HTTP here:
 * api/streams.c owns the streams and calls these. */
#ifndef SERVICES_EVENTS_H
#define SERVICES_EVENTS_H
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "core/token.h"
#include "db/store.h"
#include "models/event.h"
#include "models/user.h"

#define EVENTS_TICKET_SECONDS 30
#define EVENTS_TICKET_LEN 64 /* hex characters */

/* Who a stream is for: its user (and role now) and the session that opened it. */
struct event_viewer {
    int64_t user_id;
    enum role role;
    char sid[TOKEN_ID_LEN + 1];
};

/* Makes a ticket for user_id's session sid, valid until now + 30 s, and
 * writes it (EVENTS_TICKET_LEN hex characters and a NUL) into out; only
 * its SHA-256 is stored. */
enum app_err events_ticket_issue(struct store *s, int64_t user_id, const char *sid, int64_t now,
                                 char out[EVENTS_TICKET_LEN + 1]);
/* Uses ticket up, at most once whatever the number of processes, and fills
 * v with its user and session. APP_ERR_BAD_TOKEN when it is unknown, used,
 * expired at now, or its session or user is no longer live. */
enum app_err events_ticket_redeem(struct store *s, const char *ticket, int64_t now,
                                  struct event_viewer *v);
/* Whether events of this type go to streams at all (booking.reminder does
 * not: it is for webhooks). */
bool events_streamed(const char *type);
/* Whether v may see e: a booking event its customer, its provider and every
 * admin; a waitlist event its customer and every admin; nobody else. */
bool events_visible(const struct event_viewer *v, const struct event *e);
/* Whether a stream resuming after last_id must first be sent `event:
 * reset`: when retention has deleted an event after it (pruned_through, the
 * highest id deleted, is above last_id). */
bool events_resume_resets(int64_t last_id, int64_t pruned_through);

/* The dispatcher's reads (api/streams.c), each on its own connection s. */
/* The outbox's newest id, once every id up to it is final;
 * APP_ERR_CONFLICT while a writer that drew an earlier id is still open. */
enum app_err events_head(struct store *s, int64_t *head);
/* The next page of new events after c, gaps waited for (store_events_after). */
enum app_err events_next_page(struct store *s, struct outbox_cursor *c, int limit,
                              struct event_list *out);
/* A page of v's backlog: events with after < id <= upto that may concern v. */
enum app_err events_backlog(struct store *s, const struct event_viewer *v, int64_t after,
                            int64_t upto, int limit, struct event_list *out);
/* Whether a stream resuming after last_id starts with `event: reset` now. */
enum app_err events_resume_check(struct store *s, int64_t last_id, bool *reset);
/* Which of n streams' sessions are live at now, and their users' roles. */
enum app_err events_sessions_check(struct store *s, const char *const *sids, int n, int64_t now,
                                   bool *live, enum role *roles);
/* Waits up to timeout_ms for a new event (store_wait_events); *notified
 * says whether this engine wakes the wait at once (PostgreSQL) or the
 * caller polls (SQLite). */
enum app_err events_wait(struct store *s, int timeout_ms, bool *notified);
#endif
