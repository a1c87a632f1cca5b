-- Tickets for the event stream (GET /api/v1/events?ticket=): single use,
-- 30 s, for the session that asked. Only the ticket's SHA-256 is kept.
CREATE TABLE event_tickets (
    hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    session_id TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX event_tickets_expires ON event_tickets (expires_at);

-- The highest event id retention has deleted: a stream resuming from an id
-- below it has missed events and is sent `event: reset` first.
CREATE FUNCTION appointd_events_pruned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO settings (key, value)
        SELECT 'events_pruned_through', max(id)::text FROM gone HAVING max(id) IS NOT NULL
        ON CONFLICT (key) DO UPDATE
            SET value = greatest(settings.value::bigint, excluded.value::bigint)::text;
    RETURN NULL;
END
$$;
CREATE TRIGGER events_pruned AFTER DELETE ON events
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION appointd_events_pruned();
