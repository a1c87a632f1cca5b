/* What each engine (sqlite/, postgres/) provides: one table of functions and
 * the SQL text of every query, indexed by enum query_id. Internal to db/. */
#ifndef DB_DRIVER_H
#define DB_DRIVER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/embedded.h"
#include "db/queries.h"

enum db_type { DB_NULL, DB_INT, DB_TEXT };

/* The most parameters one query takes. */
#define DB_MAX_PARAMS 32

struct db_value {
    enum db_type type;
    int64_t i;
    const char *s;
};

#define DB_I(v) ((struct db_value){DB_INT, (v), NULL})
#define DB_S(v) ((struct db_value){DB_TEXT, 0, (v)})
#define DB_NUL ((struct db_value){DB_NULL, 0, NULL})

/* A result: nrows × ncols cells as text, row-major; NULL cells are SQL NULLs.
 * Drivers fill it with db_rows_add (cell by cell) and db_rows_seal; all text
 * lives in one buffer. Owned by the caller: db_rows_release. */
struct db_rows {
    int nrows;
    int ncols;
    char **cells;
    char *text;
    size_t text_len, text_cap;
    size_t *offsets; /* while building: where each cell starts in text, SIZE_MAX for NULL */
    size_t n_cells, cap_cells;
};

/* Makes room for cells more cells holding text_bytes bytes of text, so a
 * driver that knows the result's size copies it once. -1 when memory ran out. */
int db_rows_reserve(struct db_rows *rows, size_t cells, size_t text_bytes);
/* Appends one cell (value NULL: SQL NULL) of len bytes. -1 when memory ran out. */
int db_rows_add(struct db_rows *rows, const char *value, size_t len);
/* Ends building: points cells into text. -1 when memory ran out. */
int db_rows_seal(struct db_rows *rows);

struct db_driver {
    const char *engine;
    /* Returns a connection or NULL with a message in err. */
    void *(*connect)(const char *url, char *err, size_t errlen);
    void (*close)(void *conn);
    /* Runs a script of several statements with no parameters. */
    enum app_err (*exec)(void *conn, const char *sql);
    /* Runs query id with params; rows may be NULL when none are wanted. */
    enum app_err (*query)(void *conn, enum query_id id, const struct db_value *params, int n,
                          struct db_rows *rows);
    /* Opens a write transaction (store.h, "The unit of work"); exec("COMMIT")
     * or exec("ROLLBACK") ends it. */
    enum app_err (*begin)(void *conn);
    /* The open transaction's next statement is its only one (store.h,
     * store_last_step); NULL where that saves nothing. */
    void (*last_step)(void *conn);
    /* Whether the unit of work begun last on conn was refused by the
     * database's concurrency control (store_end_raced); NULL: never. */
    bool (*raced)(void *conn);
    /* The database's own text of the last failure on conn (for logs only;
     * "" when none). Valid until the next call on conn. */
    const char *(*last_error)(void *conn);
    /* APP_OK when writes on conn's database are known to work; otherwise
     * the error of a write tried now (store_ping). NULL where a read round
     * trip already says as much (PostgreSQL: a server that cannot write
     * fails its own checks). */
    enum app_err (*write_check)(void *conn);
    /* Lifts (true) or restores (false) the statement timeout of conn, for
     * migrations, which may rebuild big tables and wait on each other. */
    enum app_err (*set_untimed)(void *conn, bool untimed);
    /* Waits up to timeout_ms for a NOTIFY on channel, LISTENing first when
     * conn is not (a new connection, or one reopened); *woken when one came
     * or the LISTEN was new (what came before it was not heard). NULL: the
     * engine cannot notify (store_wait_events sleeps). */
    enum app_err (*wait_notify)(void *conn, const char *channel, int timeout_ms, bool *woken);
    const struct embedded_file *migrations; /* ends with a {NULL} entry */
    /* One writer at a time, ids drawn in commit order: an outbox gap is
     * always for good. */
    bool serial_writes;
    /* A booking change and its records go in one statement
     * (Q_BOOKING_*_RECORDED: data-modifying CTEs). */
    bool one_statement_changes;
};

extern const struct db_driver sqlite_driver;
extern const struct db_driver postgres_driver;

void db_rows_release(struct db_rows *rows);
const char *db_cell(const struct db_rows *rows, int row, int col);
int64_t db_cell_int(const struct db_rows *rows, int row, int col);
#endif
