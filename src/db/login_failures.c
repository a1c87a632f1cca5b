/* Failed logins, for the login rate limit. */
#include "core/banned.h"
#include "db/store_impl.h"

enum app_err store_login_lock(struct store *s, const char *email)
{
    struct db_value p[] = {DB_S(email)};
    return store_query(s, Q_LOGIN_LOCK, p, 1, NULL);
}

enum app_err store_login_failure_add(struct store *s, const char *email, const char *ip, int64_t at,
                                     int64_t *id)
{
    struct db_value p[] = {DB_S(email), DB_S(ip), DB_I(at)};
    return store_query_int(s, Q_LOGIN_FAIL_INSERT, p, 3, id, NULL);
}

enum app_err store_login_attempt_clear(struct store *s, int64_t id)
{
    struct db_value p[] = {DB_I(id)};
    return store_query(s, Q_LOGIN_FAIL_DELETE, p, 1, NULL);
}

static enum app_err count(struct store *s, enum query_id q, const struct db_value *p, int n,
                          int64_t *num, int64_t *oldest)
{
    struct db_rows r;
    enum app_err err = store_query(s, q, p, n, &r);
    if (err)
        return err;
    *num = r.nrows ? db_cell_int(&r, 0, 0) : 0;
    *oldest = r.nrows ? db_cell_int(&r, 0, 1) : 0;
    db_rows_release(&r);
    return APP_OK;
}

enum app_err store_login_failures(struct store *s, const char *email, const char *ip, int64_t since,
                                  struct login_failure_counts *out)
{
    struct db_value both[] = {DB_S(email), DB_S(ip), DB_I(since)};
    struct db_value one_email[] = {DB_S(email), DB_I(since)};
    struct db_value one_ip[] = {DB_S(ip), DB_I(since)};
    enum app_err err = count(s, Q_LOGIN_FAIL_EMAIL_IP, both, 3, &out->email_ip, &out->email_ip_oldest);
    if (!err)
        err = count(s, Q_LOGIN_FAIL_EMAIL, one_email, 2, &out->email, &out->email_oldest);
    if (!err)
        err = count(s, Q_LOGIN_FAIL_IP, one_ip, 2, &out->ip, &out->ip_oldest);
    return err;
}
