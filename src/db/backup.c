/* appointd backup FILE: SQLite's online backup API from a connection of its
 * own, into a temporary file beside FILE that becomes FILE only once it is
 * whole and checked. */
#include "db/store.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "core/banned.h"
#include "db/postgres/conninfo.h"

/* Pages copied per step: about 1 MiB at the default page size, so a step is
 * short and a slow disk never holds the source's lock long. */
#define PAGES_PER_STEP 256

/* Opens the source for reading and starts a read transaction on it that the
 * backup's steps then share: in WAL mode a reader never holds up writers,
 * and without a snapshot of its own every commit the server made between two
 * steps would restart the backup from page 1 (it might never end under
 * load). The price: the WAL cannot be checkpointed past the snapshot until
 * the backup ends. */
static sqlite3 *open_source(const char *path, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        rc = sqlite3_exec(db, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        g_snprintf(err, errlen, "cannot read %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* Copies src into the empty database dst, PAGES_PER_STEP pages a step. */
static bool copy_pages(sqlite3 *src, sqlite3 *dst, char *err, size_t errlen)
{
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        g_snprintf(err, errlen, "cannot start the backup: %s", sqlite3_errmsg(dst));
        return false;
    }
    int rc;
    do {
        rc = sqlite3_backup_step(b, PAGES_PER_STEP);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(10);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        g_snprintf(err, errlen, "backup failed: %s", sqlite3_errstr(rc));
    return rc == SQLITE_DONE;
}

/* The backup's own check before it is given FILE's name. */
static bool check_copy(sqlite3 *dst, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    bool ok = sqlite3_prepare_v2(dst, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK &&
              sqlite3_step(st) == SQLITE_ROW &&
              strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0;
    if (!ok)
        g_snprintf(err, errlen, "the backup failed its check: %s", sqlite3_errmsg(dst));
    sqlite3_finalize(st);
    return ok;
}

/* Gives tmp the name file, never replacing one that appeared meanwhile
 * (link fails on an existing name, where rename would replace it). */
static bool publish(const char *tmp, const char *file, char *err, size_t errlen)
{
    if (link(tmp, file) != 0) {
        g_snprintf(err, errlen, "cannot name the backup %s: %s", file, g_strerror(errno));
        return false;
    }
    (void)g_unlink(tmp);
    gchar *dir = g_path_get_dirname(file);
    int fd = g_open(dir, O_RDONLY, 0);
    if (fd >= 0) {
        (void)fsync(fd); /* the new name survives a crash */
        close(fd);
    }
    g_free(dir);
    return true;
}

static bool backup_sqlite(const char *path, const char *file, char *err, size_t errlen)
{
    if (g_file_test(file, G_FILE_TEST_EXISTS)) {
        g_snprintf(err, errlen, "%s exists already; give a new file name", file);
        return false;
    }
    gchar *tmp = g_strdup_printf("%s.partial-XXXXXX", file);
    int fd = g_mkstemp(tmp);
    if (fd < 0) {
        g_snprintf(err, errlen, "cannot create a file beside %s: %s", file, g_strerror(errno));
        g_free(tmp);
        return false;
    }
    close(fd);
    sqlite3 *src = open_source(path, err, errlen), *dst = NULL;
    bool ok = src && sqlite3_open(tmp, &dst) == SQLITE_OK;
    if (src && !ok)
        g_snprintf(err, errlen, "cannot open %s: %s", tmp, dst ? sqlite3_errmsg(dst) : "out of memory");
    ok = ok && copy_pages(src, dst, err, errlen) && check_copy(dst, err, errlen);
    sqlite3_close(src); /* ends the read transaction */
    ok = sqlite3_close(dst) == SQLITE_OK && ok && publish(tmp, file, err, errlen);
    if (!ok)
        (void)g_unlink(tmp);
    g_free(tmp);
    return ok;
}

bool store_backup(const char *url, const char *file, char *err, size_t errlen)
{
    if (g_str_has_prefix(url, "sqlite:"))
        return backup_sqlite(url + strlen("sqlite:"), file, err, errlen);
    if (g_str_has_prefix(url, "postgresql://") || g_str_has_prefix(url, "postgres://")) {
        gchar *cmd = pg_dump_command(url, file);
        g_snprintf(err, errlen,
                   "on PostgreSQL the backup tool is pg_dump (the password from PGPASSWORD or "
                   "~/.pgpass):\n    %s", cmd ? cmd : "pg_dump (DATABASE_URL does not parse)");
        g_free(cmd);
        return false;
    }
    g_strlcpy(err, "DATABASE_URL must start with sqlite: or postgresql://", errlen);
    return false;
}
