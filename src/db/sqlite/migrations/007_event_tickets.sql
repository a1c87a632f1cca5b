-- Tickets for the event stream (GET /api/v1/events?ticket=): single use,
-- 30 s, for the session that asked. Only the ticket's SHA-256 is kept.
CREATE TABLE event_tickets (
    hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    session_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX event_tickets_expires ON event_tickets (expires_at);

-- The highest event id retention has deleted: a stream resuming from an id
-- below it has missed events and is sent `event: reset` first.
CREATE TRIGGER events_pruned AFTER DELETE ON events
BEGIN
    INSERT INTO settings (key, value) VALUES ('events_pruned_through', OLD.id)
        ON CONFLICT (key) DO UPDATE SET value = max(CAST(value AS INTEGER), OLD.id);
END;
