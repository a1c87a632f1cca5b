/* SQLite text of every query in db/queries.h. Times are Unix seconds. */
#include "db/driver.h"
#include "models/service.h"

#define USER_SELECT "SELECT id, name, email, password_hash, role, is_active, timezone, created_at FROM users "

#define SERVICE_COLS "id, provider_id, name, description, duration_minutes, buffer_before_minutes, " \
    "buffer_after_minutes, slot_interval_minutes, min_notice_minutes, max_advance_days, " \
    "cancel_notice_minutes, price_cents, active, created_at"
#define BOOKING_COLS "id, service_id, provider_id, customer_id, start_at, end_at, buffer_before_min, " \
    "buffer_after_min, status, notes, cancel_reason, created_at, updated_at, cancelled_at"
#define EVENT_COLS "id, type, data, provider_id, customer_id, created_at, freed_start, freed_end"
#define WAITLIST_COLS(a) a "id, " a "service_id, " a "provider_id, " a "customer_id, " a "from_at, " \
    a "to_at, " a "auto_book, " a "status, " a "booking_id, " a "slot_start, " a "slot_end, " \
    a "created_at, " a "updated_at"
#define AUDIT_COLS "id, at, actor_id, actor_email, actor_role, action, target_type, target_id, ip, " \
    "user_agent, request_id, details, hash"
#define AUDIT_FILTER "WHERE (?1 IS NULL OR action = ?1) AND (?2 = 0 OR actor_id = ?2) " \
    "AND (?3 IS NULL OR target_type = ?3) AND (?4 = 0 OR target_id = ?4) " \
    "AND (?5 IS NULL OR at >= ?5) AND (?6 IS NULL OR at < ?6) "
#define PRUNE(table, col) "DELETE FROM " table " WHERE rowid IN (SELECT rowid FROM " table \
    " WHERE " col " < ?1 LIMIT ?2) RETURNING 1"
#define BOOKING_FILTER "WHERE (?1 = 0 OR customer_id = ?1) AND (?2 = 0 OR provider_id = ?2) " \
    "AND (?3 IS NULL OR status = ?3) AND (?4 IS NULL OR start_at >= ?4) AND (?5 IS NULL OR start_at < ?5) "

#define WEBHOOK_COLS "id, user_id, url, events, active, reminder_minutes, created_at"
#define DELIVERY_COLS "id, webhook_id, event_id, type, status, attempts, last_status_code, last_error, " \
    "next_attempt_at, delivered_at"
/* The z(one) row, w(indows) and t(ime off) rows of Q_SCHEDULE: the provider
 * an expression, ?2-?3 the range. */
#define SCHEDULE_RULES(provider) "SELECT 'z', NULL, NULL, NULL, timezone, NULL, NULL FROM users " \
    "WHERE id = " provider " " \
    "UNION ALL SELECT 'w', day, start_min, end_min, NULL, NULL, NULL FROM availability " \
    "WHERE provider_id = " provider " " \
    "UNION ALL SELECT 't', NULL, NULL, NULL, NULL, start_at, end_at FROM time_off " \
    "WHERE provider_id = " provider " AND start_at < ?3 AND end_at > ?2 "
/* The provider of the service read into s (Q_SERVICE_SCHEDULE_RULES). */
#define SERVICE_PROVIDER "(SELECT provider_id FROM s)"
/* The bit of an event type in webhooks.events (models/webhook.h); 0 for
 * booking.reminder, which the reminder job addresses to one webhook. */
#define EVENT_BIT(t) "(CASE " t " WHEN 'booking.created' THEN 1 WHEN 'booking.cancelled' THEN 2 " \
    "WHEN 'booking.rescheduled' THEN 4 WHEN 'booking.completed' THEN 8 " \
    "WHEN 'waitlist.slot_available' THEN 16 WHEN 'waitlist.booked' THEN 32 ELSE 0 END)"

/* Q_REMINDERS_DUE: w an active webhook asking for reminders, of u, an
 * active user of role; b a confirmed booking starting inside w's window
 * (?1 now, ?2 seconds a minute), unchanged since the window opened, not
 * reminded of at this start. */
#define REMINDER_HOOK(role) "w.active = 1 AND (w.events & 64) <> 0 " \
    "AND u.id = w.user_id AND u.is_active = 1 AND u.role = '" role "'"
#define REMINDER_DUE "b.status = 'confirmed' AND b.start_at > ?1 " \
    "AND b.start_at <= ?1 + w.reminder_minutes * ?2 " \
    "AND b.start_at - w.reminder_minutes * ?2 >= MAX(b.updated_at, w.created_at) " \
    "AND NOT EXISTS (SELECT 1 FROM webhook_reminders r WHERE r.webhook_id = w.id " \
    "AND r.booking_id = b.id AND r.start_at = b.start_at)"

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
    [Q_AVAIL_GET] = "SELECT day, start_min, end_min FROM availability WHERE provider_id = ?1 "
                    "ORDER BY day, start_min",
    [Q_AVAIL_DELETE] = "DELETE FROM availability WHERE provider_id = ?1",
    [Q_AVAIL_INSERT] = "INSERT INTO availability (provider_id, day, start_min, end_min) "
                       "VALUES (?1, ?2, ?3, ?4)",
    [Q_USER_SET_TIMEZONE] = "UPDATE users SET timezone = ?2 WHERE id = ?1",
    [Q_TIME_OFF_INSERT] = "INSERT INTO time_off (provider_id, start_at, end_at, reason) "
                          "VALUES (?1, ?2, ?3, ?4) RETURNING id",
    [Q_TIME_OFF_LIST] = "SELECT id, provider_id, start_at, end_at, reason FROM time_off "
                        "WHERE provider_id = ?1 ORDER BY start_at, id LIMIT ?2 OFFSET ?3",
    [Q_TIME_OFF_COUNT] = "SELECT count(*) FROM time_off WHERE provider_id = ?1",
    [Q_TIME_OFF_DELETE] = "DELETE FROM time_off WHERE provider_id = ?1 AND id = ?2 "
                          "RETURNING id, provider_id, start_at, end_at, reason",
    [Q_SERVICE_INSERT] = "INSERT INTO services (provider_id, name, description, duration_minutes, "
                         "buffer_before_minutes, buffer_after_minutes, slot_interval_minutes, "
                         "min_notice_minutes, max_advance_days, cancel_notice_minutes, price_cents, "
                         "active, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1, ?12) "
                         "RETURNING id",
    [Q_SERVICE_GET] = "SELECT " SERVICE_COLS " FROM services WHERE id = ?1",
    [Q_SERVICE_UPDATE] = "UPDATE services SET name = ?2, description = ?3, duration_minutes = ?4, "
                         "buffer_before_minutes = ?5, buffer_after_minutes = ?6, "
                         "slot_interval_minutes = ?7, min_notice_minutes = ?8, max_advance_days = ?9, "
                         "cancel_notice_minutes = ?10, price_cents = ?11, active = ?12 WHERE id = ?1 "
                         "RETURNING id",
    [Q_SERVICE_LIST] = "SELECT " SERVICE_COLS " FROM services WHERE active = 1 "
                       "AND (?1 = 0 OR provider_id = ?1) ORDER BY id LIMIT ?2 OFFSET ?3",
    [Q_SERVICE_COUNT] = "SELECT count(*) FROM services WHERE active = 1 AND (?1 = 0 OR provider_id = ?1)",
    [Q_BOOKING_INSERT] = "INSERT INTO bookings (service_id, provider_id, customer_id, start_at, end_at, "
                         "buffer_before_min, buffer_after_min, occupied_start, occupied_end, status, "
                         "notes, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
                         "?10, ?11, ?12, ?13) RETURNING id",
    /* SQLite has no data-modifying CTEs: db/bookings.c writes the records
     * one by one (no round trips to save in-process). */
    [Q_BOOKING_INSERT_RECORDED] = NULL,
    [Q_BOOKING_UPDATE_RECORDED] = NULL,
    [Q_BOOKING_GET] = "SELECT " BOOKING_COLS " FROM bookings WHERE id = ?1",
    /* BEGIN IMMEDIATE already holds the write lock. */
    [Q_BOOKING_LOCK] = "SELECT " BOOKING_COLS " FROM bookings WHERE id = ?1",
    [Q_BOOKING_UPDATE] = "UPDATE bookings SET start_at = ?2, end_at = ?3, status = ?4, "
                         "cancel_reason = ?5, updated_at = ?6, cancelled_at = ?7, "
                         "occupied_start = ?8, occupied_end = ?9 WHERE id = ?1 RETURNING id",
    [Q_BOOKING_LIST] = "SELECT " BOOKING_COLS " FROM bookings " BOOKING_FILTER
                       "ORDER BY start_at, id LIMIT ?6 OFFSET ?7",
    [Q_BOOKING_COUNT] = "SELECT count(*) FROM bookings " BOOKING_FILTER,
    [Q_IDEM_CLEAR] = "DELETE FROM idempotency_keys WHERE user_id = ?1 AND key = ?2 AND "
                     "created_at < ?3 - 86400",
    [Q_IDEM_INSERT] = "INSERT INTO idempotency_keys (user_id, key, request_hash, owner, created_at, "
                      "lease_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING "
                      "RETURNING user_id",
    [Q_IDEM_GET] = "SELECT request_hash, status_code, response_body FROM idempotency_keys "
                   "WHERE user_id = ?1 AND key = ?2",
    [Q_LOGIN_FAIL_INSERT] = "INSERT INTO login_failures (email, ip, at) VALUES (?1, ?2, ?3) "
                            "RETURNING rowid",
    [Q_LOGIN_FAIL_EMAIL_IP] = "SELECT count(*), min(at) FROM login_failures "
                              "WHERE email = ?1 AND ip = ?2 AND at > ?3",
    [Q_LOGIN_FAIL_EMAIL] = "SELECT count(*), min(at) FROM login_failures WHERE email = ?1 AND at > ?2",
    [Q_LOGIN_FAIL_IP] = "SELECT count(*), min(at) FROM login_failures WHERE ip = ?1 AND at > ?2",
    /* The slot engine's inputs in one round trip: z(one) row, w(indows),
     * t(ime off) and b(usy) rows. A booking occupies at most 1440 + 2 × 240
     * minutes, so only those starting within two days before the range can
     * reach it: that bound keeps the index range short. */
    [Q_SCHEDULE] = SCHEDULE_RULES("?1") "UNION ALL SELECT 'b', NULL, NULL, NULL, NULL, occupied_start, occupied_end "
                   "FROM bookings WHERE provider_id = ?1 AND status = 'confirmed' AND occupied_start < ?3 "
                   "AND occupied_start > ?2 - 172800 AND occupied_end > ?2 AND id <> ?4",
    [Q_SCHEDULE_RULES] = SCHEDULE_RULES("?1"),
    [Q_SERVICE_SCHEDULE_RULES] = "WITH s AS (SELECT " SERVICE_COLS " FROM services WHERE id = ?1) "
                                 "SELECT s.*, r.* FROM s, (" SCHEDULE_RULES(SERVICE_PROVIDER) ") r",
    [Q_IDEM_TAKEOVER] = "UPDATE idempotency_keys SET owner = ?4, lease_until = ?6 "
                        "WHERE user_id = ?1 AND key = ?2 AND request_hash = ?3 "
                        "AND status_code IS NULL AND lease_until < ?5 RETURNING user_id",
    [Q_IDEM_RECORD] = "UPDATE idempotency_keys SET status_code = ?4, response_body = ?5 "
                      "WHERE user_id = ?1 AND key = ?2 AND owner = ?3 AND status_code IS NULL "
                      "RETURNING user_id",
    [Q_IDEM_INSERT_DONE] = "INSERT INTO idempotency_keys (user_id, key, owner, status_code, "
                           "response_body, request_hash, created_at, lease_until) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING user_id",
    [Q_IDEM_RELEASE] = "DELETE FROM idempotency_keys WHERE user_id = ?1 AND key = ?2 AND owner = ?3 "
                       "AND status_code IS NULL",
    [Q_EVENT_INSERT] = "INSERT INTO events (type, data, provider_id, customer_id, created_at) "
                       "VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_EVENTS_AFTER] = "SELECT " EVENT_COLS " FROM events WHERE id > ?1 ORDER BY id LIMIT ?2",
    [Q_AUDIT_INSERT] = "INSERT INTO audit_log (at, actor_id, actor_email, actor_role, action, "
                       "target_type, target_id, ip, user_agent, request_id, details) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [Q_AUDIT_LIST] = "SELECT " AUDIT_COLS " FROM audit_log " AUDIT_FILTER
                     "ORDER BY id DESC LIMIT ?7 OFFSET ?8",
    [Q_AUDIT_COUNT] = "SELECT count(*) FROM audit_log " AUDIT_FILTER,
    [Q_AUDIT_AFTER] = "SELECT " AUDIT_COLS " FROM audit_log WHERE id > ?1 ORDER BY id LIMIT ?2",
    /* One writer at a time: a gap is always for good (store.c). */
    [Q_OUTBOX_LOCK_TIMEOUT] = "SELECT 1",
    [Q_OUTBOX_BARRIER] = "SELECT ?1",
    [Q_AUDIT_SEAL] = "UPDATE audit_log SET hash = r.hash FROM (SELECT value ->> 'id' AS id, "
                      "value ->> 'hash' AS hash FROM json_each(?1)) AS r WHERE audit_log.id = r.id",
    [Q_AUDIT_LAST_SEALED] = "SELECT id, hash FROM audit_log WHERE hash IS NOT NULL "
                            "ORDER BY id DESC LIMIT 1",
    [Q_AUDIT_HEAD] = "SELECT id, hash, at FROM audit_log ORDER BY id LIMIT ?1",
    [Q_AUDIT_DELETE_UPTO] = "DELETE FROM audit_log WHERE id <= ?1",
    [Q_AUDIT_NEWEST] = "SELECT COALESCE(MAX(id), 0) FROM audit_log",
    [Q_SETTING_PUT] = "INSERT INTO settings (key, value) VALUES (?1, ?2) "
                      "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [Q_JOB_LEASE] = "INSERT INTO job_leases (name, owner, until) VALUES (?1, ?2, ?4) "
                    "ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until "
                    "WHERE job_leases.owner = excluded.owner OR job_leases.until < ?3 RETURNING owner",
    /* BEGIN IMMEDIATE already holds the write lock. */
    [Q_LOGIN_LOCK] = "SELECT ?1 IS NOT NULL",
    [Q_LOGIN_FAIL_DELETE] = "DELETE FROM login_failures WHERE rowid = ?1",
    [Q_USER_LOCK] = USER_SELECT "WHERE id = ?1",
    [Q_SERVICE_LOCK] = "SELECT " SERVICE_COLS " FROM services WHERE id = ?1",
    [Q_SERVICE_SHORTEST] = "SELECT coalesce(min(duration_minutes + buffer_before_minutes + "
                           "buffer_after_minutes), 0), coalesce(min(duration_minutes + "
                           "buffer_after_minutes), 0), coalesce(min(duration_minutes + "
                           "buffer_before_minutes), 0) FROM services WHERE provider_id = ?1 AND active = 1",
    [Q_SERVICES_DEACTIVATE] = "UPDATE services SET active = 0 WHERE provider_id = ?1 AND active = 1",
    [Q_ADMINS_OTHER] = "SELECT count(*) FROM users WHERE role = 'admin' AND is_active = 1 AND id <> ?1",
    [Q_PRUNE_IDEM] = PRUNE("idempotency_keys", "created_at"),
    [Q_PRUNE_LOGIN] = PRUNE("login_failures", "at"),
    [Q_PRUNE_SESSIONS] = PRUNE("sessions", "expires_at"),
    [Q_PRUNE_EVENTS] = PRUNE("events", "created_at"),
    [Q_STATEMENT_TIMEOUT] = "SELECT 0", /* SQLite has none; the busy timeout bounds waits */
    [Q_SIGNUP_ATTEMPT_INSERT] = "INSERT INTO signup_attempts (ip, at) VALUES (?1, ?2)",
    [Q_SIGNUP_ATTEMPT_PRUNE] = "DELETE FROM signup_attempts WHERE at < ?1",
    [Q_SIGNUP_ATTEMPT_COUNT] = "SELECT count(*), min(at) FROM signup_attempts WHERE ip = ?1 AND at > ?2",
    [Q_WEBHOOK_INSERT] = "INSERT INTO webhooks (user_id, url, events, active, reminder_minutes, "
                         "secret, created_at) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6) RETURNING id",
    [Q_WEBHOOK_GET] = "SELECT " WEBHOOK_COLS " FROM webhooks WHERE id = ?1",
    [Q_WEBHOOK_LOCK] = "SELECT " WEBHOOK_COLS " FROM webhooks WHERE id = ?1",
    [Q_WEBHOOK_UPDATE] = "UPDATE webhooks SET url = ?2, events = ?3, active = ?4, "
                         "reminder_minutes = ?5 WHERE id = ?1 RETURNING id",
    [Q_WEBHOOK_DELETE] = "DELETE FROM webhooks WHERE id = ?1 RETURNING id",
    [Q_WEBHOOK_LIST] = "SELECT " WEBHOOK_COLS " FROM webhooks WHERE ?1 = 0 OR user_id = ?1 "
                       "ORDER BY id LIMIT ?2 OFFSET ?3",
    [Q_WEBHOOK_COUNT] = "SELECT count(*) FROM webhooks WHERE ?1 = 0 OR user_id = ?1",
    [Q_WEBHOOK_ROTATE] = "UPDATE webhooks SET old_secret = secret, secret = ?2, old_secret_until = ?3 "
                         "WHERE id = ?1 RETURNING id",
    [Q_WEBHOOK_HEALTH] = "UPDATE webhooks SET failing_since = CASE WHEN ?2 = 0 THEN NULL "
                         "ELSE COALESCE(failing_since, ?3) END, "
                         "active = CASE WHEN ?4 <> 0 THEN 0 ELSE active END WHERE id = ?1 RETURNING id",
    [Q_DELIVERY_LIST] = "SELECT " DELIVERY_COLS " FROM webhook_deliveries WHERE webhook_id = ?1 "
                        "ORDER BY event_id DESC LIMIT ?2 OFFSET ?3",
    [Q_DELIVERY_COUNT] = "SELECT count(*) FROM webhook_deliveries WHERE webhook_id = ?1",
    [Q_DELIVERY_RETRY] = "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?3, "
                         "claim_owner = NULL, finished_at = NULL WHERE webhook_id = ?1 AND event_id = ?2 "
                         "RETURNING " DELIVERY_COLS,
    [Q_DELIVERY_INSERT] = "INSERT INTO webhook_deliveries (webhook_id, event_id, type, status, "
                          "next_attempt_at, created_at) VALUES (?1, ?2, ?3, 'pending', ?4, ?4)",
    /* One writer at a time: the rows taken are this claimer's alone. */
    [Q_DELIVERY_CLAIM] =
        "UPDATE webhook_deliveries SET attempts = attempts + 1, claim_owner = ?2, next_attempt_at = ?4 "
        "WHERE id IN (SELECT x.id FROM webhook_deliveries x JOIN webhooks w ON w.id = x.webhook_id "
        "AND w.active = 1 WHERE x.status = 'pending' AND x.next_attempt_at <= ?1 "
        "ORDER BY x.next_attempt_at LIMIT ?3) RETURNING " DELIVERY_COLS ", "
        "(SELECT url FROM webhooks w WHERE w.id = webhook_id), "
        "(SELECT secret FROM webhooks w WHERE w.id = webhook_id), "
        "(SELECT CASE WHEN old_secret_until > ?1 THEN old_secret END FROM webhooks w WHERE w.id = webhook_id), "
        "(SELECT failing_since FROM webhooks w WHERE w.id = webhook_id), "
        "(SELECT count(*) FROM events e WHERE e.id = event_id), "
        "(SELECT created_at FROM events e WHERE e.id = event_id), "
        "(SELECT data FROM events e WHERE e.id = event_id)",
    [Q_DELIVERY_RECORD] =
        "UPDATE webhook_deliveries SET status = r.status, last_status_code = r.code, "
        "last_error = r.error, next_attempt_at = r.next, delivered_at = r.delivered, "
        "claim_owner = NULL, finished_at = CASE WHEN r.status = 'pending' THEN NULL ELSE ?2 END "
        "FROM (SELECT value ->> 'id' AS id, value ->> 'owner' AS owner, "
        "value ->> 'attempts' AS attempts, value ->> 'status' AS status, value ->> 'code' AS code, "
        "value ->> 'error' AS error, value ->> 'next' AS next, value ->> 'delivered' AS delivered "
        "FROM json_each(?1)) AS r WHERE webhook_deliveries.id = r.id "
        "AND webhook_deliveries.claim_owner = r.owner AND webhook_deliveries.attempts = r.attempts "
        "RETURNING id, attempts",
    [Q_FANOUT_AFTER] = "SELECT after_id FROM webhook_fanout WHERE id = 1",
    [Q_FANOUT_MOVE] = "INSERT INTO webhook_fanout (id, after_id) VALUES (1, ?2) "
                      "ON CONFLICT (id) DO UPDATE SET after_id = excluded.after_id "
                      "WHERE webhook_fanout.after_id = ?1 RETURNING 1",
    [Q_FANOUT_INSERT] =
        "INSERT INTO webhook_deliveries (webhook_id, event_id, type, status, next_attempt_at, created_at) "
        "SELECT w.id, e.id, e.type, 'pending', ?3, ?3 FROM events e "
        "JOIN webhooks w ON w.active = 1 AND (w.events & " EVENT_BIT("e.type") ") <> 0 "
        "AND e.created_at >= w.created_at "
        "JOIN users u ON u.id = w.user_id AND u.is_active = 1 "
        "AND (u.role = 'admin' OR (u.role = 'provider' AND u.id = e.provider_id)) "
        "WHERE e.id > ?1 AND e.id <= ?2 ORDER BY e.id, w.id ON CONFLICT DO NOTHING",
    /* CROSS JOIN keeps webhooks the outer loop (SQLite does not reorder it),
     * so bookings are read in each webhook's reminder window: an admin's by
     * start (the other order walked every future booking, ~100 ms a poll at
     * 150 000), a provider's by its own buffered start (by start, 50
     * providers' webhooks read every provider's bookings of the day: 220 ms
     * a poll at 20 000). */
    [Q_REMINDERS_DUE] =
        "SELECT w.id, b.id, b.start_at FROM webhooks w CROSS JOIN users u "
        "CROSS JOIN bookings b INDEXED BY bookings_start "
        "WHERE " REMINDER_HOOK("admin") " AND " REMINDER_DUE " "
        "UNION ALL SELECT w.id, b.id, b.start_at FROM webhooks w CROSS JOIN users u "
        "CROSS JOIN bookings b INDEXED BY bookings_provider_time "
        "WHERE " REMINDER_HOOK("provider") " AND b.provider_id = u.id "
        "AND b.occupied_start > ?1 - " SERVICE_TEXT(SERVICE_BUFFER_MAX_MINUTES) " * 60 "
        "AND b.occupied_start <= ?1 + w.reminder_minutes * ?2 AND " REMINDER_DUE " "
        "ORDER BY 3, 1, 2 LIMIT ?3",
    [Q_REMINDER_INSERT] = "INSERT INTO webhook_reminders (webhook_id, booking_id, start_at, event_id) "
                          "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING RETURNING 1",
    [Q_EVENT_INSERT_ID] = "INSERT INTO events (type, data, provider_id, customer_id, created_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
    [Q_PRUNE_DELIVERIES] = "DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM "
                           "webhook_deliveries WHERE status <> 'pending' AND finished_at < ?1 LIMIT ?2) "
                           "RETURNING 1",
    [Q_PRUNE_REMINDERS] = PRUNE("webhook_reminders", "start_at"),
    [Q_DELIVERY_NEXT_DUE] = "SELECT COALESCE(MIN(next_attempt_at), 0) FROM webhook_deliveries "
                            "WHERE status = 'pending'",
    [Q_TICKET_INSERT] = "INSERT INTO event_tickets (hash, user_id, session_id, expires_at) "
                        "VALUES (?1, ?2, ?3, ?4)",
    [Q_TICKET_PRUNE] = "DELETE FROM event_tickets WHERE expires_at < ?1",
    [Q_TICKET_TAKE] = "DELETE FROM event_tickets WHERE hash = ?1 "
                      "RETURNING user_id, session_id, expires_at",
    [Q_EVENTS_NEWEST] = "SELECT COALESCE(MAX(id), 0) FROM events",
    [Q_EVENTS_RANGE] = "SELECT " EVENT_COLS " FROM events WHERE id > ?1 AND id <= ?2 "
                       "AND (?3 = 0 OR provider_id = ?3 OR customer_id = ?3) ORDER BY id LIMIT ?4",
    /* The list ",a,b," becomes the JSON array ["","a","b",""] for SQLite's
     * json_each table function (session ids are hex: nothing to escape). */
    [Q_SESSIONS_LIVE] = "SELECT s.id, u.role FROM sessions s JOIN users u ON u.id = s.user_id "
                        "WHERE s.id IN (SELECT value FROM json_each"
                        "('[\"' || replace(?1, ',', '\",\"') || '\"]')) "
                        "AND s.revoked_at IS NULL AND s.expires_at > ?2 AND u.is_active = 1",
    [Q_EVENT_INSERT_FREED] = "INSERT INTO events (type, data, provider_id, customer_id, created_at, "
                             "freed_start, freed_end) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [Q_WAITLIST_INSERT] = "INSERT INTO waitlist_entries (service_id, provider_id, customer_id, from_at, "
                          "to_at, auto_book, status, created_at, updated_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?8) RETURNING id",
    [Q_WAITLIST_GET] = "SELECT " WAITLIST_COLS("") " FROM waitlist_entries WHERE id = ?1",
    [Q_WAITLIST_DELETE] = "DELETE FROM waitlist_entries WHERE id = ?1 RETURNING id",
    [Q_WAITLIST_LIST] = "SELECT " WAITLIST_COLS("") " FROM waitlist_entries "
                        "WHERE ?1 = 0 OR customer_id = ?1 ORDER BY id LIMIT ?2 OFFSET ?3",
    [Q_WAITLIST_COUNT] = "SELECT count(*) FROM waitlist_entries WHERE ?1 = 0 OR customer_id = ?1",
    [Q_WAITLIST_ACTIVE_COUNT] = "SELECT count(*) FROM waitlist_entries WHERE customer_id = ?1 "
                                "AND status = 'active' AND to_at > ?2",
    [Q_WAITLIST_SERVE_RECORDED] = NULL,
    [Q_WAITLIST_SERVE] = "UPDATE waitlist_entries SET status = ?2, booking_id = ?3, slot_start = ?4, "
                         "slot_end = ?5, updated_at = ?6 WHERE id = ?1 AND status = 'active' "
                         "AND EXISTS (SELECT 1 FROM users u WHERE u.id = customer_id AND u.is_active = 1) "
                         "RETURNING id",
    [Q_WAITLIST_EXPIRE] = "UPDATE waitlist_entries SET status = 'expired', updated_at = ?1 "
                          "WHERE status = 'active' AND to_at <= ?1 RETURNING id",
    [Q_WAITLIST_CANDIDATES] =
        "SELECT w.service_id, MIN(w.from_at), MAX(w.to_at) FROM waitlist_entries w "
        "JOIN services s ON s.id = w.service_id AND s.active = 1 "
        "WHERE w.provider_id = ?1 AND w.status = 'active' AND w.to_at > ?5 AND w.from_at < ?4 "
        "AND w.to_at > ?3 AND (?2 = 0 OR w.service_id = ?2) GROUP BY w.service_id ORDER BY w.service_id",
    [Q_WAITLIST_WAITING] =
        "SELECT " WAITLIST_COLS("w.") " FROM waitlist_entries w "
        "JOIN users u ON u.id = w.customer_id AND u.is_active = 1 "
        "WHERE w.service_id = ?1 AND w.status = 'active' AND w.to_at > ?4 AND w.from_at <= ?2 "
        "AND w.to_at >= ?3 AND w.id > ?6 ORDER BY w.id LIMIT ?5",
    [Q_WAITLIST_PLACE] = "SELECT event_id, service_id, slot_start, done FROM waitlist_place WHERE id = 1",
    [Q_WAITLIST_PLACE_MOVE] = "UPDATE waitlist_place SET event_id = ?5, service_id = ?6, slot_start = ?7, "
                              "done = ?8 WHERE id = 1 AND event_id = ?1 AND service_id = ?2 "
                              "AND slot_start = ?3 AND done = ?4 RETURNING 1",
    [Q_WAITLIST_PLACE_INIT] = "INSERT INTO waitlist_place (id, event_id, service_id, slot_start, done) "
                              "SELECT 1, COALESCE(MAX(id), 0), 0, 0, 1 FROM events WHERE true "
                              "ON CONFLICT DO NOTHING", /* WHERE: else ON reads as a join's */
};
