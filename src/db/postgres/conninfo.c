#include "db/postgres/conninfo.h"

#include <glib.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <string.h>

#include "core/banned.h"

/* Keep-alive probes find a peer that vanished (power, network) while the
 * connection sat idle in a worker, in at most 10 + 3 × 5 s; tcp_user_timeout
 * drops one whose sent data goes unacknowledged for 10 s. Neither sees a
 * server that is alive but stopped (its kernel still answers): the driver's
 * own wait for each result does. */
static const char *const tcp_defaults[][2] = {
    {"keepalives", "1"},         {"keepalives_idle", "10"}, {"keepalives_interval", "5"},
    {"keepalives_count", "3"},   {"tcp_user_timeout", "10000"},
};

static void append(GString *out, const char *key, const char *value)
{
    if (out->len)
        g_string_append_c(out, ' ');
    g_string_append_printf(out, "%s='", key);
    for (const char *c = value; *c; c++) {
        if (*c == '\'' || *c == '\\')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *c);
    }
    g_string_append_c(out, '\'');
}

/* The value url gives key, or NULL. */
static const char *given(const PQconninfoOption *opts, const char *key)
{
    for (const PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, key) == 0)
            return o->val;
    return NULL;
}

static bool set_by_user(const PQconninfoOption *opts, const char *key, const char *env)
{
    const char *e = env ? g_getenv(env) : NULL;
    return given(opts, key) || (e && *e);
}

static void append_options(GString *out, const PQconninfoOption *opts, int statement_ms)
{
    const char *base = given(opts, "options");
    if (!base)
        base = g_getenv("PGOPTIONS");
    if (statement_ms <= 0 || (base && strstr(base, "statement_timeout"))) {
        if (given(opts, "options"))
            append(out, "options", base);
        return;
    }
    gchar *merged = g_strdup_printf("%s%s-c statement_timeout=%d", base ? base : "",
                                    base && *base ? " " : "", statement_ms);
    append(out, "options", merged);
    g_free(merged);
}

char *pg_conninfo_build(const char *url, int connect_s, int statement_ms, char *err, size_t errlen)
{
    char *msg = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &msg);
    if (!opts) {
        g_strlcpy(err, msg ? msg : "DATABASE_URL does not parse", errlen);
        g_strchomp(err);
        PQfreemem(msg);
        return NULL;
    }
    GString *out = g_string_new(NULL);
    for (const PQconninfoOption *o = opts; o->keyword; o++)
        if (o->val && strcmp(o->keyword, "options") != 0)
            append(out, o->keyword, o->val);
    if (connect_s > 0 && !set_by_user(opts, "connect_timeout", "PGCONNECT_TIMEOUT")) {
        char v[16];
        g_snprintf(v, sizeof v, "%d", connect_s);
        append(out, "connect_timeout", v);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(tcp_defaults); i++)
        if (!set_by_user(opts, tcp_defaults[i][0], NULL))
            append(out, tcp_defaults[i][0], tcp_defaults[i][1]);
    append_options(out, opts, statement_ms);
    PQconninfoFree(opts);
    return g_string_free(out, FALSE);
}

/* Adds "flag 'value'" to cmd when opts give key a value. */
static void add_flag(GString *cmd, const PQconninfoOption *opts, const char *key, const char *flag)
{
    const char *v = given(opts, key);
    if (!v || !*v)
        return;
    gchar *q = g_shell_quote(v);
    g_string_append_printf(cmd, " %s %s", flag, q);
    g_free(q);
}

char *pg_dump_command(const char *url, const char *file)
{
    PQconninfoOption *opts = PQconninfoParse(url, NULL);
    if (!opts)
        return NULL;
    GString *cmd = g_string_new("pg_dump --format=custom");
    add_flag(cmd, opts, "host", "--host");
    add_flag(cmd, opts, "port", "--port");
    add_flag(cmd, opts, "user", "--username");
    add_flag(cmd, opts, "dbname", "--dbname");
    gchar *q = g_shell_quote(file);
    g_string_append_printf(cmd, " --file %s", q);
    g_free(q);
    PQconninfoFree(opts);
    return g_string_free(cmd, FALSE);
}
