/* The storage interface the services call. One struct store is one database
 * connection, owned by one thread (a worker); open one per thread.
 * Every function returns APP_OK or an error: APP_ERR_*_NOT_FOUND when a row is
 * missing, APP_ERR_CONFLICT when a unique key or the no-overlap rule refused a
 * write, APP_ERR_UNAVAILABLE when the database cannot be reached, and
 * APP_ERR_INTERNAL for anything else (logged here, never shown to clients).
 * Lists are malloc'd into the caller's list struct; release them with the
 * model's *_list_release. */
#ifndef DB_STORE_H
#define DB_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "models/audit.h"
#include "models/availability.h"
#include "models/event.h"
#include "models/booking.h"
#include "models/service.h"
#include "models/user.h"
#include "models/waitlist.h"
#include "models/webhook.h"

struct store;

/* Connects to url ("sqlite:PATH" or "postgresql://…"). On failure returns NULL
 * and writes a message to err. */
struct store *store_open(const char *url, char *err, size_t errlen);
/* store_open, tried again with back-off (0.25 s doubling to 5 s) for up to
 * wait_seconds while the database cannot be reached, each failed try logged.
 * NULL with the last try's error in err when the time ran out. */
struct store *store_open_wait(const char *url, int wait_seconds, char *err, size_t errlen);
void store_close(struct store *s);
/* "sqlite" or "postgresql". */
const char *store_engine(const struct store *s);
/* Applies every migration not yet recorded, each in its own transaction. */
enum app_err store_migrate(struct store *s);
/* A real round trip to the database; on SQLite, also whether it can be
 * written (a write of its own while the last write failed for want of the
 * file: full, read-only, I/O error). APP_ERR_UNAVAILABLE when not. */
enum app_err store_ping(struct store *s);

/* The unit of work: every write runs inside one, with the same meaning on
 * both engines:
 *
 *     enum app_err err = store_begin(s);
 *     if (!err)
 *         err = step(s, ...);      (each step returns its error)
 *     ...
 *     return store_end(s, err);
 *
 * Everything written between begin and end commits together or not at all.
 * SQLite: BEGIN IMMEDIATE, the write lock taken at once, so a check and the
 * write after it are one step. PostgreSQL: BEGIN (READ COMMITTED), sent with
 * the first statement; rows a step must not see change are locked by the
 * store_*_lock functions, and the no-overlap rule is the exclusion
 * constraint. store_end commits when err is APP_OK and rolls back otherwise;
 * it returns err, or the commit's own error. A write outside a unit of work
 * is refused (APP_ERR_INTERNAL, logged). */
enum app_err store_begin(struct store *s);
enum app_err store_end(struct store *s, enum app_err err);
/* After a unit of work that ended in APP_ERR_CONFLICT: whether the database
 * refused it only to break a deadlock, for a serialization failure or a
 * lock time-out, so that running it again may succeed; false when a rule
 * (a unique key, the no-overlap constraint, a row no longer there) refused
 * it. Always false on SQLite, which has one writer at a time. */
bool store_end_raced(struct store *s);
/* Says that the unit of work's next statement is its last, and its first:
 * on PostgreSQL it then runs on its own (one statement is atomic) with no
 * BEGIN or COMMIT round trip. Nothing may follow it but store_end. */
void store_last_step(struct store *s);

/* Who is acting, and from where: what the audit entries written on s record,
 * and the Idempotency-Key claim the request holds. Set by the dispatcher for
 * one request (NULL: the server's own work or the command line); the pointers
 * must outlive it. */
struct store_context {
    const struct user *actor; /* NULL: nobody signed in */
    const char *ip, *user_agent, *request_id;
    /* A key (idem_user_id 0: none). The write that answers the request
     * records its response in its own transaction and sets idem_recorded:
     * into the claim, or, while idem_hash is set (the key is not claimed:
     * services/idempotency.h), as the key's whole row, which fails the write
     * when the key has a row already. */
    int64_t idem_user_id;
    const char *idem_key;
    const char *idem_owner;
    const char *idem_hash; /* the request's fingerprint while unclaimed */
    int idem_status;       /* the status a success answers with */
    bool idem_recorded;
};
void store_set_context(struct store *s, struct store_context *ctx);
struct store_context *store_context(struct store *s);

/* Returns the setting key, first storing value when it has none (the first of
 * racing processes wins; all read the same value). */
enum app_err store_setting_ensure(struct store *s, const char *key, const char *value,
                                  char *out, size_t outlen);

/* Users. */
enum app_err store_user_insert(struct store *s, struct user *u); /* sets u->id */
enum app_err store_user_by_id(struct store *s, int64_t id, struct user *u);
enum app_err store_user_by_email(struct store *s, const char *email, struct user *u);
/* store_user_by_id, locking the row until the unit of work ends. */
enum app_err store_user_lock(struct store *s, int64_t id, struct user *u);
/* How many active admins there are besides user id. */
enum app_err store_admins_other(struct store *s, int64_t id, int64_t *count);
/* Writes name, role, is_active, timezone and password_hash of u->id. */
enum app_err store_user_update(struct store *s, const struct user *u);
/* A page of users by id; role NULL: every role. */
enum app_err store_user_list(struct store *s, const enum role *role, int limit, int offset,
                             struct user_list *out);

/* Sessions. */
enum app_err store_session_insert(struct store *s, const struct session *sess);
/* The active user of an unrevoked, unexpired session: what every request's
 * token is checked against. APP_ERR_USER_NOT_FOUND otherwise. */
enum app_err store_session_user(struct store *s, const char *sid, int64_t user_id, int64_t now,
                                struct user *u);
enum app_err store_session_get(struct store *s, const char *sid, struct session *sess);
/* Replaces the refresh hash when it still equals old_hash; APP_ERR_CONFLICT when
 * it does not (the old refresh token was already used). */
enum app_err store_session_rotate(struct store *s, const char *sid, const char *old_hash,
                                  const char *new_hash);
enum app_err store_session_revoke(struct store *s, const char *sid, int64_t now);
/* Revokes every session of user_id but keep_sid (NULL: all). */
enum app_err store_sessions_revoke_user(struct store *s, int64_t user_id, const char *keep_sid,
                                        int64_t now);

/* Login attempts, counted as failures from before the password is checked
 * (so concurrent guesses count too): lock takes turns per email for the
 * unit of work, add records one (*id for store_login_attempt_clear, which a
 * success calls). */
enum app_err store_login_lock(struct store *s, const char *email);
enum app_err store_login_failure_add(struct store *s, const char *email, const char *ip, int64_t at,
                                     int64_t *id);
enum app_err store_login_attempt_clear(struct store *s, int64_t id);
/* Failures since `since`: of email from ip, of email, and from ip; each
 * with the time of its oldest (0 when none). */
struct login_failure_counts {
    int64_t email_ip, email, ip;
    int64_t email_ip_oldest, email_oldest, ip_oldest;
};
enum app_err store_login_failures(struct store *s, const char *email, const char *ip, int64_t since,
                                  struct login_failure_counts *out);

/* Signups per client address. add records one at `at` and drops those
 * before prune_before; count gives those after since, and the time of the
 * oldest of them (0 when none). */
enum app_err store_signup_attempt_add(struct store *s, const char *ip, int64_t at,
                                      int64_t prune_before);
enum app_err store_signup_attempts(struct store *s, const char *ip, int64_t since, int64_t *count,
                                   int64_t *oldest);

/* Availability: the weekly windows of a provider and the zone they are in
 * (kept on the provider's user row). replace is one write of the whole
 * schedule: call it inside a transaction. */
enum app_err store_availability_get(struct store *s, int64_t provider_id, struct availability *out);
enum app_err store_availability_replace(struct store *s, int64_t provider_id,
                                        const struct availability *a);

/* The slot engine's inputs for provider_id around [from, to): zone, weekly
 * windows, time off and, with with_busy, the busy time overlapping the range,
 * leaving booking exclude_id (0: none) out. APP_ERR_PROVIDER_NOT_FOUND
 * without the user. */
enum app_err store_schedule(struct store *s, int64_t provider_id, int64_t from, int64_t to,
                            int64_t exclude_id, bool with_busy, struct schedule *out);
/* Service service_id (active or not) and, as store_schedule without busy
 * time, its provider's inputs, in one query: what a booking checks.
 * APP_ERR_SERVICE_NOT_FOUND without the service. */
enum app_err store_service_schedule(struct store *s, int64_t service_id, int64_t from, int64_t to,
                                    struct service *svc, struct schedule *out);

/* Time off. */
enum app_err store_time_off_insert(struct store *s, struct time_off *t); /* sets t->id */
enum app_err store_time_off_list(struct store *s, int64_t provider_id, int limit, int offset,
                                 struct time_off_list *out);
/* Deletes time off id of provider_id into out; APP_ERR_TIME_OFF_NOT_FOUND
 * when it has none. */
enum app_err store_time_off_delete(struct store *s, int64_t provider_id, int64_t id,
                                   struct time_off *out);

/* Services. */
enum app_err store_service_insert(struct store *s, struct service *svc); /* sets svc->id */
enum app_err store_service_get(struct store *s, int64_t id, struct service *svc);
/* The same, locking the row until the unit of work ends. */
enum app_err store_service_lock(struct store *s, int64_t id, struct service *svc);
enum app_err store_service_update(struct store *s, const struct service *svc);
/* Makes every service of provider_id inactive. */
enum app_err store_services_deactivate(struct store *s, int64_t provider_id);
/* The shortest free stretches, in minutes, that some active service of
 * provider_id still fits in (0 when it has none): between two bookings, the
 * least duration + both buffers; after an edge of open time, duration +
 * buffer after (the buffer before may hang over the edge); before one,
 * duration + buffer before. */
enum app_err store_service_shortest(struct store *s, int64_t provider_id, int *between,
                                    int *after_edge, int *before_edge);
/* Active services by id, of one provider (provider_id 0: all). */
enum app_err store_service_list(struct store *s, int64_t provider_id, int limit, int offset,
                                struct service_list *out);

/* Bookings. insert and update return APP_ERR_CONFLICT when the booking
 * would overlap another confirmed booking of its provider (with buffers):
 * the database refuses it, whatever raced. */
/* What a booking change writes besides the booking, in the same unit of work
 * (on PostgreSQL in the same statement, so a booking costs no more round
 * trips than before): its event, its audit entry (whose action is the event
 * type) and, with idem_status, the answer to the request's Idempotency-Key,
 * whose body is the event's data. */
struct booking_record {
    const char *type;    /* "booking.created", … */
    const char *data;    /* the Booking's JSON text; a new one's starts {"id":0, (filled in here) */
    const char *details; /* the audit entry's details, JSON text */
    int idem_status;     /* 0: no answer to record */
    /* The occupied span the change freed, written on its event (0, 0: none):
     * a cancellation's, a reschedule's old one. */
    int64_t freed_start, freed_end;
};
/* Sets b->id. rec NULL: the booking alone (tests, imports). */
enum app_err store_booking_insert(struct store *s, struct booking *b,
                                  const struct booking_record *rec);
enum app_err store_booking_get(struct store *s, int64_t id, struct booking *b);
/* The same, locking the row until the transaction ends (PostgreSQL). */
enum app_err store_booking_lock(struct store *s, int64_t id, struct booking *b);
enum app_err store_booking_update(struct store *s, const struct booking *b,
                                  const struct booking_record *rec);

/* A page ordered by start then id, with the total. */
enum app_err store_booking_list(struct store *s, const struct booking_filter *f, int limit,
                                int offset, struct booking_list *out);

/* Idempotency keys: one row per (user, key), kept 24 h. A claim carries an
 * owner (a random id of the request holding it) and a lease: a claim whose
 * holder died is taken over once its lease has passed, and only the owner
 * can record a response, so two holders never both answer. */
enum idem_state {
    IDEM_CLAIMED,   /* this request holds the key now */
    IDEM_DONE,      /* the first response is recorded: replay it */
    IDEM_BUSY,      /* another live request holds it */
    IDEM_OTHER,     /* the key was used with another request (hash) */
};
struct idem_record {
    enum idem_state state;
    int status;
    char *body; /* malloc'd with IDEM_DONE, else NULL */
};
/* Claims (user_id, key) for request hash and owner until now + lease. */
enum app_err store_idem_claim(struct store *s, int64_t user_id, const char *key, const char *hash,
                              const char *owner, int64_t now, int lease, struct idem_record *out);
/* Records status and body as the response of the key the context's claim
 * holds (nothing without one), in the current unit of work;
 * APP_ERR_IDEM_IN_FLIGHT when the claim was taken over. */
enum app_err store_idem_record(struct store *s, int status, const char *body);
/* Lets the context's claim go, in the current unit of work (the request
 * failed before deciding anything). */
enum app_err store_idem_release(struct store *s);

/* A reader's place in an outbox (events, audit log): the last id taken, and
 * the gap it waits at, if any. Zero it, then set after, to start. */
struct outbox_cursor {
    int64_t after;
    bool past_gaps;       /* take every row there is, gaps or not (audit-verify) */
    int64_t gap_at;       /* the id after the gap (0: none) */
    int64_t gap_since_us; /* monotonic time the gap was first seen */
};

/* The event outbox. Each event is written by the unit of work of the change
 * it reports (on PostgreSQL with a NOTIFY appointd_events in it, a wake-up
 * only). data is the JSON text of the object, as the API shows it. */
enum app_err store_event_add(struct store *s, const char *type, const char *data,
                             int64_t provider_id, int64_t customer_id);
/* store_event_add with the occupied span [freed_start, freed_end) the change
 * freed (the waitlist's signal, slots.freed). */
enum app_err store_event_add_freed(struct store *s, const char *type, const char *data,
                                   int64_t provider_id, int64_t customer_id, int64_t freed_start,
                                   int64_t freed_end);
/* Up to limit events after c->after, in id order, never skipping one that
 * may still commit, and moves c past them. Ids can commit out of order on
 * PostgreSQL: a page stops at a gap until it fills, or until, after a short
 * wait, a barrier shows that nothing can fill it (docs/ARCHITECTURE-NOTES.md,
 * "The outbox's order"). */
enum app_err store_events_after(struct store *s, struct outbox_cursor *c, int limit,
                                struct event_list *out);

/* The stream's side of the outbox (api/streams.c's dispatcher). */
/* The newest event id, once every id up to it is final: on PostgreSQL it
 * waits (a barrier, as store_events_after's) until every writer that drew an
 * id before the read has ended. APP_ERR_CONFLICT when one is still open: try
 * again. */
enum app_err store_events_head(struct store *s, int64_t *head);
/* Up to limit events with after < id <= upto, in id order, that may concern
 * viewer (its provider or customer; viewer 0: every event). Ids up to upto
 * must be final (store_events_head, store_events_after): nothing is waited for. */
enum app_err store_events_range(struct store *s, int64_t after, int64_t upto, int64_t viewer,
                                int limit, struct event_list *out);
/* The highest event id retention has deleted (0: none yet). */
enum app_err store_events_pruned_through(struct store *s, int64_t *id);
/* Waits up to timeout_ms for a new event: PostgreSQL LISTENs on
 * appointd_events (again after every reconnect) and returns at its NOTIFY,
 * *woken set; SQLite, which cannot notify, sleeps the whole time. The caller
 * reads the outbox after each return, woken or not. */
enum app_err store_wait_events(struct store *s, int timeout_ms, bool *woken);

/* Event stream tickets: only the ticket's hash is stored. add writes one
 * (in the current unit of work) and drops the expired ones; take deletes
 * the ticket's row and returns it, so exactly one caller gets it
 * (APP_ERR_NOT_FOUND: unknown or already used). */
enum app_err store_ticket_add(struct store *s, const char *hash, int64_t user_id, const char *sid,
                              int64_t expires_at, int64_t now);
enum app_err store_ticket_take(struct store *s, const char *hash, int64_t *user_id, char *sid,
                               size_t sidlen, int64_t *expires_at);
/* Which of n sessions are live (unrevoked, unexpired, their user active), in
 * one query per batch: live[i] says whether sids[i] is, and roles[i] its
 * user's role then. */
enum app_err store_sessions_live(struct store *s, const char *const *sids, int n, int64_t now,
                                 bool *live, enum role *roles);

/* The audit log. store_audit_add writes one entry in the current unit of
 * work with the context's actor (or actor, when not NULL: a signup acts as
 * the new user), address, user agent and request id. details is the JSON
 * text of the entry's details ("{}" when NULL). */
enum app_err store_audit_add(struct store *s, const struct user *actor, const char *action,
                             const char *target_type, int64_t target_id, const char *details);
/* A page of entries, newest first, with the total. */
enum app_err store_audit_list(struct store *s, const struct audit_filter *f, int limit, int offset,
                              struct audit_list *out);
/* Up to limit entries after c->after in id order, as store_events_after
 * reads events: what the sealer chains and audit-verify reads. */
enum app_err store_audit_after(struct store *s, struct outbox_cursor *c, int limit,
                               struct audit_list *out);
/* Sets the hash of each entry in seals, the JSON text of [{"id", "hash"}]
 * (schema_audit_seals_text), in one statement: a batch is one round trip. */
enum app_err store_audit_seal(struct store *s, const char *seals);
/* Where the chain ends now: the newest sealed entry, else the anchor. */
enum app_err store_audit_chain_end(struct store *s, int64_t *id, char hash[65]);
/* Entries written but not sealed yet: the newest entry's id minus the
 * newest sealed one's (ids drawn by rolled-back work count too: at most
 * that many). Two index look-ups while the sealer keeps up. */
enum app_err store_audit_unsealed(struct store *s, int64_t *n);
/* The chain's anchor: the id and hash of the last entry pruned (0 and 64
 * zeros when none was). */
enum app_err store_audit_anchor(struct store *s, int64_t *id, char hash[65]);
/* Deletes sealed entries older than before (at most limit), moving the
 * anchor to the newest one deleted. *deleted gets how many. */
enum app_err store_audit_prune(struct store *s, int64_t before, int limit, int *deleted);

/* Background jobs. Takes (or keeps) the lease of job name for owner until
 * `until`; *held says whether owner has it now. One process at a time runs
 * each job, whatever the number sharing the database. */
enum app_err store_job_lease(struct store *s, const char *name, const char *owner, int64_t now,
                             int64_t until, bool *held);
/* Retention: deletes at most limit rows of one kind older than before, and
 * says how many (audit entries: as store_audit_prune). */
enum store_prune_kind {
    PRUNE_IDEMPOTENCY, PRUNE_LOGIN_FAILURES, PRUNE_SESSIONS, PRUNE_EVENTS, PRUNE_AUDIT,
    PRUNE_DELIVERIES, /* delivered or failed, finished before `before` */
    PRUNE_REMINDERS,  /* reminder marks of starts before `before` */
};
enum app_err store_prune(struct store *s, enum store_prune_kind kind, int64_t before, int limit,
                         int *deleted);

/* Webhooks. insert sets w->id; secret is the whsec_ text. */
enum app_err store_webhook_insert(struct store *s, struct webhook *w, const char *secret);
enum app_err store_webhook_get(struct store *s, int64_t id, struct webhook *w);
/* The same, locking the row until the unit of work ends. */
enum app_err store_webhook_lock(struct store *s, int64_t id, struct webhook *w);
/* Writes url, events, active and reminder_minutes of w->id. */
enum app_err store_webhook_update(struct store *s, const struct webhook *w);
/* Deletes the webhook with its deliveries and reminder marks. */
enum app_err store_webhook_delete(struct store *s, int64_t id);
/* A page by id of user_id's webhooks (0: everyone's), with the total. */
enum app_err store_webhook_list(struct store *s, int64_t user_id, int limit, int offset,
                                struct webhook_list *out);
/* Makes secret the webhook's, keeping the one it replaces until old_until. */
enum app_err store_webhook_rotate(struct store *s, int64_t id, const char *secret,
                                  int64_t old_until);
/* After an attempt: failing clears (false) or starts, unless started
 * (true), the webhook's failing_since; disable makes it inactive. */
enum app_err store_webhook_health(struct store *s, int64_t id, bool failing, int64_t now,
                                  bool disable);

/* Deliveries. A page of webhook_id's, newest event first, with the total. */
enum app_err store_delivery_list(struct store *s, int64_t webhook_id, int limit, int offset,
                                 struct delivery_list *out);
/* Makes the delivery of event_id to webhook_id pending, due now, into out;
 * APP_ERR_DELIVERY_NOT_FOUND when it has none. */
enum app_err store_delivery_retry(struct store *s, int64_t webhook_id, int64_t event_id,
                                  int64_t now, struct delivery *out);
enum app_err store_delivery_insert(struct store *s, int64_t webhook_id, int64_t event_id,
                                   const char *type, int64_t now);
/* Claims up to limit deliveries due at now, of active webhooks, for owner
 * until lease_until (their next_attempt_at: a claim whose holder died is
 * due again then), counting the attempt; out gets what each needs. On
 * PostgreSQL rows another claimer holds are skipped (SKIP LOCKED); on
 * SQLite the write lock serialises claimers. One unit of work of its own. */
enum app_err store_delivery_claim(struct store *s, const char *owner, int64_t now, int limit,
                                  int64_t lease_until, struct delivery_attempt_list *out);
/* When the earliest pending delivery is due (0: none): one index read, so
 * an idle deliverer need not take the write lock to find nothing. */
enum app_err store_delivery_next_due(struct store *s, int64_t *at);
/* Records the results of o[0..n) in one statement, each when its claim is
 * still its owner's at d->attempts, and sets each kept (a claim that lapsed
 * and was taken again stays false). outcomes: o as
 * schema_delivery_outcomes_text writes them. */
enum app_err store_delivery_record(struct store *s, const char *outcomes, int64_t now,
                                   struct delivery_outcome *o, int n);

/* The fan-out: its persisted place in the outbox, and one step that writes
 * the deliveries of the events (after, upto] and moves the place there, in
 * one unit of work; APP_ERR_CONFLICT when the place was not `after` any
 * more (another process moved it). */
enum app_err store_fanout_after(struct store *s, int64_t *after);
enum app_err store_fanout_step(struct store *s, int64_t after, int64_t upto, int64_t now);

/* Reminders due at now (a minute lasting minute_seconds): up to limit
 * (webhook, booking, start) with no reminder yet. */
struct reminder_due {
    int64_t webhook_id, booking_id, start;
};
enum app_err store_reminders_due(struct store *s, int64_t now, int minute_seconds, int limit,
                                 struct reminder_due **out, int *n);
/* In the current unit of work: marks (webhook, booking, start) as reminded
 * by event_id; APP_ERR_CONFLICT when it was already. */
enum app_err store_reminder_mark(struct store *s, const struct reminder_due *r, int64_t event_id);
/* store_event_add that gives the new event's id. */
enum app_err store_event_add_id(struct store *s, const char *type, const char *data,
                                int64_t provider_id, int64_t customer_id, int64_t *id);

/* The waitlist (services/waitlist.h). insert sets e->id. */
enum app_err store_waitlist_insert(struct store *s, struct waitlist_entry *e);
/* APP_ERR_WAITLIST_NOT_FOUND when there is no entry id. */
enum app_err store_waitlist_get(struct store *s, int64_t id, struct waitlist_entry *e);
enum app_err store_waitlist_delete(struct store *s, int64_t id);
/* A page by id of customer_id's entries (0: everyone's), with the total. */
enum app_err store_waitlist_list(struct store *s, int64_t customer_id, int limit, int offset,
                                 struct waitlist_list *out);
/* How many entries of customer_id are active with to after now. */
enum app_err store_waitlist_active_count(struct store *s, int64_t customer_id, int64_t now,
                                         int64_t *n);
/* What a served entry leaves behind: its event and its audit entry. */
struct waitlist_record {
    const char *type;    /* the event's: "waitlist.booked", "waitlist.slot_available" */
    const char *data;    /* the event's, the entry's JSON text */
    const char *action;  /* the audit entry's */
    const char *details; /* the audit entry's, JSON text */
};
/* Marks active entries whose to is at or before now expired; *n: how many. */
enum app_err store_waitlist_expire(struct store *s, int64_t now, int *n);
/* The active services of provider_id (only service_id unless 0) with active
 * entries, to after now, whose range overlaps [from, to): by service id, with
 * the earliest from and latest to of those entries. */
struct waitlist_candidate {
    int64_t service_id, min_from, max_to;
};
enum app_err store_waitlist_candidates(struct store *s, int64_t provider_id, int64_t service_id,
                                       int64_t from, int64_t to, int64_t now,
                                       struct waitlist_candidate **out, int *n);
/* Active entries of service_id, to after now, of active customers, whose
 * range holds slot (from <= start, end <= to), with ids above after_id:
 * oldest (lowest id) first, at most limit. */
enum app_err store_waitlist_waiting(struct store *s, int64_t service_id, const struct span *slot,
                                    int64_t after_id, int64_t now, int limit,
                                    struct waitlist_list *out);
/* The waitlist job's persisted place in the outbox: at event_id, which is
 * done, or served up to (service_id, slot_start) so far. move sets it to `to`
 * in the current unit of work when it is still `from`; APP_ERR_CONFLICT
 * when it is not (another process moved it). */
struct waitlist_place {
    int64_t event_id, service_id, slot_start;
    bool done;
};
enum app_err store_waitlist_place(struct store *s, struct waitlist_place *out);
enum app_err store_waitlist_place_move(struct store *s, const struct waitlist_place *from,
                                       const struct waitlist_place *to);
/* Moves the waitlist's place from `from` to `to` (APP_ERR_CONFLICT when it
 * is not at from) and writes e's status, booking and slot, with rec's event
 * and audit entry, when the entry is still active and its customer still an
 * active user (APP_ERR_WAITLIST_NOT_FOUND otherwise). */
enum app_err store_waitlist_serve(struct store *s, const struct waitlist_entry *e,
                                  const struct waitlist_record *rec,
                                  const struct waitlist_place *from,
                                  const struct waitlist_place *to);

/* Whole databases, for the command line. */
/* Backs up the SQLite database of url into file, which must not exist: the
 * online backup API into a temporary file beside it, checked, then given
 * file's name. Returns false with a message in err on failure, and on
 * PostgreSQL, where err then gives the pg_dump command to use. */
bool store_backup(const char *url, const char *file, char *err, size_t errlen);
/* Copies the SQLite database of from_url (migrated already) into the empty
 * PostgreSQL database of to_url, migrating it first: every table, ids kept,
 * sequences set past them, in one transaction. *rows gets the rows copied.
 * Returns false with a message in err when the target has rows, when the
 * source has a table or column the copy does not know, or on any failure
 * (the target then has nothing of the copy). */
bool store_copy_to(const char *from_url, const char *to_url, int64_t *rows, char *err,
                   size_t errlen);
#endif
