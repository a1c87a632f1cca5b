/* SQLite text of every query in db/queries.h. Times are Unix seconds. */
#include "db/driver.h"

#define USER_SELECT "SELECT id, name, email, password_hash, role, is_active, timezone, created_at FROM users "

const char *const sqlite_sql[Q__COUNT] = {
    [Q_PING] = "SELECT 1",
    [Q_MIGRATIONS_TABLE] = "CREATE TABLE IF NOT EXISTS schema_migrations "
                           "(name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)",
    [Q_MIGRATION_APPLIED] = "SELECT 1 FROM schema_migrations WHERE name = ?1",
    [Q_MIGRATION_RECORD] = "INSERT INTO schema_migrations (name, applied_at) VALUES (?1, ?2)",
    /* BEGIN IMMEDIATE already holds the write lock. */
    [Q_MIGRATION_LOCK] = "SELECT 1",
    [Q_SETTING_INSERT] = "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
    [Q_SETTING_GET] = "SELECT value FROM settings WHERE key = ?1",
    [Q_USER_INSERT] = "INSERT INTO users (name, email, password_hash, role, is_active, timezone, "
                      "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
    [Q_USER_BY_ID] = USER_SELECT "WHERE id = ?1",
    [Q_USER_BY_EMAIL] = USER_SELECT "WHERE email = ?1",
    [Q_USER_UPDATE] = "UPDATE users SET name = ?2, role = ?3, is_active = ?4, timezone = ?5, "
                      "password_hash = ?6 WHERE id = ?1 RETURNING id",
    [Q_USER_LIST] = USER_SELECT "WHERE ?1 IS NULL OR role = ?1 ORDER BY id LIMIT ?2 OFFSET ?3",
    [Q_USER_COUNT] = "SELECT count(*) FROM users WHERE ?1 IS NULL OR role = ?1",
    [Q_SESSION_INSERT] = "INSERT INTO sessions (id, user_id, refresh_hash, created_at, expires_at) "
                         "VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_SESSION_USER] = "SELECT u.id, u.name, u.email, u.password_hash, u.role, u.is_active, "
                       "u.timezone, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id "
                       "WHERE s.id = ?1 AND s.user_id = ?2 AND s.revoked_at IS NULL "
                       "AND s.expires_at > ?3 AND u.is_active = 1",
    [Q_SESSION_GET] = "SELECT id, user_id, refresh_hash, created_at, expires_at, revoked_at "
                      "FROM sessions WHERE id = ?1",
    [Q_SESSION_ROTATE] = "UPDATE sessions SET refresh_hash = ?3 WHERE id = ?1 AND refresh_hash = ?2 "
                         "AND revoked_at IS NULL RETURNING id",
    [Q_SESSION_REVOKE] = "UPDATE sessions SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
    [Q_SESSIONS_REVOKE_USER] = "UPDATE sessions SET revoked_at = ?3 WHERE user_id = ?1 AND id <> ?2 "
                               "AND revoked_at IS NULL",
};
