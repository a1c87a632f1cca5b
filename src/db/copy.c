/* appointd copy-to postgresql://…: the SQLite database, table by table, into
 * an empty PostgreSQL database migrated first, in one PostgreSQL transaction
 * (a copy that fails leaves the target as empty as it was). The source is
 * read in one read transaction: one consistent snapshot.
 *
 * Rows keep their ids, so references, the audit chain (whose hashes cover
 * ids and times) and the anchor in settings all mean what they meant. The
 * engines' types map as SQLite's migrations and PostgreSQL's say: Unix
 * seconds to timestamptz, 0/1 to boolean; the rest as is. The rows go by
 * COPY (one stream per table, not a round trip per row). */
#include "db/store.h"

#include <glib.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <string.h>

#include "core/banned.h"
#include "core/config.h"
#include "db/postgres/conninfo.h"

/* Each table in dependency order (a row's references are copied before it):
 * its columns as "name:kind" (i integer, t text, T time, b boolean;
 * "id=rowid" reads SQLite's rowid), and the PostgreSQL sequence its ids come
 * from (NULL: none). */
struct table {
    const char *name, *columns, *sequence;
};
static const struct table tables[] = {
    {"users", "id:i name:t email:t password_hash:t role:t is_active:b timezone:t created_at:T",
     "users_id_seq"},
    {"sessions", "id:t user_id:i refresh_hash:t created_at:T expires_at:T revoked_at:T", NULL},
    {"settings", "key:t value:t", NULL},
    {"availability", "provider_id:i day:i start_min:i end_min:i", NULL},
    {"time_off", "id:i provider_id:i start_at:T end_at:T reason:t", "time_off_id_seq"},
    {"services", "id:i provider_id:i name:t description:t duration_minutes:i "
                 "buffer_before_minutes:i buffer_after_minutes:i slot_interval_minutes:i "
                 "min_notice_minutes:i max_advance_days:i cancel_notice_minutes:i price_cents:i "
                 "active:b created_at:T", "services_id_seq"},
    {"bookings", "id:i service_id:i provider_id:i customer_id:i start_at:T end_at:T "
                 "buffer_before_min:i buffer_after_min:i occupied_start:T occupied_end:T status:t "
                 "notes:t cancel_reason:t created_at:T updated_at:T cancelled_at:T",
     "bookings_id_seq"},
    {"idempotency_keys", "user_id:i key:t request_hash:t status_code:i response_body:t "
                         "created_at:T owner:t lease_until:T", NULL},
    {"login_failures", "id=rowid:i email:t ip:t at:T", "login_failures_id_seq"},
    {"signup_attempts", "ip:t at:T", NULL},
    {"events", "id:i type:t data:t provider_id:i customer_id:i created_at:T freed_start:T freed_end:T",
     "events_id_seq"},
    {"audit_log", "id:i at:T actor_id:i actor_email:t actor_role:t action:t target_type:t "
                  "target_id:i ip:t user_agent:t request_id:t details:t hash:t",
     "audit_log_id_seq"},
    {"webhooks", "id:i user_id:i url:t events:i active:b reminder_minutes:i secret:t "
                 "old_secret:t old_secret_until:T failing_since:T created_at:T", "webhooks_id_seq"},
    {"webhook_deliveries", "id:i webhook_id:i event_id:i type:t status:t attempts:i "
                           "last_status_code:i last_error:t next_attempt_at:T delivered_at:T "
                           "claim_owner:t created_at:T finished_at:T", "webhook_deliveries_id_seq"},
    {"webhook_fanout", "id:i after_id:i", NULL},
    {"webhook_reminders", "webhook_id:i booking_id:i start_at:T event_id:i", NULL},
    {"waitlist_entries", "id:i service_id:i provider_id:i customer_id:i from_at:T to_at:T "
                         "auto_book:b status:t booking_id:i slot_start:T slot_end:T created_at:T "
                         "updated_at:T", "waitlist_entries_id_seq"},
    {"waitlist_place", "id:i event_id:i service_id:i slot_start:i done:b", NULL},
};
/* Not copied: the target's own migrations, leases that name processes of
 * the source (the copy's first server takes them anew), and event stream
 * tickets (they last 30 s). Still counted when the target is checked for
 * rows, as a sign it served already. */
static const char *const skipped[] = {"schema_migrations", "job_leases", "event_tickets"};

/* The outbox tables' triggers draw every id from the sequence, replacing the
 * one given: off for the copy, inside its transaction. */
static const char *const triggers_off =
    "ALTER TABLE events DISABLE TRIGGER events_id; "
    "ALTER TABLE audit_log DISABLE TRIGGER audit_log_id";
static const char *const triggers_on =
    "ALTER TABLE events ENABLE TRIGGER events_id; "
    "ALTER TABLE audit_log ENABLE TRIGGER audit_log_id";

struct copy {
    sqlite3 *src;
    PGconn *pg;
    char *err;
    size_t errlen;
    int64_t rows;
};

static bool fail(struct copy *c, const char *what, const char *detail)
{
    g_snprintf(c->err, c->errlen, "%s: %s", what, detail);
    g_strchomp(c->err);
    return false;
}

static bool pg_exec(struct copy *c, const char *sql)
{
    PGresult *res = PQexec(c->pg, sql);
    ExecStatusType st = PQresultStatus(res);
    bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
    if (!ok)
        fail(c, "postgresql", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

/* One value of sqlite column col in COPY's text format. */
static void put_value(GString *line, sqlite3_stmt *st, int col, char kind)
{
    if (sqlite3_column_type(st, col) == SQLITE_NULL) {
        g_string_append(line, "\\N");
        return;
    }
    int64_t v = sqlite3_column_int64(st, col);
    if (kind == 'i') {
        g_string_append_printf(line, "%" G_GINT64_FORMAT, v);
    } else if (kind == 'b') {
        g_string_append(line, v ? "t" : "f");
    } else if (kind == 'T') {
        GDateTime *t = g_date_time_new_from_unix_utc(v);
        gchar *s = t ? g_date_time_format(t, "%Y-%m-%d %H:%M:%S+00") : NULL;
        g_string_append(line, s ? s : "invalid-time"); /* PostgreSQL then refuses the row */
        g_free(s);
        if (t)
            g_date_time_unref(t);
    } else {
        for (const unsigned char *p = sqlite3_column_text(st, col); p && *p; p++) {
            if (*p == '\\' || *p == '\n' || *p == '\r' || *p == '\t')
                g_string_append_c(line, '\\');
            g_string_append_c(line, *p == '\n' ? 'n' : *p == '\r' ? 'r' : *p == '\t' ? 't' : (char)*p);
        }
    }
}

/* The SQLite select, the COPY statement and the kinds of table t. */
struct plan {
    GString *select, *copy, *kinds;
};

static void plan_make(const struct table *t, struct plan *p)
{
    p->select = g_string_new("SELECT ");
    p->copy = g_string_new(NULL);
    p->kinds = g_string_new(NULL);
    g_string_printf(p->copy, "COPY %s (", t->name);
    gchar **cols = g_strsplit(t->columns, " ", -1);
    for (int i = 0; cols[i]; i++) {
        char *kind = strchr(cols[i], ':'), *from = strchr(cols[i], '=');
        *kind = '\0';
        if (from)
            *from = '\0';
        g_string_append_printf(p->select, "%s%s", i ? ", " : "", from ? from + 1 : cols[i]);
        g_string_append_printf(p->copy, "%s%s", i ? ", " : "", cols[i]);
        g_string_append_c(p->kinds, kind[1]);
    }
    g_strfreev(cols);
    g_string_append_printf(p->select, " FROM %s ORDER BY rowid", t->name);
    g_string_append(p->copy, ") FROM STDIN");
}

static void plan_release(struct plan *p)
{
    g_string_free(p->select, TRUE);
    g_string_free(p->copy, TRUE);
    g_string_free(p->kinds, TRUE);
}

/* Streams the rows of src's select into the COPY in progress; *max_id gets
 * the largest first column (the id, for tables with a sequence). */
static bool stream_rows(struct copy *c, const struct plan *p, int64_t *max_id)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->src, p->select->str, -1, &st, NULL) != SQLITE_OK)
        return fail(c, "sqlite", sqlite3_errmsg(c->src));
    GString *line = g_string_new(NULL);
    int rc, n = (int)p->kinds->len;
    bool ok = true;
    while (ok && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        g_string_truncate(line, 0);
        for (int i = 0; i < n; i++) {
            if (i)
                g_string_append_c(line, '\t');
            put_value(line, st, i, p->kinds->str[i]);
        }
        g_string_append_c(line, '\n');
        *max_id = MAX(*max_id, sqlite3_column_int64(st, 0));
        ok = PQputCopyData(c->pg, line->str, (int)line->len) == 1;
        c->rows++;
    }
    if (ok && rc != SQLITE_DONE)
        ok = fail(c, "sqlite", sqlite3_errmsg(c->src));
    else if (!ok)
        fail(c, "postgresql", PQerrorMessage(c->pg));
    g_string_free(line, TRUE);
    sqlite3_finalize(st);
    return ok;
}

/* Ends the COPY in progress (aborting it unless ok) and reads its result. */
static bool end_copy(struct copy *c, bool ok)
{
    if (PQputCopyEnd(c->pg, ok ? NULL : "copy-to stopped") != 1)
        return ok && fail(c, "postgresql", PQerrorMessage(c->pg));
    PGresult *res;
    while ((res = PQgetResult(c->pg))) {
        if (ok && PQresultStatus(res) != PGRES_COMMAND_OK)
            ok = fail(c, "postgresql", PQresultErrorMessage(res));
        PQclear(res);
    }
    return ok;
}

/* The id the source would hand out next, less one: past its largest row,
 * and past ids it handed out once (AUTOINCREMENT remembers pruned ones). */
static int64_t source_top(struct copy *c, const char *table, int64_t max_id)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->src, "SELECT seq FROM sqlite_sequence WHERE name = ?1", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        max_id = MAX(max_id, sqlite3_column_int64(st, 0));
    sqlite3_finalize(st);
    return max_id;
}

static bool set_sequence(struct copy *c, const char *sequence, int64_t top)
{
    if (top <= 0)
        return true; /* a fresh sequence starts at 1 already */
    char value[24];
    g_snprintf(value, sizeof value, "%" G_GINT64_FORMAT, top);
    const char *params[] = {sequence, value};
    PGresult *res = PQexecParams(c->pg, "SELECT setval($1::regclass, $2::bigint)", 2, NULL,
                                 params, NULL, NULL, 0);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        fail(c, "postgresql", PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

static bool copy_table(struct copy *c, const struct table *t)
{
    struct plan p;
    plan_make(t, &p);
    int64_t max_id = 0;
    PGresult *res = PQexec(c->pg, p.copy->str);
    bool ok = PQresultStatus(res) == PGRES_COPY_IN;
    if (!ok)
        fail(c, "postgresql", PQresultErrorMessage(res));
    PQclear(res);
    if (ok)
        ok = end_copy(c, stream_rows(c, &p, &max_id));
    if (ok && t->sequence)
        ok = set_sequence(c, t->sequence, source_top(c, t->name, max_id));
    plan_release(&p);
    if (!ok) {
        gchar *what = g_strdup_printf("table %s: %s", t->name, c->err);
        g_strlcpy(c->err, what, c->errlen);
        g_free(what);
    }
    return ok;
}

/* The names of the columns of a spec, comma-separated, as pragma_table_info
 * lists them (a rowid read is no column). */
static gchar *spec_columns(const struct table *t)
{
    GString *out = g_string_new(NULL);
    gchar **cols = g_strsplit(t->columns, " ", -1);
    for (int i = 0; cols[i]; i++) {
        *strchr(cols[i], ':') = '\0';
        if (!strchr(cols[i], '='))
            g_string_append_printf(out, "%s%s", out->len ? "," : "", cols[i]);
    }
    g_strfreev(cols);
    return g_string_free(out, FALSE);
}

static bool known_table(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(tables); i++)
        if (strcmp(tables[i].name, name) == 0)
            return true;
    for (size_t i = 0; i < G_N_ELEMENTS(skipped); i++)
        if (strcmp(skipped[i], name) == 0)
            return true;
    return false;
}

/* Refuses a source with a table or column this file does not copy: a
 * migration added it, and copying without it would lose data quietly. */
static bool source_matches(struct copy *c)
{
    static const char sql[] =
        "SELECT m.name, (SELECT group_concat(name, ',') FROM "
        "  (SELECT name FROM pragma_table_info(m.name) ORDER BY cid)) "
        "FROM sqlite_schema m WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->src, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(c, "sqlite", sqlite3_errmsg(c->src));
    bool ok = true;
    while (ok && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *have = (const char *)sqlite3_column_text(st, 1);
        for (size_t i = 0; i < G_N_ELEMENTS(tables); i++) {
            if (strcmp(tables[i].name, name) != 0)
                continue;
            gchar *want = spec_columns(&tables[i]);
            if (strcmp(want, have ? have : "") != 0)
                g_snprintf(c->err, c->errlen, "copy-to does not know table %s as it is now "
                           "(columns %s; it copies %s): src/db/copy.c needs the new columns",
                           name, have, want);
            ok = strcmp(want, have ? have : "") == 0;
            g_free(want);
        }
        if (ok && !known_table(name))
            ok = fail(c, "copy-to does not know table", name);
    }
    sqlite3_finalize(st);
    return ok;
}

/* Refuses a target with rows in any table: only a new database, with
 * nothing in it but what the migrations make (schema_migrations' rows), is
 * safe to fill with ids of another. */
static bool target_empty(struct copy *c)
{
    GString *sql = g_string_new(NULL);
    for (size_t i = 0; i <= G_N_ELEMENTS(tables); i++) {
        const char *name = i < G_N_ELEMENTS(tables) ? tables[i].name : "job_leases";
        g_string_append_printf(sql, "%sSELECT '%s' WHERE EXISTS (SELECT 1 FROM %s)",
                               i ? " UNION ALL " : "", name, name);
    }
    PGresult *res = PQexec(c->pg, sql->str);
    g_string_free(sql, TRUE);
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK;
    if (!ok)
        fail(c, "postgresql", PQresultErrorMessage(res));
    if (ok && PQntuples(res) > 0) {
        GString *names = g_string_new(NULL);
        for (int i = 0; i < PQntuples(res); i++)
            g_string_append_printf(names, "%s%s", i ? ", " : "", PQgetvalue(res, i, 0));
        g_snprintf(c->err, c->errlen, "the target database is not empty (rows in %s): copy-to "
                   "fills only a new database, migrated or not", names->str);
        g_string_free(names, TRUE);
        ok = false;
    }
    PQclear(res);
    return ok;
}

/* Everything between BEGIN and COMMIT. */
static bool copy_all(struct copy *c)
{
    bool ok = source_matches(c) && pg_exec(c, "BEGIN") && target_empty(c) &&
              pg_exec(c, triggers_off);
    for (size_t i = 0; ok && i < G_N_ELEMENTS(tables); i++)
        ok = copy_table(c, &tables[i]);
    return ok && pg_exec(c, triggers_on) && pg_exec(c, "COMMIT");
}

/* The PostgreSQL migrations first, through the store, as `migrate` runs them. */
static bool migrate_target(const char *url, char *err, size_t errlen)
{
    struct store *s = store_open(url, err, errlen);
    bool ok = s && store_migrate(s) == APP_OK;
    if (s && !ok)
        g_strlcpy(err, "the migrations of the target failed (see the log above)", errlen);
    store_close(s);
    return ok;
}

static bool open_both(struct copy *c, const char *from_path, const char *to_url)
{
    int rc = sqlite3_open_v2(from_path, &c->src, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(c->src, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return fail(c, from_path, c->src ? sqlite3_errmsg(c->src) : "out of memory");
    /* No statement timeout: copying a big table takes as long as it takes. */
    char *conninfo = pg_conninfo_build(to_url, g_config.db_connect_timeout, 0, c->err, c->errlen);
    if (!conninfo)
        return false;
    c->pg = PQconnectdb(conninfo);
    g_free(conninfo);
    if (PQstatus(c->pg) != CONNECTION_OK)
        return fail(c, "postgresql", PQerrorMessage(c->pg));
    return PQsetClientEncoding(c->pg, "UTF8") == 0 || fail(c, "postgresql", PQerrorMessage(c->pg));
}

bool store_copy_to(const char *from_url, const char *to_url, int64_t *rows, char *err,
                   size_t errlen)
{
    struct copy c = {.err = err, .errlen = errlen};
    *rows = 0;
    if (!g_str_has_prefix(from_url, "sqlite:")) {
        g_strlcpy(err, "copy-to copies a SQLite database: DATABASE_URL must be sqlite:PATH", errlen);
        return false;
    }
    if (!g_str_has_prefix(to_url, "postgresql://") && !g_str_has_prefix(to_url, "postgres://")) {
        g_strlcpy(err, "copy-to needs a postgresql:// URL to copy into", errlen);
        return false;
    }
    bool ok = migrate_target(to_url, err, errlen) &&
              open_both(&c, from_url + strlen("sqlite:"), to_url) && copy_all(&c);
    PQfinish(c.pg); /* a transaction still open rolls back */
    sqlite3_close(c.src);
    *rows = ok ? c.rows : 0;
    return ok;
}
