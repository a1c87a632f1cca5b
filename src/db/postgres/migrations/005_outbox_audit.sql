-- The event outbox: each row is written by the transaction of the change it
-- reports. Ids come from a sequence, so they can commit out of order (7
-- visible before 6). A writer holds a shared advisory lock from before it
-- draws an id until it ends, so a reader that gets the lock exclusively knows
-- that every id drawn before has committed or rolled back: a gap it still
-- sees then is for good. See docs/ARCHITECTURE-NOTES.md, "The outbox's order".
CREATE SEQUENCE events_id_seq;
CREATE TABLE events (
    id BIGINT PRIMARY KEY,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    provider_id BIGINT,
    customer_id BIGINT,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX events_created ON events (created_at);

CREATE SEQUENCE audit_log_id_seq;
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor_id BIGINT,
    actor_email TEXT,
    actor_role TEXT,
    action TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id BIGINT,
    ip TEXT,
    user_agent TEXT,
    request_id TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    hash TEXT
);
CREATE INDEX audit_action ON audit_log (action, id);
CREATE INDEX audit_actor ON audit_log (actor_id, id);
CREATE INDEX audit_target ON audit_log (target_type, target_id, id);

-- TG_ARGV: the sequence, and the advisory lock key of the table's readers.
CREATE FUNCTION appointd_outbox_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(TG_ARGV[1]::bigint);
    NEW.id := nextval(TG_ARGV[0]::regclass);
    IF TG_TABLE_NAME = 'events' THEN
        PERFORM pg_notify('appointd_events', '');
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER events_id BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION appointd_outbox_id('events_id_seq', '7363');
CREATE TRIGGER audit_log_id BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION appointd_outbox_id('audit_log_id_seq', '7364');

CREATE TABLE job_leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    until TIMESTAMPTZ NOT NULL
);

ALTER TABLE idempotency_keys ADD COLUMN owner TEXT;
ALTER TABLE idempotency_keys ADD COLUMN lease_until TIMESTAMPTZ;
CREATE INDEX idempotency_created ON idempotency_keys (created_at);
CREATE INDEX sessions_expires ON sessions (expires_at);
ALTER TABLE login_failures ADD COLUMN id BIGSERIAL;
CREATE INDEX login_failures_id ON login_failures (id);
