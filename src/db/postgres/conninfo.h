/* The libpq connection string appointd connects with: the user's
 * DATABASE_URL plus time-outs, so a silent or vanished server fails a
 * request instead of holding it forever; and the pg_dump command for one.
 * Internal to db/. */
#ifndef DB_POSTGRES_CONNINFO_H
#define DB_POSTGRES_CONNINFO_H
#include <stddef.h>

/* Returns url as a keyword='value' string with these added wherever url
 * (or libpq's environment variable for the keyword) does not set them:
 * connect_timeout = connect_s (none when 0); keepalives on, probing after
 * 10 s idle every 5 s, 3 times; tcp_user_timeout 10 000 ms; and
 * "-c statement_timeout=<statement_ms>" appended to options (url's or
 * PGOPTIONS') unless they name statement_timeout already, or statement_ms
 * is 0. Returns a string to g_free, or NULL with libpq's message in err when
 * url does not parse. */
char *pg_conninfo_build(const char *url, int connect_s, int statement_ms, char *err, size_t errlen);
/* The pg_dump command line that dumps url's database into file in pg_dump's
 * custom format (for pg_restore): host, port, user and database from url,
 * never its password. A string to g_free, or NULL when url does not parse. */
char *pg_dump_command(const char *url, const char *file);
#endif
