-- The waitlist (API.md, "Intelligent scheduling"). provider_id is the
-- service's, kept so a freed span of a provider finds its entries by index.
-- slot_start/slot_end: the slot a notified or booked entry was served with.
-- AUTOINCREMENT: a deleted entry's id is never handed out again (its audit
-- entries keep naming it alone), as PostgreSQL's sequence does.
CREATE TABLE waitlist_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service_id INTEGER NOT NULL REFERENCES services (id),
    provider_id INTEGER NOT NULL REFERENCES users (id),
    customer_id INTEGER NOT NULL REFERENCES users (id),
    from_at INTEGER NOT NULL,
    to_at INTEGER NOT NULL,
    auto_book INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('active', 'notified', 'booked', 'expired')),
    booking_id INTEGER,
    slot_start INTEGER,
    slot_end INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
-- "the oldest active entry of service S holding [s, e)", and "which services
-- of provider P have active entries near a span".
CREATE INDEX waitlist_active_service ON waitlist_entries (service_id, id) WHERE status = 'active';
CREATE INDEX waitlist_active_provider ON waitlist_entries (provider_id, to_at) WHERE status = 'active';
-- The expiry step's "active entries whose to has passed".
CREATE INDEX waitlist_active_to ON waitlist_entries (to_at) WHERE status = 'active';
-- "how many active entries has customer C" (and their own list).
CREATE INDEX waitlist_customer ON waitlist_entries (customer_id, status, to_at);

-- The occupied span a change freed (a cancellation, a reschedule's old span,
-- slots.freed): what the waitlist job serves. NULL: the change freed nothing.
ALTER TABLE events ADD COLUMN freed_start INTEGER;
ALTER TABLE events ADD COLUMN freed_end INTEGER;

-- The waitlist job's place in the outbox: the event it is at, and within it
-- the service and slot start it served last (done: the event is finished).
-- Moved by compare-and-set in the unit of work of each serve. No row: the
-- job's first turn writes one at the newest event (history is not served).
CREATE TABLE waitlist_place (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    event_id INTEGER NOT NULL,
    service_id INTEGER NOT NULL,
    slot_start INTEGER NOT NULL,
    done INTEGER NOT NULL
);
