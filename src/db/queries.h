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
    Q_AVAIL_GET,         /* provider_id -> day, start_min, end_min */
    Q_AVAIL_DELETE,      /* provider_id */
    Q_AVAIL_INSERT,      /* provider_id, day, start_min, end_min */
    Q_USER_SET_TIMEZONE, /* id, timezone */
    Q_TIME_OFF_INSERT,   /* provider_id, start, end, reason -> id */
    Q_TIME_OFF_LIST,     /* provider_id, limit, offset -> time off cols */
    Q_TIME_OFF_COUNT,    /* provider_id */
    Q_TIME_OFF_DELETE,   /* provider_id, id -> id */
    Q_SERVICE_INSERT,    /* the service cols but id, active -> id */
    Q_SERVICE_GET,       /* id */
    Q_SERVICE_UPDATE,    /* id, the service cols but created_at -> id */
    Q_SERVICE_LIST,      /* provider_id or 0, limit, offset */
    Q_SERVICE_COUNT,     /* provider_id or 0 */
    Q_BOOKING_INSERT,    /* booking cols but id -> id */
    Q_BOOKING_INSERT_RECORDED, /* PostgreSQL: booking cols, data, type, audit, key -> id, answered */
    Q_BOOKING_UPDATE_RECORDED, /* PostgreSQL: Q_BOOKING_UPDATE's, type, data, provider, customer, audit -> id */
    Q_BOOKING_GET,       /* id */
    Q_BOOKING_LOCK,      /* id: the row, locked for the transaction where the engine can */
    Q_BOOKING_UPDATE,    /* id, start, end, status, cancel_reason, updated_at, cancelled_at, occ_start, occ_end -> id */
    Q_BOOKING_LIST,      /* customer_id, provider_id, status, from, to, limit, offset */
    Q_BOOKING_COUNT,     /* customer_id, provider_id, status, from, to */
    Q_IDEM_CLEAR,        /* user_id, key, now */
    Q_IDEM_INSERT,       /* user_id, key, hash, owner, now, lease_until -> user_id */
    Q_IDEM_GET,          /* user_id, key -> hash, status, body */
    Q_LOGIN_FAIL_INSERT,   /* email, ip, at -> id */
    Q_LOGIN_FAIL_EMAIL_IP, /* email, ip, since -> count, oldest */
    Q_LOGIN_FAIL_EMAIL,    /* email, since -> count, oldest */
    Q_LOGIN_FAIL_IP,       /* ip, since -> count, oldest */
    Q_SCHEDULE,            /* provider_id, from, to, exclude_id -> kind, day, start_min,
                              end_min, zone, start, end (NULL where the kind has none) */
    Q_SCHEDULE_RULES,      /* provider_id, from, to -> the same without busy rows */
    Q_SERVICE_SCHEDULE_RULES, /* service_id, from, to -> the service's columns, then
                                 Q_SCHEDULE_RULES's of its provider, on each row */
    Q_IDEM_TAKEOVER,       /* user_id, key, hash, owner, now, lease_until -> user_id */
    Q_IDEM_RECORD,         /* user_id, key, owner, status, body -> user_id */
    Q_IDEM_INSERT_DONE,    /* user_id, key, owner, status, body, hash, now -> user_id */
    Q_IDEM_RELEASE,        /* user_id, key, owner */
    Q_EVENT_INSERT,        /* type, data, provider_id, customer_id, created_at */
    Q_EVENTS_AFTER,        /* after, limit -> event cols */
    Q_OUTBOX_LOCK_TIMEOUT, /* a short lock_timeout for the barrier */
    Q_OUTBOX_BARRIER,      /* key: waits for the writers of that outbox */
    Q_AUDIT_INSERT,        /* at, actor id, email, role, action, target type, id, ip, ua, request id, details */
    Q_AUDIT_LIST,          /* action, actor_id, target_type, target_id, from, to, limit, offset */
    Q_AUDIT_COUNT,         /* action, actor_id, target_type, target_id, from, to */
    Q_AUDIT_AFTER,         /* after, limit -> audit cols */
    Q_AUDIT_SEAL,          /* [{"id", "hash"}] as JSON text */
    Q_AUDIT_LAST_SEALED,   /* -> id, hash of the newest sealed entry */
    Q_AUDIT_HEAD,          /* limit -> id, hash, at of the oldest entries */
    Q_AUDIT_DELETE_UPTO,   /* id */
    Q_AUDIT_NEWEST,        /* -> the newest entry's id (0: none) */
    Q_SETTING_PUT,         /* key, value */
    Q_JOB_LEASE,           /* name, owner, now, until -> owner */
    Q_LOGIN_LOCK,          /* email: attempts of one email take turns */
    Q_LOGIN_FAIL_DELETE,   /* id */
    Q_USER_LOCK,           /* id -> user cols, locked */
    Q_SERVICE_LOCK,        /* id -> service cols, locked */
    Q_SERVICES_DEACTIVATE, /* provider_id */
    Q_SERVICE_SHORTEST,    /* provider_id -> least duration + both buffers, + buffer after, + buffer before of its active services (0: none) */
    Q_ADMINS_OTHER,        /* id -> count of other active admins */
    Q_PRUNE_IDEM,          /* before, limit */
    Q_PRUNE_LOGIN,         /* before, limit */
    Q_PRUNE_SESSIONS,      /* before, limit */
    Q_PRUNE_EVENTS,        /* before, limit */
    Q_STATEMENT_TIMEOUT,   /* -> the session's statement timeout in ms (0: none) */
    Q_SIGNUP_ATTEMPT_INSERT, /* ip, at */
    Q_SIGNUP_ATTEMPT_PRUNE,  /* before */
    Q_SIGNUP_ATTEMPT_COUNT,  /* ip, since -> count, oldest */
    Q_WEBHOOK_INSERT,      /* user_id, url, events, reminder_minutes, secret, created_at -> id */
    Q_WEBHOOK_GET,         /* id -> webhook cols */
    Q_WEBHOOK_LOCK,        /* id -> webhook cols, locked */
    Q_WEBHOOK_UPDATE,      /* id, url, events, active, reminder_minutes -> id */
    Q_WEBHOOK_DELETE,      /* id -> id */
    Q_WEBHOOK_LIST,        /* user_id or 0, limit, offset -> webhook cols */
    Q_WEBHOOK_COUNT,       /* user_id or 0 */
    Q_WEBHOOK_ROTATE,      /* id, secret, old_until -> id */
    Q_WEBHOOK_HEALTH,      /* id, failing (0: clear, 1: set unless set), now, disable -> id */
    Q_DELIVERY_LIST,       /* webhook_id, limit, offset -> delivery cols, newest event first */
    Q_DELIVERY_COUNT,      /* webhook_id */
    Q_DELIVERY_RETRY,      /* webhook_id, event_id, now -> delivery cols */
    Q_DELIVERY_INSERT,     /* webhook_id, event_id, type, now */
    Q_DELIVERY_CLAIM,      /* now, owner, limit, lease_until -> delivery cols, url, secret, old secret, failing_since, has event, event created_at, data */
    Q_DELIVERY_RECORD,     /* JSON array of {id, owner, attempts, status, code, error, next, delivered}, now -> id, attempts of each kept */
    Q_FANOUT_AFTER,        /* -> the fan-out's cursor */
    Q_FANOUT_MOVE,         /* from, to -> 1 when it was still at from */
    Q_FANOUT_INSERT,       /* after, upto, now: the deliveries of events (after, upto] */
    Q_REMINDERS_DUE,       /* now, seconds a minute, limit -> webhook_id, booking_id, start */
    Q_REMINDER_INSERT,     /* webhook_id, booking_id, start, event_id -> 1 when new */
    Q_EVENT_INSERT_ID,     /* Q_EVENT_INSERT's -> id */
    Q_PRUNE_DELIVERIES,    /* before, limit: finished deliveries */
    Q_PRUNE_REMINDERS,     /* before, limit: reminders of starts long past */
    Q_DELIVERY_NEXT_DUE,   /* -> the earliest next_attempt_at of a pending delivery (0: none) */
    Q_TICKET_INSERT,         /* hash, user_id, session_id, expires_at */
    Q_TICKET_PRUNE,          /* now: drops expired tickets */
    Q_TICKET_TAKE,           /* hash -> user_id, session_id, expires_at (deleted) */
    Q_EVENTS_NEWEST,         /* -> the newest event's id (0: none) */
    Q_EVENTS_RANGE,          /* after, upto, viewer (0: all), limit -> event cols */
    Q_SESSIONS_LIVE,         /* ",sid,sid,", now -> sid, role of each live session */
    Q_EVENT_INSERT_FREED,    /* Q_EVENT_INSERT's, freed_start, freed_end */
    Q_WAITLIST_INSERT,       /* service, provider, customer, from, to, auto_book, created, updated -> id */
    Q_WAITLIST_GET,          /* id -> waitlist cols */
    Q_WAITLIST_DELETE,       /* id -> id */
    Q_WAITLIST_LIST,         /* customer_id or 0, limit, offset -> waitlist cols */
    Q_WAITLIST_COUNT,        /* customer_id or 0 */
    Q_WAITLIST_ACTIVE_COUNT, /* customer_id, now */
    Q_WAITLIST_SERVE,        /* id, status, booking_id or NULL, slot_start, slot_end, now -> id */
    Q_WAITLIST_SERVE_RECORDED, /* PostgreSQL: Q_WAITLIST_SERVE's, event type, data, provider, customer, audit, place from's 4, to's 4 -> moved, id or 0 */
    Q_WAITLIST_EXPIRE,       /* now -> id of each entry expired */
    Q_WAITLIST_CANDIDATES,   /* provider, service or 0, from, to, now -> service_id, min from, max to */
    Q_WAITLIST_WAITING,      /* service, from, to, now, limit -> waitlist cols */
    Q_WAITLIST_PLACE,        /* -> event_id, service_id, slot_start, done */
    Q_WAITLIST_PLACE_MOVE,   /* from's 4, to's 4 -> 1 when it was still at from */
    Q_WAITLIST_PLACE_INIT,   /* a place at the newest event, unless there is one */
    Q__COUNT
};
#endif
