/* Unit tests of src/db/postgres/conninfo.c: the time-outs appointd adds to
 * DATABASE_URL, and that whatever the URL (or libpq's environment) sets
 * wins. Results are read back with libpq's own parser. */
#include <criterion/criterion.h>
#include <glib.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "db/postgres/conninfo.h"

static PQconninfoOption *opts;
static char *text;

static void build(const char *url, int connect_s, int statement_ms)
{
    char err[256] = "";
    char *msg = NULL;
    text = pg_conninfo_build(url, connect_s, statement_ms, err, sizeof err);
    cr_assert_not_null(text, "pg_conninfo_build(%s): %s", url, err);
    opts = PQconninfoParse(text, &msg);
    cr_assert_not_null(opts, "result does not parse: %s (%s)", text, msg ? msg : "");
}

static void done(void)
{
    PQconninfoFree(opts);
    g_free(text);
    opts = NULL;
    text = NULL;
    unsetenv("PGCONNECT_TIMEOUT");
    unsetenv("PGOPTIONS");
}

TestSuite(conninfo, .fini = done);

static const char *val(const char *key)
{
    for (PQconninfoOption *o = opts; o->keyword; o++)
        if (strcmp(o->keyword, key) == 0)
            return o->val;
    cr_assert_fail("no keyword %s", key);
    return NULL;
}

static void expect(const char *key, const char *want)
{
    const char *got = val(key);
    if (!want)
        cr_assert_null(got, "%s = %s, want unset (in %s)", key, got, text);
    else
        cr_assert(got && strcmp(got, want) == 0, "%s = %s, want %s (in %s)", key, got ? got : "(unset)",
                  want, text);
}

Test(conninfo, defaults_are_added_and_the_url_kept)
{
    build("postgresql://app:secret@db.example.com:6543/appointd?application_name=x", 5, 5000);
    expect("host", "db.example.com");
    expect("port", "6543");
    expect("user", "app");
    expect("password", "secret");
    expect("dbname", "appointd");
    expect("application_name", "x");
    expect("connect_timeout", "5");
    expect("keepalives", "1");
    expect("keepalives_idle", "10");
    expect("keepalives_interval", "5");
    expect("keepalives_count", "3");
    expect("tcp_user_timeout", "10000");
    expect("options", "-c statement_timeout=5000");
}

Test(conninfo, what_the_url_sets_wins)
{
    build("postgresql://h/d?connect_timeout=17&keepalives=0&keepalives_idle=99&tcp_user_timeout=1", 5, 5000);
    expect("connect_timeout", "17");
    expect("keepalives", "0");
    expect("keepalives_idle", "99");
    expect("keepalives_interval", "5");
    expect("tcp_user_timeout", "1");
}

Test(conninfo, options_are_merged_not_replaced)
{
    build("postgresql://h/d?options=-c%20search_path%3Dapp", 5, 2500);
    expect("options", "-c search_path=app -c statement_timeout=2500");
}

Test(conninfo, a_statement_timeout_of_the_url_wins)
{
    build("postgresql://h/d?options=-c%20statement_timeout%3D60000", 5, 2500);
    expect("options", "-c statement_timeout=60000");
}

Test(conninfo, zero_means_not_added)
{
    build("postgresql://h/d", 0, 0);
    expect("connect_timeout", NULL);
    expect("options", NULL);
    expect("keepalives", "1");
}

Test(conninfo, libpq_environment_is_respected)
{
    setenv("PGCONNECT_TIMEOUT", "33", 1);
    setenv("PGOPTIONS", "-c work_mem=8MB", 1);
    build("postgresql://h/d", 5, 1000);
    expect("connect_timeout", NULL); /* left to libpq, which reads PGCONNECT_TIMEOUT */
    expect("options", "-c work_mem=8MB -c statement_timeout=1000");
}

Test(conninfo, quotes_and_backslashes_survive)
{
    build("postgresql://u:it%27s%5Cme@h/d%20b", 5, 1000);
    expect("password", "it's\\me");
    expect("dbname", "d b");
}

Test(conninfo, a_bad_url_is_refused_with_libpq_words)
{
    char err[256] = "";
    char *t = pg_conninfo_build("postgresql://h/d?nonsense_keyword=1", 5, 1000, err, sizeof err);
    cr_assert_null(t);
    cr_assert(strstr(err, "nonsense_keyword"), "err: %s", err);
}

Test(pg_conninfo, dump_command_names_the_database_but_never_the_password)
{
    char *cmd = pg_dump_command("postgresql://app:Zq9%27secret@db.example:6543/book%20ings", "/tmp/it's.dump");
    cr_assert_not_null(cmd);
    cr_assert_str_eq(cmd, "pg_dump --format=custom --host 'db.example' --port '6543' --username 'app' "
                          "--dbname 'book ings' --file '/tmp/it'\\''s.dump'");
    cr_assert_null(strstr(cmd, "Zq9"), "the password leaked: %s", cmd);
    g_free(cmd);
    cr_assert_null(pg_dump_command("postgresql://[bad", "x"));
}
