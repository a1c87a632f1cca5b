/* Event stream tickets, and the batched session check of open streams. */
#include <glib.h>
#include <string.h>

#include "core/banned.h"
#include "db/store_impl.h"

enum app_err store_ticket_add(struct store *s, const char *hash, int64_t user_id, const char *sid,
                              int64_t expires_at, int64_t now)
{
    struct db_value prune[] = {DB_I(now)};
    struct db_value p[] = {DB_S(hash), DB_I(user_id), DB_S(sid), DB_I(expires_at)};
    enum app_err err = store_query(s, Q_TICKET_PRUNE, prune, 1, NULL);
    return err ? err : store_query(s, Q_TICKET_INSERT, p, 4, NULL);
}

enum app_err store_ticket_take(struct store *s, const char *hash, int64_t *user_id, char *sid,
                               size_t sidlen, int64_t *expires_at)
{
    struct db_rows r = {0};
    struct db_value p[] = {DB_S(hash)};
    enum app_err err = store_query(s, Q_TICKET_TAKE, p, 1, &r);
    if (!err && r.nrows == 0)
        err = APP_ERR_NOT_FOUND;
    if (!err) {
        *user_id = db_cell_int(&r, 0, 0);
        g_strlcpy(sid, db_cell(&r, 0, 1), sidlen);
        *expires_at = db_cell_int(&r, 0, 2);
    }
    db_rows_release(&r);
    return err;
}

enum app_err store_sessions_live(struct store *s, const char *const *sids, int n, int64_t now,
                                 bool *live, enum role *roles)
{
    GString *list = g_string_new(",");
    struct db_rows r = {0};
    for (int i = 0; i < n; i++) {
        g_string_append(list, sids[i]);
        g_string_append_c(list, ',');
        live[i] = false;
    }
    struct db_value p[] = {DB_S(list->str), DB_I(now)};
    enum app_err err = store_query(s, Q_SESSIONS_LIVE, p, 2, &r);
    for (int row = 0; !err && row < r.nrows; row++)
        for (int i = 0; i < n; i++)
            if (strcmp(sids[i], db_cell(&r, row, 0)) == 0) {
                live[i] = true;
                (void)role_parse(db_cell(&r, row, 1), &roles[i]);
            }
    db_rows_release(&r);
    g_string_free(list, TRUE);
    return err;
}
