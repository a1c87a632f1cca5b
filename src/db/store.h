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
#endif
