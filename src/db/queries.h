/* Every query appointd runs. Each engine gives the SQL text of each, with the
 * same parameters in the same order and the same result columns. */
#ifndef DB_QUERIES_H
#define DB_QUERIES_H

/* Columns of a user row: id, name, email, password_hash, role, is_active,
 * timezone, created_at. */
#define USER_COLS 8

enum query_id {
    Q_PING,
    Q_MIGRATIONS_TABLE,
    Q_MIGRATION_APPLIED, /* name */
    Q_MIGRATION_RECORD,  /* name, now */
    Q_MIGRATION_LOCK,
    Q_SETTING_INSERT,    /* key, value */
    Q_SETTING_GET,       /* key */
    Q_USER_INSERT,       /* name, email, hash, role, is_active, timezone, created_at -> id */
    Q_USER_BY_ID,        /* id */
    Q_USER_BY_EMAIL,     /* email */
    Q_USER_UPDATE,       /* id, name, role, is_active, timezone, hash -> id */
    Q_USER_LIST,         /* role or NULL, limit, offset */
    Q_USER_COUNT,        /* role or NULL */
    Q_SESSION_INSERT,    /* id, user_id, refresh_hash, created_at, expires_at */
    Q_SESSION_USER,      /* sid, user_id, now -> user cols */
    Q_SESSION_GET,       /* sid -> id, user_id, refresh_hash, created_at, expires_at, revoked */
    Q_SESSION_ROTATE,    /* sid, old_hash, new_hash -> id */
    Q_SESSION_REVOKE,    /* sid, now */
    Q_SESSIONS_REVOKE_USER, /* user_id, keep_sid or '', now */
    Q__COUNT
};
#endif
