/* Idempotency-Key: the same key from the same user within 24 h gets the first
 * response again. Kept in the database, so it holds across processes. */
#ifndef SERVICES_IDEMPOTENCY_H
#define SERVICES_IDEMPOTENCY_H
#include <stddef.h>

#include "core/error.h"
#include "db/store.h"

enum idem_outcome {
    IDEM_NEW,       /* go ahead, then idempotency_finish or _abandon */
    IDEM_REPLAY,    /* *status and *body hold the first response */
    IDEM_MISMATCH,  /* the key came before with another request */
    IDEM_IN_FLIGHT, /* its twin is still being handled */
};

/* Claims key for user_id and this request (what: method and path; body).
 * On IDEM_REPLAY, *body is malloc'd for the caller to free. */
enum app_err idempotency_begin(struct store *s, int64_t user_id, const char *key, const char *what,
                               const char *body, size_t len, enum idem_outcome *out, int *status,
                               char **stored_body);
/* Records the response of a claimed key. */
enum app_err idempotency_finish(struct store *s, int64_t user_id, const char *key, int status,
                                const char *body);
/* Lets the key go again (the request failed before deciding anything). */
void idempotency_abandon(struct store *s, int64_t user_id, const char *key);
#endif
