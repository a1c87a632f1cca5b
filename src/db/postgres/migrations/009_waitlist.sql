-- The waitlist (API.md, "Intelligent scheduling"). provider_id is the
-- service's, kept so a freed span of a provider finds its entries by index.
-- slot_start/slot_end: the slot a notified or booked entry was served with.
CREATE TABLE waitlist_entries (
    id BIGSERIAL PRIMARY KEY,
    service_id BIGINT NOT NULL REFERENCES services (id),
    provider_id BIGINT NOT NULL REFERENCES users (id),
    customer_id BIGINT NOT NULL REFERENCES users (id),
    from_at TIMESTAMPTZ NOT NULL,
    to_at TIMESTAMPTZ NOT NULL,
    auto_book BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL CHECK (status IN ('active', 'notified', 'booked', 'expired')),
    booking_id BIGINT,
    slot_start TIMESTAMPTZ,
    slot_end TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
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
ALTER TABLE events ADD COLUMN freed_start TIMESTAMPTZ;
ALTER TABLE events ADD COLUMN freed_end TIMESTAMPTZ;

-- The waitlist job's place in the outbox: the event it is at, and within it
-- the service and slot start it served last (done: the event is finished).
-- Moved by compare-and-set in the unit of work of each serve. No row: the
-- job's first turn writes one at the newest event (history is not served).
CREATE TABLE waitlist_place (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    event_id BIGINT NOT NULL,
    service_id BIGINT NOT NULL,
    slot_start BIGINT NOT NULL,
    done BOOLEAN NOT NULL
);
