/* PostgreSQL text of every query in db/queries.h. Times cross the interface as
 * Unix seconds and are stored as timestamptz: a query returns the timestamptz
 * itself and the driver writes its Unix seconds (postgres/driver.c, results
 * in binary), which costs the server nothing per row. */
#include "db/driver.h"
#include "models/service.h"

#define USER_COLS_SQL "id, name, email, password_hash, role, is_active::int, timezone, created_at"
#define USER_SELECT "SELECT " USER_COLS_SQL " FROM users "

#define SERVICE_COLS "id, provider_id, name, description, duration_minutes, buffer_before_minutes, " \
    "buffer_after_minutes, slot_interval_minutes, min_notice_minutes, max_advance_days, " \
    "cancel_notice_minutes, price_cents, active::int, created_at"
#define BOOKING_COLS "id, service_id, provider_id, customer_id, start_at, end_at" \
    ", buffer_before_min, buffer_after_min, status, notes, cancel_reason, created_at, " \
    "updated_at, cancelled_at"
#define EVENT_COLS "id, type, data, provider_id, customer_id, created_at, " \
    "freed_start, freed_end"
#define WAITLIST_COLS(a) a "id, " a "service_id, " a "provider_id, " a "customer_id, " \
    a "from_at, " a "to_at, " a "auto_book::int, " a "status, " a "booking_id, " \
    a "slot_start, " a "slot_end, " a "created_at, " a "updated_at"
#define AUDIT_COLS "id, at, actor_id, actor_email, actor_role, action, target_type, " \
    "target_id, ip, user_agent, request_id, details, hash"
#define AUDIT_FILTER "WHERE ($1::text IS NULL OR action = $1) AND ($2::bigint = 0 OR actor_id = $2) " \
    "AND ($3::text IS NULL OR target_type = $3) AND ($4::bigint = 0 OR target_id = $4) " \
    "AND ($5::bigint IS NULL OR at >= to_timestamp($5)) " \
    "AND ($6::bigint IS NULL OR at < to_timestamp($6)) "
#define PRUNE(table, col) "DELETE FROM " table " WHERE ctid IN (SELECT ctid FROM " table \
    " WHERE " col " < to_timestamp($1) LIMIT $2) RETURNING 1"
/* Two conflicting bookings inserted at once would each wait for the other's
 * row under the exclusion constraint until the deadlock detector (a second)
 * failed one, and a crowd of them chains such waits past the statement
 * timeout. So a change first takes, in order, an advisory lock for each hour
 * of its provider's time that its occupied range ($8-$9) touches: writers
 * that could conflict take turns, the others never meet. A row that ends
 * up not confirmed (status) is outside the constraint and takes none: a
 * cancellation never waits for bookings of the same hour. */
#define HOUR_LOCKS(provider, status) "l AS (SELECT count(pg_advisory_xact_lock((" provider \
    "::bigint << 24) | (g & 16777215))) AS n FROM generate_series($8::bigint / 3600, " \
    "($9::bigint - 1) / 3600) g WHERE " status " = 'confirmed')"
#define BOOKING_INSERT "INSERT INTO bookings (service_id, provider_id, customer_id, start_at, " \
    "end_at, buffer_before_min, buffer_after_min, occupied_start, occupied_end, status, notes, " \
    "created_at, updated_at) SELECT $1, $2, $3, to_timestamp($4), to_timestamp($5), $6, $7, " \
    "to_timestamp($8), to_timestamp($9), $10, $11, to_timestamp($12), to_timestamp($13) FROM l " \
    "RETURNING id"
#define BOOKING_PROVIDER "(SELECT provider_id FROM bookings WHERE id = $1)"
#define BOOKING_UPDATE "UPDATE bookings SET start_at = to_timestamp($2), " \
    "end_at = to_timestamp($3), status = $4, cancel_reason = $5, updated_at = to_timestamp($6), " \
    "cancelled_at = to_timestamp($7::bigint), occupied_start = to_timestamp($8), " \
    "occupied_end = to_timestamp($9) FROM l WHERE id = $1 RETURNING id"
/* An audit entry from $16-$26 (as Q_AUDIT_INSERT's $1-$11) for each row of
 * `from`, with target_id the expression `target`. */
#define AUDIT_INSERT_FROM(from, target) "INSERT INTO audit_log (at, actor_id, actor_email, " \
    "actor_role, action, target_type, target_id, ip, user_agent, request_id, details) " \
    "SELECT to_timestamp($16), $17, $18, $19, $20, $21, " target ", $23, $24, $25, $26 FROM " from
#define BOOKING_FILTER "WHERE ($1::bigint = 0 OR customer_id = $1) AND ($2::bigint = 0 OR provider_id = $2) " \
    "AND ($3::text IS NULL OR status = $3) AND ($4::bigint IS NULL OR start_at >= to_timestamp($4)) " \
    "AND ($5::bigint IS NULL OR start_at < to_timestamp($5)) "

/* The z(one) row, w(indows) and t(ime off) rows of Q_SCHEDULE: the provider
 * an expression, $2-$3 the range. */
#define SCHEDULE_RULES(provider) "SELECT 'z', NULL::int, NULL::int, NULL::int, timezone, " \
    "NULL::timestamptz, NULL::timestamptz FROM users WHERE id = " provider " " \
    "UNION ALL SELECT 'w', day, start_min, end_min, NULL, NULL, NULL FROM availability " \
    "WHERE provider_id = " provider " " \
    "UNION ALL SELECT 't', NULL, NULL, NULL, NULL, start_at, end_at FROM time_off " \
    "WHERE provider_id = " provider " AND start_at < to_timestamp($3) AND end_at > to_timestamp($2) "
/* The provider of the service read into s (Q_SERVICE_SCHEDULE_RULES). */
#define SERVICE_PROVIDER "(SELECT provider_id FROM s)"

/* Q_REMINDERS_DUE: the end of webhook w's reminder window ($1 now, $2
 * seconds a minute), and b a confirmed booking starting inside it,
 * unchanged since the window opened, not reminded of at this start. */
#define REMINDER_WINDOW_END "to_timestamp($1) + make_interval(secs => w.reminder_minutes * $2::int)"
#define REMINDER_DUE "b.status = 'confirmed' AND b.start_at > to_timestamp($1) " \
    "AND b.start_at <= " REMINDER_WINDOW_END " " \
    "AND b.start_at - make_interval(secs => w.reminder_minutes * $2::int) >= " \
    "GREATEST(b.updated_at, w.created_at) " \
    "AND NOT EXISTS (SELECT 1 FROM webhook_reminders r WHERE r.webhook_id = w.id " \
    "AND r.booking_id = b.id AND r.start_at = b.start_at)"

/* An active entry of an active customer served ($2 its new status); no row
 * when either is no longer so. */
#define WAITLIST_SERVE_UPDATE "UPDATE waitlist_entries SET status = $2, booking_id = $3, " \
    "slot_start = to_timestamp($4), slot_end = to_timestamp($5), updated_at = to_timestamp($6) " \
    "WHERE id = $1 AND status = 'active' " \
    "AND EXISTS (SELECT 1 FROM users u WHERE u.id = customer_id AND u.is_active)"
#define WAITLIST_SERVE WAITLIST_SERVE_UPDATE " RETURNING id"
#define WEBHOOK_COLS "id, user_id, url, events, active::int, reminder_minutes, created_at"
#define DELIVERY_COLS "id, webhook_id, event_id, type, status, attempts, last_status_code, last_error, " \
    "next_attempt_at, delivered_at"
/* The bit of an event type in webhooks.events (models/webhook.h); 0 for
 * booking.reminder, which the reminder job addresses to one webhook. */
#define EVENT_BIT(t) "(CASE " t " WHEN 'booking.created' THEN 1 WHEN 'booking.cancelled' THEN 2 " \
    "WHEN 'booking.rescheduled' THEN 4 WHEN 'booking.completed' THEN 8 " \
    "WHEN 'waitlist.slot_available' THEN 16 WHEN 'waitlist.booked' THEN 32 ELSE 0 END)"

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
                       "u.timezone, u.created_at FROM sessions s "
                       "JOIN users u ON u.id = s.user_id WHERE s.id = $1 AND s.user_id = $2 "
                       "AND s.revoked_at IS NULL AND s.expires_at > to_timestamp($3) AND u.is_active",
    [Q_SESSION_GET] = "SELECT id, user_id, refresh_hash, created_at, "
                      "expires_at, revoked_at FROM sessions WHERE id = $1",
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
    [Q_TIME_OFF_LIST] = "SELECT id, provider_id, start_at, end_at, reason "
                        "FROM time_off WHERE provider_id = $1 ORDER BY start_at, id LIMIT $2 OFFSET $3",
    [Q_TIME_OFF_COUNT] = "SELECT count(*) FROM time_off WHERE provider_id = $1",
    [Q_TIME_OFF_DELETE] = "DELETE FROM time_off WHERE provider_id = $1 AND id = $2 "
                          "RETURNING id, provider_id, start_at, end_at, reason",
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
    [Q_BOOKING_INSERT] = "WITH " HOUR_LOCKS("$2", "$10") " " BOOKING_INSERT,
    /* The booking, its event, its audit entry and the Idempotency-Key's
     * answer in one statement: $14 is the Booking's text with "id":0 first,
     * $15 the event type, $16-$26 the audit entry, $27-$30 the key, $31
     * its fingerprint when it is not claimed (its row is inserted whole). */
    [Q_BOOKING_INSERT_RECORDED] =
        "WITH " HOUR_LOCKS("$2", "$10") ", b AS (" BOOKING_INSERT "), "
        "d AS (SELECT id, '{\"id\":' || id || substr($14, 8) AS data FROM b), "
        "e AS (INSERT INTO events (type, data, provider_id, customer_id, created_at) "
        "SELECT $15, data, $2, $3, to_timestamp($16) FROM d), "
        "a AS (" AUDIT_INSERT_FROM("d", "coalesce($22::bigint, d.id)") "), "
        "i AS (UPDATE idempotency_keys k SET status_code = $30, response_body = d.data FROM d "
        "WHERE k.user_id = $27 AND k.key = $28 AND k.owner = $29 AND k.status_code IS NULL "
        "AND $31::text IS NULL RETURNING 1), "
        "j AS (INSERT INTO idempotency_keys (user_id, key, owner, status_code, response_body, "
        "request_hash, created_at, lease_until) SELECT $27, $28, $29, $30, d.data, $31, "
        "to_timestamp($16), to_timestamp($16) FROM d WHERE $31::text IS NOT NULL RETURNING 1) "
        "SELECT id, (SELECT count(*) FROM i) + (SELECT count(*) FROM j) FROM d",
    [Q_BOOKING_GET] = "SELECT " BOOKING_COLS " FROM bookings WHERE id = $1",
    [Q_BOOKING_LOCK] = "SELECT " BOOKING_COLS " FROM bookings WHERE id = $1 FOR UPDATE",
    [Q_BOOKING_UPDATE] = "WITH " HOUR_LOCKS(BOOKING_PROVIDER, "$4") " " BOOKING_UPDATE,
    /* The change, its event ($10-$13, the span it freed $25-$26) and its
     * audit entry ($14-$24) in one statement. */
    [Q_BOOKING_UPDATE_RECORDED] =
        "WITH " HOUR_LOCKS(BOOKING_PROVIDER, "$4") ", b AS (" BOOKING_UPDATE "), "
        "e AS (INSERT INTO events (type, data, provider_id, customer_id, created_at, freed_start, "
        "freed_end) SELECT $10, $11, $12, $13, to_timestamp($14), to_timestamp($25::bigint), "
        "to_timestamp($26::bigint) FROM b), "
        "a AS (INSERT INTO audit_log (at, actor_id, actor_email, actor_role, action, target_type, "
        "target_id, ip, user_agent, request_id, details) SELECT to_timestamp($14), $15, $16, $17, "
        "$18, $19, $20, $21, $22, $23, $24 FROM b) "
        "SELECT id FROM b",
    [Q_BOOKING_LIST] = "SELECT " BOOKING_COLS " FROM bookings " BOOKING_FILTER
                       "ORDER BY start_at, id LIMIT $6 OFFSET $7",
    [Q_BOOKING_COUNT] = "SELECT count(*) FROM bookings " BOOKING_FILTER,
    [Q_IDEM_CLEAR] = "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND "
                     "created_at < to_timestamp($3::bigint - 86400)",
    [Q_IDEM_INSERT] = "INSERT INTO idempotency_keys (user_id, key, request_hash, owner, created_at, "
                      "lease_until) VALUES ($1, $2, $3, $4, to_timestamp($5), to_timestamp($6)) "
                      "ON CONFLICT DO NOTHING RETURNING user_id",
    [Q_IDEM_GET] = "SELECT request_hash, status_code, response_body FROM idempotency_keys "
                   "WHERE user_id = $1 AND key = $2",
    [Q_LOGIN_FAIL_INSERT] = "INSERT INTO login_failures (email, ip, at) VALUES ($1, $2, to_timestamp($3)) "
                            "RETURNING id",
    [Q_LOGIN_FAIL_EMAIL_IP] = "SELECT count(*), min(at) FROM login_failures "
                              "WHERE email = $1 AND ip = $2 AND at > to_timestamp($3)",
    [Q_LOGIN_FAIL_EMAIL] = "SELECT count(*), min(at) FROM login_failures "
                           "WHERE email = $1 AND at > to_timestamp($2)",
    [Q_LOGIN_FAIL_IP] = "SELECT count(*), min(at) FROM login_failures "
                        "WHERE ip = $1 AND at > to_timestamp($2)",
    /* The slot engine's inputs in one round trip: z(one) row, w(indows),
     * t(ime off) and b(usy) rows, each with NULL in the columns its kind has
     * none of: the thousands of busy rows of a long range then cost the
     * server two timestamptz cells and a letter each (in binary a NULL costs
     * nothing, a constant as much as a column). The busy rows use the
     * exclusion constraint's own predicate, so its gist index serves them. */
    [Q_SCHEDULE] = SCHEDULE_RULES("$1") "UNION ALL SELECT 'b', NULL, NULL, NULL, NULL, occupied_start, occupied_end "
                   "FROM bookings WHERE provider_id = $1 AND status = 'confirmed' "
                   "AND tstzrange(occupied_start, occupied_end) && "
                   "tstzrange(to_timestamp($2), to_timestamp($3)) AND id <> $4",
    [Q_SCHEDULE_RULES] = SCHEDULE_RULES("$1"),
    /* The service (read once) and its provider's rules in one round trip:
     * each rules row comes after the service's columns. */
    [Q_SERVICE_SCHEDULE_RULES] = "WITH s AS (SELECT " SERVICE_COLS " FROM services WHERE id = $1) "
                                 "SELECT s.*, r.* FROM s, (" SCHEDULE_RULES(SERVICE_PROVIDER) ") r",
    [Q_IDEM_TAKEOVER] = "UPDATE idempotency_keys SET owner = $4, lease_until = to_timestamp($6) "
                        "WHERE user_id = $1 AND key = $2 AND request_hash = $3 "
                        "AND status_code IS NULL AND lease_until < to_timestamp($5) RETURNING user_id",
    [Q_IDEM_RECORD] = "UPDATE idempotency_keys SET status_code = $4, response_body = $5 "
                      "WHERE user_id = $1 AND key = $2 AND owner = $3 AND status_code IS NULL "
                      "RETURNING user_id",
    [Q_IDEM_INSERT_DONE] = "INSERT INTO idempotency_keys (user_id, key, owner, status_code, "
                           "response_body, request_hash, created_at, lease_until) "
                           "VALUES ($1, $2, $3, $4, $5, $6, to_timestamp($7), to_timestamp($7)) "
                           "RETURNING user_id",
    [Q_IDEM_RELEASE] = "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND owner = $3 "
                       "AND status_code IS NULL",
    [Q_EVENT_INSERT] = "INSERT INTO events (type, data, provider_id, customer_id, created_at) "
                       "VALUES ($1, $2, $3, $4, to_timestamp($5))",
    [Q_EVENTS_AFTER] = "SELECT " EVENT_COLS " FROM events WHERE id > $1 ORDER BY id LIMIT $2",
    [Q_AUDIT_INSERT] = "INSERT INTO audit_log (at, actor_id, actor_email, actor_role, action, "
                       "target_type, target_id, ip, user_agent, request_id, details) "
                       "VALUES (to_timestamp($1), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    [Q_AUDIT_LIST] = "SELECT " AUDIT_COLS " FROM audit_log " AUDIT_FILTER
                     "ORDER BY id DESC LIMIT $7 OFFSET $8",
    [Q_AUDIT_COUNT] = "SELECT count(*) FROM audit_log " AUDIT_FILTER,
    [Q_AUDIT_AFTER] = "SELECT " AUDIT_COLS " FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
    /* Waits for every writer that drew an id of the outbox (005_outbox_audit.sql),
     * but not for long: writers queue behind it. */
    [Q_OUTBOX_LOCK_TIMEOUT] = "SELECT set_config('lock_timeout', '200ms', true)",
    [Q_OUTBOX_BARRIER] = "SELECT pg_advisory_xact_lock($1)",
    [Q_AUDIT_SEAL] = "UPDATE audit_log a SET hash = r.hash "
                      "FROM json_to_recordset($1::json) AS r(id bigint, hash text) WHERE a.id = r.id",
    [Q_AUDIT_LAST_SEALED] = "SELECT id, hash FROM audit_log WHERE hash IS NOT NULL "
                            "ORDER BY id DESC LIMIT 1",
    [Q_AUDIT_HEAD] = "SELECT id, hash, at FROM audit_log ORDER BY id LIMIT $1",
    [Q_AUDIT_DELETE_UPTO] = "DELETE FROM audit_log WHERE id <= $1",
    [Q_AUDIT_NEWEST] = "SELECT COALESCE(MAX(id), 0) FROM audit_log",
    [Q_SETTING_PUT] = "INSERT INTO settings (key, value) VALUES ($1, $2) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [Q_JOB_LEASE] = "INSERT INTO job_leases (name, owner, until) VALUES ($1, $2, to_timestamp($4)) "
                    "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until "
                    "WHERE job_leases.owner = excluded.owner OR job_leases.until < to_timestamp($3) "
                    "RETURNING owner",
    /* Concurrent attempts for one email take turns, so each sees the others. */
    [Q_LOGIN_LOCK] = "SELECT pg_advisory_xact_lock(7362, hashtext($1))",
    [Q_LOGIN_FAIL_DELETE] = "DELETE FROM login_failures WHERE id = $1",
    [Q_USER_LOCK] = USER_SELECT "WHERE id = $1 FOR UPDATE",
    [Q_SERVICE_LOCK] = "SELECT " SERVICE_COLS " FROM services WHERE id = $1 FOR UPDATE",
    [Q_SERVICE_SHORTEST] = "SELECT coalesce(min(duration_minutes + buffer_before_minutes + "
                           "buffer_after_minutes), 0), coalesce(min(duration_minutes + "
                           "buffer_after_minutes), 0), coalesce(min(duration_minutes + "
                           "buffer_before_minutes), 0) FROM services WHERE provider_id = $1 AND active",
    [Q_SERVICES_DEACTIVATE] = "UPDATE services SET active = FALSE WHERE provider_id = $1 AND active",
    /* Locked: two admins removing each other at once cannot both see the
     * other still there (one waits, or the deadlock check refuses one). */
    [Q_ADMINS_OTHER] = "SELECT count(*) FROM (SELECT id FROM users WHERE role = 'admin' "
                       "AND is_active AND id <> $1 FOR UPDATE) a",
    [Q_PRUNE_IDEM] = PRUNE("idempotency_keys", "created_at"),
    [Q_PRUNE_LOGIN] = PRUNE("login_failures", "at"),
    [Q_PRUNE_SESSIONS] = PRUNE("sessions", "expires_at"),
    [Q_PRUNE_EVENTS] = PRUNE("events", "created_at"),
    [Q_STATEMENT_TIMEOUT] = "SELECT setting::bigint FROM pg_settings WHERE name = 'statement_timeout'",
    [Q_SIGNUP_ATTEMPT_INSERT] = "INSERT INTO signup_attempts (ip, at) VALUES ($1, to_timestamp($2))",
    [Q_SIGNUP_ATTEMPT_PRUNE] = "DELETE FROM signup_attempts WHERE at < to_timestamp($1)",
    [Q_SIGNUP_ATTEMPT_COUNT] = "SELECT count(*), min(at) FROM signup_attempts "
                               "WHERE ip = $1 AND at > to_timestamp($2)",
    [Q_WEBHOOK_INSERT] = "INSERT INTO webhooks (user_id, url, events, active, reminder_minutes, "
                         "secret, created_at) VALUES ($1, $2, $3, TRUE, $4, $5, to_timestamp($6)) RETURNING id",
    [Q_WEBHOOK_GET] = "SELECT " WEBHOOK_COLS " FROM webhooks WHERE id = $1",
    [Q_WEBHOOK_LOCK] = "SELECT " WEBHOOK_COLS " FROM webhooks WHERE id = $1 FOR UPDATE",
    [Q_WEBHOOK_UPDATE] = "UPDATE webhooks SET url = $2, events = $3, active = $4::int <> 0, "
                         "reminder_minutes = $5 WHERE id = $1 RETURNING id",
    [Q_WEBHOOK_DELETE] = "DELETE FROM webhooks WHERE id = $1 RETURNING id",
    [Q_WEBHOOK_LIST] = "SELECT " WEBHOOK_COLS " FROM webhooks WHERE $1::bigint = 0 OR user_id = $1 "
                       "ORDER BY id LIMIT $2 OFFSET $3",
    [Q_WEBHOOK_COUNT] = "SELECT count(*) FROM webhooks WHERE $1::bigint = 0 OR user_id = $1",
    [Q_WEBHOOK_ROTATE] = "UPDATE webhooks SET old_secret = secret, secret = $2, "
                         "old_secret_until = to_timestamp($3) WHERE id = $1 RETURNING id",
    [Q_WEBHOOK_HEALTH] = "UPDATE webhooks SET failing_since = CASE WHEN $2::int = 0 THEN NULL "
                         "ELSE COALESCE(failing_since, to_timestamp($3)) END, "
                         "active = active AND $4::int = 0 WHERE id = $1 RETURNING id",
    [Q_DELIVERY_LIST] = "SELECT " DELIVERY_COLS " FROM webhook_deliveries WHERE webhook_id = $1 "
                        "ORDER BY event_id DESC LIMIT $2 OFFSET $3",
    [Q_DELIVERY_COUNT] = "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = $1",
    [Q_DELIVERY_RETRY] = "UPDATE webhook_deliveries SET status = 'pending', "
                         "next_attempt_at = to_timestamp($3), claim_owner = NULL, finished_at = NULL "
                         "WHERE webhook_id = $1 AND event_id = $2 RETURNING " DELIVERY_COLS,
    [Q_DELIVERY_INSERT] = "INSERT INTO webhook_deliveries (webhook_id, event_id, type, status, "
                          "next_attempt_at, created_at) VALUES ($1, $2, $3, 'pending', "
                          "to_timestamp($4), to_timestamp($4))",
    /* Rows another claimer holds are skipped, not waited for; a row claimed
     * and committed meanwhile is re-checked against the WHERE (READ
     * COMMITTED's re-evaluation of locked rows) and left out. */
    [Q_DELIVERY_CLAIM] =
        "UPDATE webhook_deliveries d SET attempts = d.attempts + 1, claim_owner = $2, "
        "next_attempt_at = to_timestamp($4) "
        "WHERE d.id IN (SELECT x.id FROM webhook_deliveries x JOIN webhooks w ON w.id = x.webhook_id "
        "AND w.active WHERE x.status = 'pending' AND x.next_attempt_at <= to_timestamp($1) "
        "ORDER BY x.next_attempt_at LIMIT $3 FOR UPDATE OF x SKIP LOCKED) RETURNING "
        "d.id, d.webhook_id, d.event_id, d.type, d.status, d.attempts, d.last_status_code, "
        "d.last_error, d.next_attempt_at, d.delivered_at, "
        "(SELECT url FROM webhooks w WHERE w.id = d.webhook_id), "
        "(SELECT secret FROM webhooks w WHERE w.id = d.webhook_id), "
        "(SELECT CASE WHEN old_secret_until > to_timestamp($1) THEN old_secret END FROM webhooks w "
        "WHERE w.id = d.webhook_id), "
        "(SELECT failing_since FROM webhooks w WHERE w.id = d.webhook_id), "
        "(SELECT count(*) FROM events e WHERE e.id = d.event_id), "
        "(SELECT created_at FROM events e WHERE e.id = d.event_id), "
        "(SELECT data FROM events e WHERE e.id = d.event_id)",
    [Q_DELIVERY_RECORD] =
        "UPDATE webhook_deliveries d SET status = r.status, last_status_code = r.code, "
        "last_error = r.error, next_attempt_at = to_timestamp(r.next), "
        "delivered_at = to_timestamp(r.delivered), claim_owner = NULL, "
        "finished_at = CASE WHEN r.status = 'pending' THEN NULL ELSE to_timestamp($2) END "
        "FROM json_to_recordset($1::json) AS r(id bigint, owner text, attempts int, status text, "
        "code int, error text, next bigint, delivered bigint) "
        "WHERE d.id = r.id AND d.claim_owner = r.owner AND d.attempts = r.attempts "
        "RETURNING d.id, d.attempts",
    [Q_FANOUT_AFTER] = "SELECT after_id FROM webhook_fanout WHERE id = 1",
    [Q_FANOUT_MOVE] = "INSERT INTO webhook_fanout (id, after_id) VALUES (1, $2) "
                      "ON CONFLICT (id) DO UPDATE SET after_id = excluded.after_id "
                      "WHERE webhook_fanout.after_id = $1 RETURNING 1",
    [Q_FANOUT_INSERT] =
        "INSERT INTO webhook_deliveries (webhook_id, event_id, type, status, next_attempt_at, created_at) "
        "SELECT w.id, e.id, e.type, 'pending', to_timestamp($3), to_timestamp($3) FROM events e "
        "JOIN webhooks w ON w.active AND (w.events & " EVENT_BIT("e.type") ") <> 0 "
        "AND e.created_at >= w.created_at "
        "JOIN users u ON u.id = w.user_id AND u.is_active "
        "AND (u.role = 'admin' OR (u.role = 'provider' AND u.id = e.provider_id)) "
        "WHERE e.id > $1 AND e.id <= $2 ORDER BY e.id, w.id ON CONFLICT DO NOTHING",
    /* Webhooks first, then each one's reminder window of bookings (LATERAL):
     * joined the other way the planner walked every future booking in start
     * order, 0.84 s a poll at 270 000 of them with no webhook at all. An
     * admin's are read by start, a provider's through the no-overlap index
     * by its own buffered time: by start, provider webhooks read every
     * provider's bookings of the window. */
    [Q_REMINDERS_DUE] =
        "SELECT w.id, d.id, d.start_at FROM webhooks w "
        "JOIN users u ON u.id = w.user_id AND u.is_active AND u.role IN ('admin', 'provider') "
        "CROSS JOIN LATERAL ((SELECT b.id, b.start_at FROM bookings b "
        "WHERE u.role = 'admin' AND " REMINDER_DUE " ORDER BY b.start_at, b.id LIMIT $3) "
        "UNION ALL (SELECT b.id, b.start_at FROM bookings b "
        "WHERE u.role = 'provider' AND b.provider_id = u.id "
        "AND tstzrange(b.occupied_start, b.occupied_end) && tstzrange(to_timestamp($1 - "
        SERVICE_TEXT(SERVICE_BUFFER_MAX_MINUTES) " * 60), " REMINDER_WINDOW_END ", '[]') "
        "AND " REMINDER_DUE " ORDER BY b.start_at, b.id LIMIT $3)) d "
        "WHERE w.active AND (w.events & 64) <> 0 ORDER BY d.start_at, w.id, d.id LIMIT $3",
    [Q_REMINDER_INSERT] = "INSERT INTO webhook_reminders (webhook_id, booking_id, start_at, event_id) "
                          "VALUES ($1, $2, to_timestamp($3), $4) ON CONFLICT DO NOTHING RETURNING 1",
    [Q_EVENT_INSERT_ID] = "INSERT INTO events (type, data, provider_id, customer_id, created_at) "
                          "VALUES ($1, $2, $3, $4, to_timestamp($5)) RETURNING id",
    [Q_PRUNE_DELIVERIES] = "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM "
                           "webhook_deliveries WHERE status <> 'pending' AND finished_at < to_timestamp($1) "
                           "LIMIT $2) RETURNING 1",
    [Q_PRUNE_REMINDERS] = PRUNE("webhook_reminders", "start_at"),
    [Q_DELIVERY_NEXT_DUE] = "SELECT MIN(next_attempt_at) "
                            "FROM webhook_deliveries WHERE status = 'pending'",
    [Q_TICKET_INSERT] = "INSERT INTO event_tickets (hash, user_id, session_id, expires_at) "
                        "VALUES ($1, $2, $3, to_timestamp($4))",
    [Q_TICKET_PRUNE] = "DELETE FROM event_tickets WHERE expires_at < to_timestamp($1)",
    [Q_TICKET_TAKE] = "DELETE FROM event_tickets WHERE hash = $1 "
                      "RETURNING user_id, session_id, expires_at",
    [Q_EVENTS_NEWEST] = "SELECT COALESCE(MAX(id), 0) FROM events",
    [Q_EVENTS_RANGE] = "SELECT " EVENT_COLS " FROM events WHERE id > $1 AND id <= $2 "
                       "AND ($3::bigint = 0 OR provider_id = $3 OR customer_id = $3) "
                       "ORDER BY id LIMIT $4",
    [Q_SESSIONS_LIVE] = "SELECT s.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id "
                        "WHERE s.id = ANY (string_to_array($1, ',')) AND s.revoked_at IS NULL "
                        "AND s.expires_at > to_timestamp($2) AND u.is_active",
    [Q_EVENT_INSERT_FREED] = "INSERT INTO events (type, data, provider_id, customer_id, created_at, "
                             "freed_start, freed_end) VALUES ($1, $2, $3, $4, to_timestamp($5), "
                             "to_timestamp($6::bigint), to_timestamp($7::bigint))",
    [Q_WAITLIST_INSERT] = "INSERT INTO waitlist_entries (service_id, provider_id, customer_id, from_at, "
                          "to_at, auto_book, status, created_at, updated_at) VALUES ($1, $2, $3, "
                          "to_timestamp($4), to_timestamp($5), $6::int <> 0, 'active', to_timestamp($7), "
                          "to_timestamp($8)) RETURNING id",
    [Q_WAITLIST_GET] = "SELECT " WAITLIST_COLS("") " FROM waitlist_entries WHERE id = $1",
    [Q_WAITLIST_DELETE] = "DELETE FROM waitlist_entries WHERE id = $1 RETURNING id",
    [Q_WAITLIST_LIST] = "SELECT " WAITLIST_COLS("") " FROM waitlist_entries "
                        "WHERE $1::bigint = 0 OR customer_id = $1 ORDER BY id LIMIT $2 OFFSET $3",
    [Q_WAITLIST_COUNT] = "SELECT count(*) FROM waitlist_entries WHERE $1::bigint = 0 OR customer_id = $1",
    [Q_WAITLIST_ACTIVE_COUNT] = "SELECT count(*) FROM waitlist_entries WHERE customer_id = $1 "
                                "AND status = 'active' AND to_at > to_timestamp($2)",
    /* READ COMMITTED re-checks a row another writer changed meanwhile
     * against the WHERE: of two racing serves of one entry one updates. */
    [Q_WAITLIST_SERVE] = WAITLIST_SERVE,
    /* The waitlist's place moved from $22-$25 to $26-$29 and, only then,
     * the entry served, its event ($7-$10) and its audit entry ($11-$21):
     * one statement, a round trip less for each slot served. */
    [Q_WAITLIST_SERVE_RECORDED] =
        "WITH p AS (UPDATE waitlist_place SET event_id = $26, service_id = $27, slot_start = $28, "
        "done = $29::int <> 0 WHERE id = 1 AND event_id = $22 AND service_id = $23 "
        "AND slot_start = $24 AND done = ($25::int <> 0) RETURNING 1), "
        "w AS (" WAITLIST_SERVE_UPDATE " AND EXISTS (SELECT 1 FROM p) RETURNING id), "
        "e AS (INSERT INTO events (type, data, provider_id, customer_id, created_at) "
        "SELECT $7, $8, $9, $10, to_timestamp($11) FROM w), "
        "a AS (INSERT INTO audit_log (at, actor_id, actor_email, actor_role, action, target_type, "
        "target_id, ip, user_agent, request_id, details) SELECT to_timestamp($11), $12, $13, $14, "
        "$15, $16, $17, $18, $19, $20, $21 FROM w) "
        "SELECT (SELECT count(*) FROM p), COALESCE((SELECT id FROM w), 0)",
    [Q_WAITLIST_EXPIRE] = "UPDATE waitlist_entries SET status = 'expired', updated_at = to_timestamp($1) "
                          "WHERE status = 'active' AND to_at <= to_timestamp($1) RETURNING id",
    [Q_WAITLIST_CANDIDATES] =
        "SELECT w.service_id, MIN(w.from_at), MAX(w.to_at) "
        "FROM waitlist_entries w JOIN services s ON s.id = w.service_id AND s.active "
        "WHERE w.provider_id = $1 AND w.status = 'active' AND w.to_at > to_timestamp($5) "
        "AND w.from_at < to_timestamp($4) AND w.to_at > to_timestamp($3) "
        "AND ($2::bigint = 0 OR w.service_id = $2) GROUP BY w.service_id ORDER BY w.service_id",
    [Q_WAITLIST_WAITING] =
        "SELECT " WAITLIST_COLS("w.") " FROM waitlist_entries w "
        "JOIN users u ON u.id = w.customer_id AND u.is_active "
        "WHERE w.service_id = $1 AND w.status = 'active' AND w.to_at > to_timestamp($4) "
        "AND w.from_at <= to_timestamp($2) AND w.to_at >= to_timestamp($3) AND w.id > $6 "
        "ORDER BY w.id LIMIT $5",
    [Q_WAITLIST_PLACE] = "SELECT event_id, service_id, slot_start, done::int FROM waitlist_place "
                         "WHERE id = 1",
    [Q_WAITLIST_PLACE_MOVE] = "UPDATE waitlist_place SET event_id = $5, service_id = $6, slot_start = $7, "
                              "done = $8::int <> 0 WHERE id = 1 AND event_id = $1 AND service_id = $2 "
                              "AND slot_start = $3 AND done = ($4::int <> 0) RETURNING 1",
    [Q_WAITLIST_PLACE_INIT] = "INSERT INTO waitlist_place (id, event_id, service_id, slot_start, done) "
                              "SELECT 1, COALESCE(MAX(id), 0), 0, 0, TRUE FROM events "
                              "ON CONFLICT DO NOTHING",
};
