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
#include "models/availability.h"
#include "models/booking.h"
#include "models/service.h"
#include "models/user.h"

struct store;

/* Connects to url ("sqlite:PATH" or "postgresql://…"). On failure returns NULL
 * and writes a message to err. */
struct store *store_open(const char *url, char *err, size_t errlen);
void store_close(struct store *s);
/* "sqlite" or "postgresql". */
const char *store_engine(const struct store *s);
/* Applies every migration not yet recorded, each in its own transaction. */
enum app_err store_migrate(struct store *s);
/* A real round trip to the database. */
enum app_err store_ping(struct store *s);

/* Transactions. begin(write=true) takes the write lock at once on SQLite
 * (BEGIN IMMEDIATE) so that a check and the write after it are one step. */
enum app_err store_begin(struct store *s, bool write);
/* Starts a check-then-insert of a booking. SQLite: BEGIN IMMEDIATE, so the
 * check and the insert are one step. PostgreSQL: no transaction at all: the
 * exclusion constraint refuses whatever raced past the check, and READ
 * COMMITTED would make the check's reads no more consistent, so BEGIN and
 * COMMIT would only cost two round trips. store_commit/_rollback end it. */
enum app_err store_begin_guarded(struct store *s);
enum app_err store_commit(struct store *s);
void store_rollback(struct store *s);

/* Returns the setting key, first storing value when it has none (the first of
 * racing processes wins; all read the same value). */
enum app_err store_setting_ensure(struct store *s, const char *key, const char *value,
                                  char *out, size_t outlen);

/* Users. */
enum app_err store_user_insert(struct store *s, struct user *u); /* sets u->id */
enum app_err store_user_by_id(struct store *s, int64_t id, struct user *u);
enum app_err store_user_by_email(struct store *s, const char *email, struct user *u);
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

/* Failed logins. */
enum app_err store_login_failure_add(struct store *s, const char *email, const char *ip, int64_t at,
                                     int64_t prune_before);
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

/* Time off. */
enum app_err store_time_off_insert(struct store *s, struct time_off *t); /* sets t->id */
enum app_err store_time_off_list(struct store *s, int64_t provider_id, int limit, int offset,
                                 struct time_off_list *out);
/* APP_ERR_TIME_OFF_NOT_FOUND when provider_id has no time off id. */
enum app_err store_time_off_delete(struct store *s, int64_t provider_id, int64_t id);

/* Services. */
enum app_err store_service_insert(struct store *s, struct service *svc); /* sets svc->id */
enum app_err store_service_get(struct store *s, int64_t id, struct service *svc);
enum app_err store_service_update(struct store *s, const struct service *svc);
/* Active services by id, of one provider (provider_id 0: all). */
enum app_err store_service_list(struct store *s, int64_t provider_id, int limit, int offset,
                                struct service_list *out);

/* Bookings. insert and update return APP_ERR_CONFLICT when the booking
 * would overlap another confirmed booking of its provider (with buffers):
 * the database refuses it, whatever raced. */
enum app_err store_booking_insert(struct store *s, struct booking *b); /* sets b->id */
enum app_err store_booking_get(struct store *s, int64_t id, struct booking *b);
/* The same, locking the row until the transaction ends (PostgreSQL). */
enum app_err store_booking_lock(struct store *s, int64_t id, struct booking *b);
enum app_err store_booking_update(struct store *s, const struct booking *b);

/* A page ordered by start then id, with the total. */
enum app_err store_booking_list(struct store *s, const struct booking_filter *f, int limit,
                                int offset, struct booking_list *out);

/* Idempotency keys: one row per (user, key). */
struct idem_record {
    char request_hash[65];
    int status; /* 0 while the first request is in flight */
    char *body; /* malloc'd; NULL while in flight */
};
/* Claims (user, key) for hash; APP_ERR_CONFLICT when a live row exists.
 * Rows past 24 h, and in-flight rows abandoned for over a minute, are
 * cleared first. */
enum app_err store_idem_claim(struct store *s, int64_t user_id, const char *key, const char *hash,
                              int64_t now);
enum app_err store_idem_get(struct store *s, int64_t user_id, const char *key,
                            struct idem_record *out);
enum app_err store_idem_finish(struct store *s, int64_t user_id, const char *key, int status,
                               const char *body);
enum app_err store_idem_release(struct store *s, int64_t user_id, const char *key);
#endif
