#include "core/config.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"

struct config g_config;

enum opt_type { OPT_INT, OPT_STR };

struct opt {
    const char *env;
    enum opt_type type;
    size_t offset;
    size_t size;
    const char *def; /* NULL: computed (threads, workers) */
    long min, max;
    const char *doc;
    bool from_file; /* X_FILE may name a file holding the value */
};

#define INT_OPT(env, field, def, min, max, doc) \
    {env, OPT_INT, offsetof(struct config, field), 0, def, min, max, doc, false}
#define STR_OPT(env, field, def, doc) \
    {env, OPT_STR, offsetof(struct config, field), sizeof(((struct config *)0)->field), def, 0, 0, doc, false}
#define SECRET_OPT(env, field, def, doc) \
    {env, OPT_STR, offsetof(struct config, field), sizeof(((struct config *)0)->field), def, 0, 0, doc, true}

static const struct opt opts[] = {
    STR_OPT("APPOINTD_HOST", host, "127.0.0.1", "address to listen on"),
    INT_OPT("APPOINTD_PORT", port, "8000", 1, 65535, "TCP port"),
    SECRET_OPT("DATABASE_URL", database_url, "sqlite:appointd.db",
               "`sqlite:PATH` or `postgresql://user:pass@host:port/db`"),
    INT_OPT("APPOINTD_DB_WAIT_SECONDS", db_wait_seconds, "30", 0, 86400,
            "seconds `serve` and `migrate` keep trying to reach the database at start, with back-off, before exiting 1 with its error"),
    INT_OPT("DB_CONNECT_TIMEOUT", db_connect_timeout, "5", 0, 3600,
            "seconds a PostgreSQL connection may take to open (libpq `connect_timeout`, at least 2; 0: no limit), unless `DATABASE_URL` sets it"),
    INT_OPT("DB_STATEMENT_TIMEOUT", db_statement_timeout, "5000", 0, 3600000,
            "milliseconds a PostgreSQL statement may run (`statement_timeout`, unless `DATABASE_URL`'s `options` set it; 0: no limit); a server silent 1 s longer has its connection dropped (503)"),
    INT_OPT("APPOINTD_READY_TIMEOUT_MS", ready_timeout_ms, "2000", 100, 60000,
            "milliseconds `/health/ready` waits for the database before answering 503"),
    SECRET_OPT("JWT_SECRET", jwt_secret, "",
            "HS256 key, at least 32 bytes; unset: a random one kept in the database"),
    INT_OPT("ACCESS_TOKEN_EXPIRE_MINUTES", access_token_expire_minutes, "15", 1, 1440,
            "access token lifetime"),
    INT_OPT("REFRESH_TOKEN_EXPIRE_DAYS", refresh_token_expire_days, "30", 1, 365,
            "refresh token lifetime"),
    INT_OPT("BCRYPT_COST", bcrypt_cost, "12", 4, 31, "bcrypt work factor"),
    INT_OPT("APPOINTD_THREADS", threads, NULL, 1, 256, "I/O threads (default: CPU cores)"),
    INT_OPT("APPOINTD_WORKERS", workers, NULL, 1, 1024,
            "worker threads for the database routes, one connection each "
            "(default: 4 × cores, at least 8)"),
    INT_OPT("APPOINTD_BCRYPT_THREADS", bcrypt_threads, NULL, 1, 256,
            "worker threads for the bcrypt routes (signup, login, token, password change), "
            "one connection each (default: CPU cores)"),
    INT_OPT("APPOINTD_BCRYPT_QUEUE", bcrypt_queue, "64", 0, 100000,
            "bcrypt requests waiting for a bcrypt thread, at most (more is a 503 with Retry-After)"),
    STR_OPT("APPOINTD_LOG_LEVEL", log_level, "info", "`debug`, `info`, `warn` or `error`"),
    STR_OPT("APPOINTD_LOG_FORMAT", log_format, "text",
            "`text` (one line an event) or `json` (one JSON object a line)"),
    INT_OPT("APPOINTD_REQUEST_TIMEOUT", request_timeout, "30", 1, 3600,
            "seconds a connection has to deliver each whole request (headers and body) from the moment it is ready for one; idle keep-alive connections close after it too"),
    INT_OPT("APPOINTD_MAX_CONNECTIONS", max_connections, "10000", 1, 1000000,
            "connections at once"),
    INT_OPT("APPOINTD_PER_IP_CONNECTIONS", per_ip_connections, "2000", 0, 1000000,
            "connections at once from one client address (0: no limit)"),
    INT_OPT("APPOINTD_MAX_HEADER_BYTES", max_header_bytes, "16384", 1024, 1048576,
            "bytes of request line and headers (more is a 431)"),
    INT_OPT("APPOINTD_MAX_BODY_MEMORY", max_body_memory, "67108864", 65536, 1073741824,
            "bytes of request bodies held at once, all connections together (more is a 503 with Retry-After)"),
    INT_OPT("APPOINTD_SHUTDOWN_TIMEOUT", shutdown_timeout, "25", 1, 3600,
            "seconds SIGTERM waits for requests in flight before exiting without them"),
    INT_OPT("LOGIN_WINDOW_SECONDS", login_window_seconds, "900", 1, 86400,
            "window in which failed logins are counted"),
    INT_OPT("LOGIN_MAX_FAILURES_EMAIL_IP", login_max_failures_email_ip, "10", 1, 1000000,
            "failed logins of one email from one address before 429"),
    INT_OPT("LOGIN_MAX_FAILURES_EMAIL", login_max_failures_email, "100", 1, 1000000,
            "failed logins of one email from all addresses before 429"),
    INT_OPT("LOGIN_MAX_FAILURES_IP", login_max_failures_ip, "100", 1, 1000000,
            "failed logins from one address before 429"),
    INT_OPT("IDEMPOTENCY_LEASE_SECONDS", idempotency_lease_seconds, "10", 1, 3600,
            "seconds an `Idempotency-Key` claim holds before a retry may take over the claim of a request that died"),
    INT_OPT("EVENT_RETENTION_HOURS", event_retention_hours, "72", 1, 87600,
            "hours events are kept in the outbox"),
    INT_OPT("AUDIT_RETENTION_DAYS", audit_retention_days, "400", 1, 36500,
            "days audit entries are kept (pruning keeps the rest of the chain verifiable)"),
    INT_OPT("RETENTION_INTERVAL_SECONDS", retention_interval_seconds, "60", 1, 86400,
            "seconds between two runs of the retention job"),
    INT_OPT("APPOINTD_JOBS", jobs, "1", 0, 1,
            "1: this process takes part in the background jobs (sealer, retention); 0: it serves only"),
    STR_OPT("TRUSTED_PROXIES", trusted_proxies, "",
            "comma-separated addresses or CIDR blocks of reverse proxies whose `X-Forwarded-For` "
            "names the client (its right-most address not itself trusted)"),
    STR_OPT("CORS_ORIGINS", cors_origins, "",
            "comma-separated origins (`https://app.example.com`) whose browsers may call the API; "
            "matched exactly"),
    INT_OPT("SIGNUP_WINDOW_SECONDS", signup_window_seconds, "3600", 1, 86400,
            "window in which signups are counted per client address"),
    INT_OPT("SIGNUP_MAX_PER_IP", signup_max_per_ip, "100", 1, 1000000,
            "signups (successful or not) from one address within the window before 429"),
    INT_OPT("WEBHOOK_ALLOW_PRIVATE", webhook_allow_private, "0", 0, 1,
            "1: webhooks may be sent to loopback, private and other non-public addresses (a receiver on the same machine or network); 0: such URLs are a 422 and such deliveries fail"),
    STR_OPT("WEBHOOK_RETRY_SCHEDULE", webhook_retry_schedule, "5,300,1800,7200,18000,36000,36000",
            "comma-separated seconds between a failed webhook attempt and the next (at most 16); after the last the delivery is `failed`"),
    INT_OPT("WEBHOOK_TIMEOUT_SECONDS", webhook_timeout_seconds, "15", 1, 15,
            "seconds a webhook receiver has to answer an attempt with a 2xx (connecting included)"),
    INT_OPT("WEBHOOK_MAX_IN_FLIGHT", webhook_max_in_flight, "512", 1, 10000,
            "webhook attempts one process has in flight at once"),
    INT_OPT("WEBHOOK_MINUTE_SECONDS", webhook_minute_seconds, "60", 1, 60,
            "seconds one minute of a webhook's `reminder_minutes` lasts (60; tests shorten it)"),
    INT_OPT("WEBHOOK_DELIVERY_RETENTION_DAYS", webhook_delivery_retention_days, "30", 1, 36500,
            "days finished webhook deliveries (delivered or failed) are kept for the deliveries page"),
    INT_OPT("EVENT_PING_SECONDS", event_ping_seconds, "15", 1, 3600,
            "seconds between two `: ping` comments on an event stream"),
    INT_OPT("EVENT_SESSION_CHECK_SECONDS", event_session_check_seconds, "5", 1, 10,
            "seconds between two checks that each event stream's session and user are still live "
            "(a logout or deactivation ends its streams within this and a second)"),
    INT_OPT("EVENT_STREAM_MAX_PENDING", event_stream_max_pending, "262144", 4096, 67108864,
            "bytes an event stream may have waiting for a slow reader; past it the stream is closed "
            "and its client resumes with `Last-Event-ID`"),
};

static long default_int(const struct opt *o)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    if (o->offset == offsetof(struct config, threads) ||
        o->offset == offsetof(struct config, bcrypt_threads))
        return cores;
    return cores * 4 < 8 ? 8 : cores * 4;
}

static const char *env_set(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* The container-secrets convention: X_FILE names a file holding X's value.
 * Returns the file's text without its trailing newline (g_free it), or NULL
 * with err when X is set too or the file cannot be read or is empty. */
static char *read_value_file(const char *env, const char *path, char *err, size_t errlen)
{
    GError *gerr = NULL;
    char *text = NULL;
    size_t len = 0;
    if (env_set(env)) {
        snprintf(err, errlen, "%s and %s_FILE are both set; set one of them", env, env);
    } else if (!g_file_get_contents(path, &text, &len, &gerr)) {
        snprintf(err, errlen, "%s_FILE: %s", env, gerr->message);
        g_error_free(gerr);
    } else {
        if (len && text[len - 1] == '\n')
            text[--len] = '\0';
        if (len && text[len - 1] == '\r')
            text[--len] = '\0';
        if (!len || strlen(text) != len) {
            snprintf(err, errlen, "%s_FILE: %s is empty or holds a NUL byte", env, path);
            g_free(text);
            text = NULL;
        }
    }
    return text;
}

static bool load_str(struct config *cfg, const struct opt *o, char *err, size_t errlen)
{
    char file_env[64], *from_file = NULL;
    g_snprintf(file_env, sizeof file_env, "%s_FILE", o->env);
    const char *path = o->from_file ? env_set(file_env) : NULL;
    if (path && !(from_file = read_value_file(o->env, path, err, errlen)))
        return false;
    const char *v = from_file ? from_file : env_set(o->env);
    bool ok = g_strlcpy((char *)cfg + o->offset, v ? v : o->def, o->size) < o->size;
    if (!ok)
        snprintf(err, errlen, "%s is too long", from_file ? file_env : o->env);
    g_free(from_file);
    return ok;
}

static bool load_one(struct config *cfg, const struct opt *o, char *err, size_t errlen)
{
    const char *v = env_set(o->env);
    char *field = (char *)cfg + o->offset;
    if (o->type == OPT_STR)
        return load_str(cfg, o, err, errlen);
    long n;
    if (!v && !o->def) {
        n = default_int(o);
    } else {
        char *end;
        errno = 0;
        n = strtol(v ? v : o->def, &end, 10);
        if (errno || *end != '\0' || end == (v ? v : o->def)) {
            snprintf(err, errlen, "%s must be a whole number", o->env);
            return false;
        }
    }
    if (n < o->min || n > o->max) {
        snprintf(err, errlen, "%s must be between %ld and %ld", o->env, o->min, o->max);
        return false;
    }
    *(int *)field = (int)n;
    return true;
}

/* "5,300,1800": each a whole number of seconds, 1 to 7 days. */
static bool parse_retry_schedule(struct config *cfg, char *err, size_t errlen)
{
    const char *p = cfg->webhook_retry_schedule;
    cfg->webhook_retries = 0;
    while (*p) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        if (errno || end == p || v < 1 || v > 604800 || cfg->webhook_retries == WEBHOOK_RETRY_MAX ||
            (*end && *end != ',') || (*end == ',' && !end[1])) {
            snprintf(err, errlen, "WEBHOOK_RETRY_SCHEDULE must be up to %d comma-separated "
                     "seconds, each 1 to 604800", WEBHOOK_RETRY_MAX);
            return false;
        }
        cfg->webhook_retry[cfg->webhook_retries++] = (int)v;
        p = *end ? end + 1 : end;
    }
    return true;
}

bool config_load(struct config *cfg, char *err, size_t errlen)
{
    for (size_t i = 0; i < G_N_ELEMENTS(opts); i++)
        if (!load_one(cfg, &opts[i], err, errlen))
            return false;
    if (cfg->jwt_secret[0] && strlen(cfg->jwt_secret) < 32) {
        snprintf(err, errlen, "JWT_SECRET must be at least 32 bytes");
        return false;
    }
    if (strcmp(cfg->log_format, "text") != 0 && strcmp(cfg->log_format, "json") != 0) {
        snprintf(err, errlen, "APPOINTD_LOG_FORMAT must be text or json");
        return false;
    }
    return parse_retry_schedule(cfg, err, errlen);
}

void config_print_table(void)
{
    printf("| variable | default | range | meaning |\n|---|---|---|---|\n");
    for (size_t i = 0; i < G_N_ELEMENTS(opts); i++) {
        const struct opt *o = &opts[i];
        char range[64] = "";
        if (o->type == OPT_INT)
            snprintf(range, sizeof range, "%ld–%ld", o->min, o->max);
        printf("| `%s` | %s%s%s | %s | %s |\n", o->env, o->def ? "`" : "",
               o->def ? (*o->def ? o->def : "(unset)") : "computed", o->def ? "`" : "", range,
               o->doc);
        if (o->from_file)
            printf("| `%s_FILE` | `(unset)` |  | a file holding `%s` (container secrets; one trailing "
                   "newline is stripped); not with `%s` itself |\n",
                   o->env, o->env, o->env);
    }
}
