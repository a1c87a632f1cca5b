-- The event outbox: each row is written by the transaction of the change it
-- reports. Ids come from a sequence, so they can commit out of order (7
-- visible before 6). The trigger below stamps each row with hw, the xmax of a
-- snapshot taken after its id was drawn: once every transaction below hw has
-- ended, no id below this row's can still appear, and a reader may pass a gap
-- before it. See docs/ARCHITECTURE-NOTES.md, "The outbox's order".
CREATE SEQUENCE events_id_seq;
CREATE TABLE events (
    id BIGINT PRIMARY KEY,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    provider_id BIGINT,
    customer_id BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    hw xid8 NOT NULL
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
    hash TEXT,
    hw xid8 NOT NULL
);
CREATE INDEX audit_action ON audit_log (action, id);
CREATE INDEX audit_actor ON audit_log (actor_id, id);
CREATE INDEX audit_target ON audit_log (target_type, target_id, id);
CREATE INDEX audit_at ON audit_log (at);

-- The order matters: an xid first (so this transaction is in every later
-- snapshot's list until it ends), then the id, then the snapshot. SELECT INTO
-- runs through SPI, which takes a new snapshot for it.
CREATE FUNCTION appointd_outbox_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_current_xact_id();
    NEW.id := nextval(TG_ARGV[0]::regclass);
    SELECT pg_snapshot_xmax(pg_current_snapshot()) INTO NEW.hw;
    IF TG_TABLE_NAME = 'events' THEN
        PERFORM pg_notify('appointd_events', '');
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER events_stamp BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION appointd_outbox_stamp('events_id_seq');
CREATE TRIGGER audit_log_stamp BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION appointd_outbox_stamp('audit_log_id_seq');

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
