-- Signups per client address, for the signup rate limit (SIGNUP_MAX_PER_IP per
-- SIGNUP_WINDOW_SECONDS). Rows older than the window are pruned on insert.
CREATE TABLE signup_attempts (
    ip TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX signup_attempts_ip ON signup_attempts (ip, at);
CREATE INDEX signup_attempts_at ON signup_attempts (at);
