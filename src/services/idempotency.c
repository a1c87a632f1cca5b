#include "services/idempotency.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"

/* Set once before serving; read-only afterwards. */
static int lease = 10;

void idempotency_init(int lease_seconds)
{
    lease = lease_seconds;
}

void idempotency_hash(const char *what, const char *body, size_t len, char out[65])
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(sum, (const guchar *)what, (gssize)strlen(what));
    g_checksum_update(sum, (const guchar *)"\n", 1);
    g_checksum_update(sum, (const guchar *)(body ? body : ""), (gssize)len);
    g_strlcpy(out, g_checksum_get_string(sum), 65);
    g_checksum_free(sum);
}

enum app_err idempotency_claim(struct store *s, int64_t user_id, const char *key, const char *hash,
                               const char *owner, struct idem_record *out)
{
    return store_idem_claim(s, user_id, key, hash, owner, clock_now(), lease, out);
}

enum app_err idempotency_finish(struct store *s, int status, const char *body)
{
    enum app_err err = store_begin(s);
    if (!err)
        err = status >= 500 ? store_idem_release(s) : store_idem_record(s, status, body);
    return store_end(s, err);
}
