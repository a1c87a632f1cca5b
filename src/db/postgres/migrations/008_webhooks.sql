-- Webhooks (API.md, "Webhooks"). events is a bit mask in the contract's
-- order (models/webhook.h). A rotation keeps the old secret until
-- old_secret_until; failing_since is the first failed attempt since the
-- last success (5 days of that disable the webhook).
CREATE TABLE webhooks (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    url TEXT NOT NULL,
    events INTEGER NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    reminder_minutes INTEGER NOT NULL,
    secret TEXT NOT NULL,
    old_secret TEXT,
    old_secret_until TIMESTAMPTZ,
    failing_since TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhooks_user ON webhooks (user_id, id);

-- One row per webhook and event. A claim moves next_attempt_at a lease
-- ahead and names its owner; only that owner, at that attempt, records the
-- result (docs/ARCHITECTURE-NOTES.md, "Webhooks").
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id BIGINT NOT NULL,
    type TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error TEXT,
    next_attempt_at TIMESTAMPTZ,
    delivered_at TIMESTAMPTZ,
    claim_owner TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at) WHERE status <> 'pending';

-- The fan-out's place in the event outbox, moved in the unit of work that
-- writes the deliveries of the events it passed. No row: it starts at the
-- beginning (an event older than a webhook is not the webhook's).
CREATE TABLE webhook_fanout (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    after_id BIGINT NOT NULL
);

-- booking.reminder: one per webhook, booking and start.
CREATE TABLE webhook_reminders (
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    booking_id BIGINT NOT NULL,
    start_at TIMESTAMPTZ NOT NULL,
    event_id BIGINT NOT NULL,
    PRIMARY KEY (webhook_id, booking_id, start_at)
);
