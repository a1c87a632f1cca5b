#include "services/idempotency.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"

enum app_err idempotency_begin(struct store *s, int64_t user_id, const char *key, const char *what,
                               const char *body, size_t len, enum idem_outcome *out, int *status,
                               char **stored_body)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    char hash[65];
    g_checksum_update(sum, (const guchar *)what, (gssize)strlen(what));
    g_checksum_update(sum, (const guchar *)"\n", 1);
    g_checksum_update(sum, (const guchar *)(body ? body : ""), (gssize)len);
    g_strlcpy(hash, g_checksum_get_string(sum), sizeof hash);
    g_checksum_free(sum);
    *stored_body = NULL;
    enum app_err err = store_idem_claim(s, user_id, key, hash, clock_now());
    if (err != APP_ERR_CONFLICT) {
        *out = IDEM_NEW;
        return err;
    }
    struct idem_record rec;
    err = store_idem_get(s, user_id, key, &rec);
    if (err == APP_ERR_NOT_FOUND) {
        /* It expired between the two steps: it is gone, so the client must retry. */
        *out = IDEM_IN_FLIGHT;
        return APP_OK;
    }
    if (err)
        return err;
    if (strcmp(rec.request_hash, hash) != 0)
        *out = IDEM_MISMATCH;
    else if (rec.status == 0)
        *out = IDEM_IN_FLIGHT;
    else
        *out = IDEM_REPLAY;
    *status = rec.status;
    if (*out == IDEM_REPLAY)
        *stored_body = rec.body;
    else
        free(rec.body);
    return APP_OK;
}

enum app_err idempotency_finish(struct store *s, int64_t user_id, const char *key, int status,
                                const char *body)
{
    return store_idem_finish(s, user_id, key, status, body);
}

void idempotency_abandon(struct store *s, int64_t user_id, const char *key)
{
    (void)store_idem_release(s, user_id, key);
}
