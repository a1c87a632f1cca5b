CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE availability (
    provider_id BIGINT NOT NULL REFERENCES users (id),
    day INTEGER NOT NULL CHECK (day BETWEEN 0 AND 6),
    start_min INTEGER NOT NULL,
    end_min INTEGER NOT NULL,
    CHECK (start_min >= 0 AND start_min < end_min AND end_min <= 1440)
);
CREATE INDEX availability_provider ON availability (provider_id, day, start_min);

CREATE TABLE time_off (
    id BIGSERIAL PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES users (id),
    start_at TIMESTAMPTZ NOT NULL,
    end_at TIMESTAMPTZ NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    CHECK (start_at < end_at)
);
CREATE INDEX time_off_provider ON time_off (provider_id, end_at);

CREATE TABLE services (
    id BIGSERIAL PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    duration_minutes INTEGER NOT NULL,
    buffer_before_minutes INTEGER NOT NULL,
    buffer_after_minutes INTEGER NOT NULL,
    slot_interval_minutes INTEGER NOT NULL,
    min_notice_minutes INTEGER NOT NULL,
    max_advance_days INTEGER NOT NULL,
    cancel_notice_minutes INTEGER NOT NULL,
    price_cents BIGINT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX services_provider ON services (provider_id, id);

-- A booking keeps its own end and buffers: later service edits never move it.
-- occupied_* is [start - buffer_before, end + buffer_after); the exclusion
-- constraint is what makes double booking impossible, whatever the callers do.
CREATE TABLE bookings (
    id BIGSERIAL PRIMARY KEY,
    service_id BIGINT NOT NULL REFERENCES services (id),
    provider_id BIGINT NOT NULL REFERENCES users (id),
    customer_id BIGINT NOT NULL REFERENCES users (id),
    start_at TIMESTAMPTZ NOT NULL,
    end_at TIMESTAMPTZ NOT NULL,
    buffer_before_min INTEGER NOT NULL,
    buffer_after_min INTEGER NOT NULL,
    occupied_start TIMESTAMPTZ NOT NULL,
    occupied_end TIMESTAMPTZ NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled', 'completed')),
    notes TEXT NOT NULL DEFAULT '',
    cancel_reason TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    cancelled_at TIMESTAMPTZ,
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (
        provider_id WITH =,
        tstzrange(occupied_start, occupied_end) WITH &&
    ) WHERE (status = 'confirmed')
);
CREATE INDEX bookings_customer ON bookings (customer_id, start_at, id);
CREATE INDEX bookings_start ON bookings (start_at, id);

CREATE TABLE idempotency_keys (
    user_id BIGINT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER,
    response_body TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, key)
);
