/* Standard Webhooks v1 signatures and their whsec_ secrets
 * (standard-webhooks, spec/standard-webhooks.md): "v1," and the base64 of
 * HMAC-SHA256, keyed with the secret's decoded bytes, over
 * "<msg id>.<timestamp>.<body>". */
#ifndef CORE_SIGNATURE_H
#define CORE_SIGNATURE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIGNATURE_SECRET_MIN_BYTES 24
#define SIGNATURE_SECRET_MAX_BYTES 64
/* "whsec_" and the base64 of 64 bytes, with its NUL. */
#define SIGNATURE_SECRET_MAX_LEN (6 + 88 + 1)
/* "v1," and the base64 of 32 bytes, with its NUL. */
#define SIGNATURE_LEN (3 + 44 + 1)

/* Whether text is "whsec_" and standard base64 (padded) of 24 to 64 bytes;
 * with key not NULL, the decoded bytes go there (SIGNATURE_SECRET_MAX_BYTES)
 * and their count to *key_len. */
bool signature_secret_parse(const char *text, unsigned char *key, size_t *key_len);
/* A new secret from 32 bytes of the kernel's CSPRNG into out
 * (SIGNATURE_SECRET_MAX_LEN). False when the kernel fails. */
bool signature_secret_generate(char *out);
/* Writes "v1,<base64>" for message id, timestamp and body signed with
 * secret (a whsec_ text) into out (SIGNATURE_LEN). False when the secret
 * does not parse. */
bool signature_sign(const char *secret, const char *msg_id, int64_t timestamp, const char *body,
                    size_t body_len, char *out);
#endif
