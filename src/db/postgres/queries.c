/* PostgreSQL text of every query in db/queries.h. Times cross the interface as
 * Unix seconds and are stored as timestamptz. */
#include "db/driver.h"

#define EPOCH(col) "extract(epoch from " col ")::bigint"
#define USER_COLS_SQL "id, name, email, password_hash, role, is_active::int, timezone, " EPOCH("created_at")
#define USER_SELECT "SELECT " USER_COLS_SQL " FROM users "

#define SERVICE_COLS "id, provider_id, name, description, duration_minutes, buffer_before_minutes, " \
    "buffer_after_minutes, slot_interval_minutes, min_notice_minutes, max_advance_days, " \
    "cancel_notice_minutes, price_cents, active::int, " EPOCH("created_at")
#define BOOKING_COLS "id, service_id, provider_id, customer_id, " EPOCH("start_at") ", " EPOCH("end_at") \
    ", buffer_before_min, buffer_after_min, status, notes, cancel_reason, " EPOCH("created_at") ", " \
    EPOCH("updated_at") ", " EPOCH("cancelled_at")
#define BOOKING_FILTER "WHERE ($1::bigint = 0 OR customer_id = $1) AND ($2::bigint = 0 OR provider_id = $2) " \
    "AND ($3::text IS NULL OR status = $3) AND ($4::bigint IS NULL OR start_at >= to_timestamp($4)) " \
    "AND ($5::bigint IS NULL OR start_at < to_timestamp($5)) "

const char *const postgres_sql[Q__COUNT] = {
    [Q_PING] = "SELECT 1",
    [Q_MIGRATIONS_TABLE] = "CREATE TABLE IF NOT EXISTS schema_migrations "
                           "(name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)",
    [Q_MIGRATION_APPLIED] = "SELECT 1 FROM schema_migrations WHERE name = $1",
    [Q_MIGRATION_RECORD] = "INSERT INTO schema_migrations (name, applied_at) "
                           "VALUES ($1, to_timestamp($2))",
    /* Processes starting together take turns, each seeing the others' work. */
    [Q_MIGRATION_LOCK] = "SELECT pg_advisory_xact_lock(7361)",
    [Q_SETTING_INSERT] = "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    [Q_SETTING_GET] = "SELECT value FROM settings WHERE key = $1",
    [Q_USER_INSERT] = "INSERT INTO users (name, email, password_hash, role, is_active, timezone, "
                      "created_at) VALUES ($1, $2, $3, $4, $5::int <> 0, $6, to_timestamp($7)) "
                      "RETURNING id",
    [Q_USER_BY_ID] = USER_SELECT "WHERE id = $1",
    [Q_USER_BY_EMAIL] = USER_SELECT "WHERE email = $1",
    [Q_USER_UPDATE] = "UPDATE users SET name = $2, role = $3, is_active = $4::int <> 0, "
                      "timezone = $5, password_hash = $6 WHERE id = $1 RETURNING id",
    [Q_USER_LIST] = USER_SELECT "WHERE $1::text IS NULL OR role = $1 ORDER BY id LIMIT $2 OFFSET $3",
    [Q_USER_COUNT] = "SELECT count(*) FROM users WHERE $1::text IS NULL OR role = $1",
    [Q_SESSION_INSERT] = "INSERT INTO sessions (id, user_id, refresh_hash, created_at, expires_at) "
                         "VALUES ($1, $2, $3, to_timestamp($4), to_timestamp($5))",
    [Q_SESSION_USER] = "SELECT u.id, u.name, u.email, u.password_hash, u.role, u.is_active::int, "
                       "u.timezone, " EPOCH("u.created_at") " FROM sessions s "
                       "JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.user_id = $2 "
                       "AND s.revoked_at IS NULL AND s.expires_at > to_timestamp($3) AND u.is_active",
    [Q_SESSION_GET] = "SELECT id, user_id, refresh_hash, " EPOCH("created_at") ", "
                      EPOCH("expires_at") ", " EPOCH("revoked_at") " FROM sessions WHERE id = $1",
    [Q_SESSION_ROTATE] = "UPDATE sessions SET refresh_hash = $3 WHERE id = $1 AND refresh_hash = $2 "
                         "AND revoked_at IS NULL RETURNING id",
    [Q_SESSION_REVOKE] = "UPDATE sessions SET revoked_at = to_timestamp($2) "
                         "WHERE id = $1 AND revoked_at IS NULL",
    [Q_SESSIONS_REVOKE_USER] = "UPDATE sessions SET revoked_at = to_timestamp($3) "
                               "WHERE user_id = $1 AND id <> $2 AND revoked_at IS NULL",
    [Q_AVAIL_GET] = "SELECT day, start_min, end_min FROM availability WHERE provider_id = $1 "
                    "ORDER BY day, start_min",
    [Q_AVAIL_DELETE] = "DELETE FROM availability WHERE provider_id = $1",
    [Q_AVAIL_INSERT] = "INSERT INTO availability (provider_id, day, start_min, end_min) "
                       "VALUES ($1, $2, $3, $4)",
    [Q_USER_SET_TIMEZONE] = "UPDATE users SET timezone = $2 WHERE id = $1",
    [Q_TIME_OFF_INSERT] = "INSERT INTO time_off (provider_id, start_at, end_at, reason) "
                          "VALUES ($1, to_timestamp($2), to_timestamp($3), $4) RETURNING id",
    [Q_TIME_OFF_LIST] = "SELECT id, provider_id, " EPOCH("start_at") ", " EPOCH("end_at") ", reason "
                        "FROM time_off WHERE provider_id = $1 ORDER BY start_at, id LIMIT $2 OFFSET $3",
    [Q_TIME_OFF_COUNT] = "SELECT count(*) FROM time_off WHERE provider_id = $1",
    [Q_TIME_OFF_DELETE] = "DELETE FROM time_off WHERE provider_id = $1 AND id = $2 RETURNING id",
    [Q_SERVICE_INSERT] = "INSERT INTO services (provider_id, name, description, duration_minutes, "
                         "buffer_before_minutes, buffer_after_minutes, slot_interval_minutes, "
                         "min_notice_minutes, max_advance_days, cancel_notice_minutes, price_cents, "
                         "active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                         "TRUE, to_timestamp($12)) RETURNING id",
    [Q_SERVICE_GET] = "SELECT " SERVICE_COLS " FROM services WHERE id = $1",
    [Q_SERVICE_UPDATE] = "UPDATE services SET name = $2, description = $3, duration_minutes = $4, "
                         "buffer_before_minutes = $5, buffer_after_minutes = $6, "
                         "slot_interval_minutes = $7, min_notice_minutes = $8, max_advance_days = $9, "
                         "cancel_notice_minutes = $10, price_cents = $11, active = $12::int <> 0 "
                         "WHERE id = $1 RETURNING id",
    [Q_SERVICE_LIST] = "SELECT " SERVICE_COLS " FROM services WHERE active "
                       "AND ($1::bigint = 0 OR provider_id = $1) ORDER BY id LIMIT $2 OFFSET $3",
    [Q_SERVICE_COUNT] = "SELECT count(*) FROM services WHERE active AND ($1::bigint = 0 OR provider_id = $1)",
    [Q_BOOKING_INSERT] = "INSERT INTO bookings (service_id, provider_id, customer_id, start_at, end_at, "
                         "buffer_before_min, buffer_after_min, occupied_start, occupied_end, status, "
                         "notes, created_at, updated_at) VALUES ($1, $2, $3, to_timestamp($4), "
                         "to_timestamp($5), $6, $7, to_timestamp($8), to_timestamp($9), $10, $11, "
                         "to_timestamp($12), to_timestamp($13)) RETURNING id",
    [Q_BOOKING_GET] = "SELECT " BOOKING_COLS " FROM bookings WHERE id = $1",
    [Q_BOOKING_LOCK] = "SELECT " BOOKING_COLS " FROM bookings WHERE id = $1 FOR UPDATE",
    [Q_BOOKING_UPDATE] = "UPDATE bookings SET start_at = to_timestamp($2), end_at = to_timestamp($3), "
                         "status = $4, cancel_reason = $5, updated_at = to_timestamp($6), "
                         "cancelled_at = to_timestamp($7::bigint), occupied_start = to_timestamp($8), "
                         "occupied_end = to_timestamp($9) WHERE id = $1 RETURNING id",
    [Q_BOOKING_LIST] = "SELECT " BOOKING_COLS " FROM bookings " BOOKING_FILTER
                       "ORDER BY start_at, id LIMIT $6 OFFSET $7",
    [Q_BOOKING_COUNT] = "SELECT count(*) FROM bookings " BOOKING_FILTER,
    [Q_IDEM_CLEAR] = "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND "
                     "(created_at < to_timestamp($3::bigint - 86400) OR "
                     "(status_code IS NULL AND created_at < to_timestamp($3::bigint - 60)))",
    [Q_IDEM_INSERT] = "INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) "
                      "VALUES ($1, $2, $3, to_timestamp($4)) ON CONFLICT DO NOTHING RETURNING user_id",
    [Q_IDEM_GET] = "SELECT request_hash, status_code, response_body FROM idempotency_keys "
                   "WHERE user_id = $1 AND key = $2",
    [Q_IDEM_FINISH] = "UPDATE idempotency_keys SET status_code = $3, response_body = $4 "
                      "WHERE user_id = $1 AND key = $2",
    [Q_IDEM_DELETE] = "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2",
    [Q_LOGIN_FAIL_INSERT] = "INSERT INTO login_failures (email, ip, at) VALUES ($1, $2, to_timestamp($3))",
    [Q_LOGIN_FAIL_PRUNE] = "DELETE FROM login_failures WHERE at < to_timestamp($1)",
    [Q_LOGIN_FAIL_EMAIL_IP] = "SELECT count(*), " EPOCH("min(at)") " FROM login_failures "
                              "WHERE email = $1 AND ip = $2 AND at > to_timestamp($3)",
    [Q_LOGIN_FAIL_EMAIL] = "SELECT count(*), " EPOCH("min(at)") " FROM login_failures "
                           "WHERE email = $1 AND at > to_timestamp($2)",
    [Q_LOGIN_FAIL_IP] = "SELECT count(*), " EPOCH("min(at)") " FROM login_failures "
                        "WHERE ip = $1 AND at > to_timestamp($2)",
    /* The slot engine's inputs in one round trip: z(one) row, w(indows),
     * t(ime off) and b(usy) rows. The busy rows use the exclusion constraint's
     * own predicate, so its gist index serves them. */
    [Q_SCHEDULE] = "SELECT 'z', 0::bigint, 0::bigint, 0, timezone FROM users WHERE id = $1 "
                   "UNION ALL SELECT 'w', day, start_min, end_min, NULL FROM availability "
                   "WHERE provider_id = $1 "
                   "UNION ALL SELECT 't', " EPOCH("start_at") ", " EPOCH("end_at") ", 0, NULL "
                   "FROM time_off WHERE provider_id = $1 AND start_at < to_timestamp($3) "
                   "AND end_at > to_timestamp($2) "
                   "UNION ALL SELECT 'b', " EPOCH("occupied_start") ", " EPOCH("occupied_end")
                   ", 0, NULL FROM bookings WHERE provider_id = $1 AND status = 'confirmed' "
                   "AND tstzrange(occupied_start, occupied_end) && "
                   "tstzrange(to_timestamp($2), to_timestamp($3)) AND id <> $4",
    [Q_SCHEDULE_RULES] = "SELECT 'z', 0::bigint, 0::bigint, 0, timezone FROM users WHERE id = $1 "
                   "UNION ALL SELECT 'w', day, start_min, end_min, NULL FROM availability "
                   "WHERE provider_id = $1 "
                   "UNION ALL SELECT 't', " EPOCH("start_at") ", " EPOCH("end_at") ", 0, NULL "
                   "FROM time_off WHERE provider_id = $1 AND start_at < to_timestamp($3) "
                   "AND end_at > to_timestamp($2) ",
    [Q_SIGNUP_ATTEMPT_INSERT] = "INSERT INTO signup_attempts (ip, at) VALUES ($1, to_timestamp($2))",
    [Q_SIGNUP_ATTEMPT_PRUNE] = "DELETE FROM signup_attempts WHERE at < to_timestamp($1)",
    [Q_SIGNUP_ATTEMPT_COUNT] = "SELECT count(*), " EPOCH("min(at)") " FROM signup_attempts "
                               "WHERE ip = $1 AND at > to_timestamp($2)",
};
