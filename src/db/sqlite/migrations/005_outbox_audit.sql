-- The event outbox: each row is written by the transaction of the change it
-- reports. SQLite has one writer at a time, so ids are handed out in commit
-- order; AUTOINCREMENT never hands one out twice, even after pruning.
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    provider_id INTEGER,
    customer_id INTEGER,
    created_at INTEGER NOT NULL
);
CREATE INDEX events_created ON events (created_at);

-- The audit log; hash is filled in by the sealer (a chain in id order).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    actor_id INTEGER,
    actor_email TEXT,
    actor_role TEXT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id INTEGER,
    ip TEXT,
    user_agent TEXT,
    request_id TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    hash TEXT
);
CREATE INDEX audit_action ON audit_log (action, id);
CREATE INDEX audit_actor ON audit_log (actor_id, id);
CREATE INDEX audit_target ON audit_log (target_type, target_id, id);

-- One row per background job: who runs it, and until when.
CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until INTEGER NOT NULL
);

-- An idempotency claim names the request that holds it, until its lease ends.
ALTER TABLE idempotency_keys ADD COLUMN owner TEXT;
ALTER TABLE idempotency_keys ADD COLUMN lease_until INTEGER;
CREATE INDEX idempotency_created ON idempotency_keys (created_at);
CREATE INDEX sessions_expires ON sessions (expires_at);
