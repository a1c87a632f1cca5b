-- Failed logins, counted per email and client address for rate limiting.
CREATE TABLE login_failures (
    email TEXT NOT NULL,
    ip TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);
CREATE INDEX login_failures_at ON login_failures (at);
