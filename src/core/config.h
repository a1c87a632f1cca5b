/* Configuration from the environment, described by one table in config.c
 * (name, type, default, bounds, doc). Loaded once at start-up into g_config,
 * which is read-only afterwards. */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

/* The most retries WEBHOOK_RETRY_SCHEDULE may list. */
#define WEBHOOK_RETRY_MAX 16

struct config {
    char host[64];
    int port;
    char database_url[1024];
    int db_wait_seconds;
    int db_connect_timeout;   /* s */
    int db_statement_timeout; /* ms */
    int ready_timeout_ms;
    char jwt_secret[512];
    int access_token_expire_minutes;
    int refresh_token_expire_days;
    int bcrypt_cost;
    int threads;
    int workers;
    int bcrypt_threads;
    int bcrypt_queue;
    char log_level[8];
    char log_format[8];
    int request_timeout;
    int max_connections;
    int per_ip_connections;
    int max_header_bytes;
    int shutdown_timeout;
    int max_body_memory;
    int login_window_seconds;
    int login_max_failures_email_ip;
    int login_max_failures_email;
    int login_max_failures_ip;
    int idempotency_lease_seconds;
    int event_retention_hours;
    int audit_retention_days;
    int retention_interval_seconds;
    int jobs;
    char trusted_proxies[2048];
    char cors_origins[2048];
    int signup_window_seconds;
    int signup_max_per_ip;
    int webhook_allow_private;
    char webhook_retry_schedule[256];
    int webhook_retry[WEBHOOK_RETRY_MAX]; /* parsed from webhook_retry_schedule */
    int webhook_retries;
    int webhook_timeout_seconds;
    int webhook_max_in_flight;
    int webhook_minute_seconds;
    int webhook_delivery_retention_days;
    int event_ping_seconds;
    int event_session_check_seconds;
    int event_stream_max_pending;
};

extern struct config g_config;

/* Fills cfg from the environment. A secret (DATABASE_URL, JWT_SECRET) may
 * come from the file its X_FILE names instead (the trailing newline
 * stripped). Returns false and writes a message to err when a variable is
 * out of bounds or malformed, when both X and X_FILE are set, or when the
 * file cannot be read. */
bool config_load(struct config *cfg, char *err, size_t errlen);

/* Writes the configuration table as Markdown rows to stdout (for the README). */
void config_print_table(void);
#endif
