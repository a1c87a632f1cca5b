/* Signups per client address, for the signup rate limit. */
#include "core/banned.h"
#include "db/store_impl.h"

enum app_err store_signup_attempt_add(struct store *s, const char *ip, int64_t at,
                                      int64_t prune_before)
{
    struct db_value p[] = {DB_S(ip), DB_I(at)};
    struct db_value prune[] = {DB_I(prune_before)};
    enum app_err err = store_query(s, Q_SIGNUP_ATTEMPT_INSERT, p, 2, NULL);
    return err ? err : store_query(s, Q_SIGNUP_ATTEMPT_PRUNE, prune, 1, NULL);
}

enum app_err store_signup_attempts(struct store *s, const char *ip, int64_t since, int64_t *count,
                                   int64_t *oldest)
{
    struct db_value p[] = {DB_S(ip), DB_I(since)};
    struct db_rows r;
    enum app_err err = store_query(s, Q_SIGNUP_ATTEMPT_COUNT, p, 2, &r);
    if (err)
        return err;
    *count = r.nrows ? db_cell_int(&r, 0, 0) : 0;
    *oldest = r.nrows ? db_cell_int(&r, 0, 1) : 0;
    db_rows_release(&r);
    return APP_OK;
}
