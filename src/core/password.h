/* bcrypt ($2b$) through libxcrypt. */
#ifndef CORE_PASSWORD_H
#define CORE_PASSWORD_H
#include <stdbool.h>
#include <stddef.h>

#define PASSWORD_HASH_MAX 128
#define PASSWORD_MIN_BYTES 8
/* bcrypt reads 72 bytes and silently ignores the rest: longer ones are refused. */
#define PASSWORD_MAX_BYTES 72

/* Hashes password at cost into out (PASSWORD_HASH_MAX bytes). False when
 * the password is outside 8–72 bytes or the system fails. */
bool password_hash(const char *password, int cost, char *out);

/* True when password matches hash. A password over 72 bytes never matches.
 * Whatever the outcome it costs one bcrypt: of the hash's own cost when hash
 * is a $2b$ hash, of the dummy's otherwise (see password_init). */
bool password_verify(const char *password, const char *hash);

/* Makes the dummy hash password_burn checks against; call once at start-up. */
bool password_init(int cost);

/* Burns the time of one verify, for unknown emails: a login must take about
 * as long whether or not the email exists. */
void password_burn(void);

/* bcrypt computations this process has finished (hashes and verifies): the
 * CPU that logins cost, for /metrics; a failed login adds exactly one. */
unsigned long password_bcrypt_count(void);
#endif
