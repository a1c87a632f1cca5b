/* Idempotency-Key: the same key from the same user within 24 h gets the first
 * response again. Kept in the database, so it holds across processes,
 * restarts and crashes: a claim is leased to one request, and the answer of a
 * request that wrote something is recorded in the unit of work that wrote it
 * (store_booking_insert). The dispatcher (api/) drives it.
 *
 * A fresh key, the common case, is not claimed first: the request runs with
 * the key unclaimed, and a write that answers it inserts the key's whole row
 * with its own change, failing with it when the key has a row already. Any
 * other outcome takes the long way: claim, then run the request again. */
#ifndef SERVICES_IDEMPOTENCY_H
#define SERVICES_IDEMPOTENCY_H
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "db/store.h"

/* How long a claim holds before a twin may take it over; call once. */
void idempotency_init(int lease_seconds);
/* The request's fingerprint (what: method and path; body), as hex into out. */
void idempotency_hash(const char *what, const char *body, size_t len, char out[65]);
/* Claims key for user_id and the request of fingerprint hash as owner.
 * out->state says what to do; with IDEM_DONE out->body (malloc'd, the caller
 * frees it) and out->status hold the first response. */
enum app_err idempotency_claim(struct store *s, int64_t user_id, const char *key, const char *hash,
                               const char *owner, struct idem_record *out);
/* After a request that wrote nothing: records its answer (status < 500), or
 * lets the key go (5xx: nothing was decided). */
enum app_err idempotency_finish(struct store *s, int status, const char *body);
#endif
