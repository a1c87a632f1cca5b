/* What the resource files of db/ share: the store struct and one query call. */
#ifndef DB_STORE_IMPL_H
#define DB_STORE_IMPL_H
#include "db/driver.h"
#include "db/store.h"

struct store {
    const struct db_driver *drv;
    void *conn;
};

/* Runs query id on s; rows (may be NULL) is filled and owned by the caller. */
enum app_err store_query(struct store *s, enum query_id id, const struct db_value *params, int n,
                         struct db_rows *rows);
#endif
