/* Idempotency keys, kept in the database so they hold across processes. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "db/store_impl.h"

enum app_err store_idem_claim(struct store *s, int64_t user_id, const char *key, const char *hash,
                              int64_t now)
{
    struct db_value p[] = {DB_I(user_id), DB_S(key), DB_S(hash), DB_I(now)};
    struct db_value clear[] = {DB_I(user_id), DB_S(key), DB_I(now)};
    struct db_rows r;
    enum app_err err = store_query(s, Q_IDEM_CLEAR, clear, 3, NULL);
    if (!err)
        err = store_query(s, Q_IDEM_INSERT, p, 4, &r);
    if (err)
        return err;
    err = r.nrows ? APP_OK : APP_ERR_CONFLICT;
    db_rows_release(&r);
    return err;
}

enum app_err store_idem_get(struct store *s, int64_t user_id, const char *key,
                            struct idem_record *out)
{
    struct db_value p[] = {DB_I(user_id), DB_S(key)};
    struct db_rows r;
    memset(out, 0, sizeof *out);
    enum app_err err = store_query(s, Q_IDEM_GET, p, 2, &r);
    if (err)
        return err;
    if (r.nrows == 0) {
        err = APP_ERR_NOT_FOUND;
    } else {
        g_strlcpy(out->request_hash, db_cell(&r, 0, 0), sizeof out->request_hash);
        out->status = (int)db_cell_int(&r, 0, 1);
        out->body = db_cell(&r, 0, 2) ? strdup(db_cell(&r, 0, 2)) : NULL;
    }
    db_rows_release(&r);
    return err;
}

enum app_err store_idem_finish(struct store *s, int64_t user_id, const char *key, int status,
                               const char *body)
{
    struct db_value p[] = {DB_I(user_id), DB_S(key), DB_I(status), DB_S(body)};
    return store_query(s, Q_IDEM_FINISH, p, 4, NULL);
}

enum app_err store_idem_release(struct store *s, int64_t user_id, const char *key)
{
    struct db_value p[] = {DB_I(user_id), DB_S(key)};
    return store_query(s, Q_IDEM_DELETE, p, 2, NULL);
}
