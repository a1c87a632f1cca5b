#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "db/store_impl.h"

static void user_from_row(const struct db_rows *r, int row, void *item)
{
    struct user *u = item;
    memset(u, 0, sizeof *u);
    u->id = db_cell_int(r, row, 0);
    g_strlcpy(u->name, db_cell(r, row, 1), sizeof u->name);
    g_strlcpy(u->email, db_cell(r, row, 2), sizeof u->email);
    g_strlcpy(u->password_hash, db_cell(r, row, 3), sizeof u->password_hash);
    if (!role_parse(db_cell(r, row, 4), &u->role))
        u->role = ROLE_CUSTOMER;
    u->is_active = db_cell_int(r, row, 5) != 0;
    g_strlcpy(u->timezone, db_cell(r, row, 6), sizeof u->timezone);
    u->created_at = db_cell_int(r, row, 7);
}

/* Runs a query that yields at most one user row. */
static enum app_err one_user(struct store *s, enum query_id q, const struct db_value *p, int n,
                             struct user *u)
{
    return store_query_one(s, q, p, n, user_from_row, u, APP_ERR_USER_NOT_FOUND);
}

enum app_err store_user_insert(struct store *s, struct user *u)
{
    struct db_value p[] = {DB_S(u->name),     DB_S(u->email),          DB_S(u->password_hash),
                           DB_S(role_name(u->role)), DB_I(u->is_active), DB_S(u->timezone),
                           DB_I(u->created_at)};
    enum app_err err = store_query_int(s, Q_USER_INSERT, p, 7, &u->id, NULL);
    return err ? err : u->id ? APP_OK : APP_ERR_INTERNAL;
}

enum app_err store_user_by_id(struct store *s, int64_t id, struct user *u)
{
    struct db_value p[] = {DB_I(id)};
    return one_user(s, Q_USER_BY_ID, p, 1, u);
}

enum app_err store_user_lock(struct store *s, int64_t id, struct user *u)
{
    struct db_value p[] = {DB_I(id)};
    return one_user(s, Q_USER_LOCK, p, 1, u);
}

enum app_err store_admins_other(struct store *s, int64_t id, int64_t *count)
{
    struct db_value p[] = {DB_I(id)};
    return store_query_int(s, Q_ADMINS_OTHER, p, 1, count, NULL);
}

enum app_err store_user_by_email(struct store *s, const char *email, struct user *u)
{
    struct db_value p[] = {DB_S(email)};
    return one_user(s, Q_USER_BY_EMAIL, p, 1, u);
}

enum app_err store_user_update(struct store *s, const struct user *u)
{
    struct db_value p[] = {DB_I(u->id),        DB_S(u->name),     DB_S(role_name(u->role)),
                           DB_I(u->is_active), DB_S(u->timezone), DB_S(u->password_hash)};
    int64_t id;
    bool found;
    enum app_err err = store_query_int(s, Q_USER_UPDATE, p, 6, &id, &found);
    return err ? err : found ? APP_OK : APP_ERR_USER_NOT_FOUND;
}

enum app_err store_user_list(struct store *s, const enum role *role, int limit, int offset,
                             struct user_list *out)
{
    struct db_value p[] = {role ? DB_S(role_name(*role)) : DB_NUL, DB_I(limit), DB_I(offset)};
    memset(out, 0, sizeof *out);
    enum app_err err = store_query_int(s, Q_USER_COUNT, p, 1, &out->total, NULL);
    return err ? err : store_query_list(s, Q_USER_LIST, p, 3, sizeof *out->items, user_from_row,
                                        (void **)&out->items, &out->n);
}

enum app_err store_session_insert(struct store *s, const struct session *sess)
{
    struct db_value p[] = {DB_S(sess->id), DB_I(sess->user_id), DB_S(sess->refresh_hash),
                           DB_I(sess->created_at), DB_I(sess->expires_at)};
    return store_query(s, Q_SESSION_INSERT, p, 5, NULL);
}

enum app_err store_session_user(struct store *s, const char *sid, int64_t user_id, int64_t now,
                                struct user *u)
{
    struct db_value p[] = {DB_S(sid), DB_I(user_id), DB_I(now)};
    return one_user(s, Q_SESSION_USER, p, 3, u);
}

enum app_err store_session_get(struct store *s, const char *sid, struct session *sess)
{
    struct db_value p[] = {DB_S(sid)};
    struct db_rows r;
    enum app_err err = store_query(s, Q_SESSION_GET, p, 1, &r);
    if (err)
        return err;
    if (r.nrows == 0) {
        err = APP_ERR_NOT_FOUND;
    } else {
        memset(sess, 0, sizeof *sess);
        g_strlcpy(sess->id, db_cell(&r, 0, 0), sizeof sess->id);
        sess->user_id = db_cell_int(&r, 0, 1);
        g_strlcpy(sess->refresh_hash, db_cell(&r, 0, 2), sizeof sess->refresh_hash);
        sess->created_at = db_cell_int(&r, 0, 3);
        sess->expires_at = db_cell_int(&r, 0, 4);
        sess->revoked = db_cell(&r, 0, 5) != NULL;
    }
    db_rows_release(&r);
    return err;
}

enum app_err store_session_rotate(struct store *s, const char *sid, const char *old_hash,
                                  const char *new_hash)
{
    struct db_value p[] = {DB_S(sid), DB_S(old_hash), DB_S(new_hash)};
    int64_t unused;
    bool found;
    enum app_err err = store_query_int(s, Q_SESSION_ROTATE, p, 3, &unused, &found);
    return err ? err : found ? APP_OK : APP_ERR_CONFLICT;
}

enum app_err store_session_revoke(struct store *s, const char *sid, int64_t now)
{
    struct db_value p[] = {DB_S(sid), DB_I(now)};
    return store_query(s, Q_SESSION_REVOKE, p, 2, NULL);
}

enum app_err store_sessions_revoke_user(struct store *s, int64_t user_id, const char *keep_sid,
                                        int64_t now)
{
    struct db_value p[] = {DB_I(user_id), DB_S(keep_sid ? keep_sid : ""), DB_I(now)};
    return store_query(s, Q_SESSIONS_REVOKE_USER, p, 3, NULL);
}
