/* What the resource files of db/ share: the store struct and one query call. */
#ifndef DB_STORE_IMPL_H
#define DB_STORE_IMPL_H
#include "db/driver.h"
#include "db/store.h"

struct store {
    const struct db_driver *drv;
    void *conn;
    struct store_context *ctx; /* the request's, or NULL */
    bool in_uow;
};

/* Runs query id on s; rows (may be NULL) is filled and owned by the caller. */
enum app_err store_query(struct store *s, enum query_id id, const struct db_value *params, int n,
                         struct db_rows *rows);
/* Runs q for one whole number (a count, a new id): *out gets the first column
 * of the first row, and *found (may be NULL) whether there was a row. */
enum app_err store_query_int(struct store *s, enum query_id q, const struct db_value *p, int n,
                             int64_t *out, bool *found);

/* Maps one result row into the item at `item`. */
typedef void (*store_row_fn)(const struct db_rows *rows, int row, void *item);

/* Runs q for at most one row, mapped into item; not_found when there is none. */
enum app_err store_query_one(struct store *s, enum query_id q, const struct db_value *p, int n,
                             store_row_fn from_row, void *item, enum app_err not_found);

/* Runs q and maps every row into a new calloc'd array of elem_size items,
 * stored in *items (the caller frees it) with its length in *count. */
enum app_err store_query_list(struct store *s, enum query_id q, const struct db_value *p, int n,
                              size_t elem_size, store_row_fn from_row, void **items, int *count);
/* A struct service from row i of a query selecting SERVICE_COLS first
 * (queries.c): its first STORE_SERVICE_COLS columns. */
#define STORE_SERVICE_COLS 14
void store_service_from_row(const struct db_rows *r, int i, void *item);

/* The parameters of Q_AUDIT_INSERT for an entry written on s (the
 * context's actor unless actor is given); strings point into the arguments. */
#define AUDIT_PARAMS 11
void store_audit_params(struct store *s, const struct user *actor, const char *action,
                        const char *target_type, int64_t target_id, const char *details,
                        struct db_value p[AUDIT_PARAMS]);

/* The advisory locks the writers of each outbox hold (005_outbox_audit.sql). */
#define OUTBOX_EVENTS_KEY 7363
#define OUTBOX_AUDIT_KEY 7364

/* Reads up to limit rows of outbox query q (id in column 0) after c->after
 * into r, and says how many of them, from the first, the reader may take,
 * moving c past them. barrier_key: the advisory lock of that outbox's writers. */
enum app_err store_outbox_read(struct store *s, enum query_id q, int64_t barrier_key,
                               struct outbox_cursor *c, int limit, struct db_rows *r, int *take);
#endif
