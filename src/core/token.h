/* Access tokens: HS256 JWTs through libjwt, with the checks libjwt 1.10 skips
 * (algorithm, exp, iss) done here. */
#ifndef CORE_TOKEN_H
#define CORE_TOKEN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_ISSUER "appointd"
#define TOKEN_ID_LEN 32 /* hex characters of jti and sid */

struct token_claims {
    int64_t user_id; /* sub */
    char role[16];
    char sid[TOKEN_ID_LEN + 1]; /* the login session */
    char jti[TOKEN_ID_LEN + 1];
    int64_t iat;
    int64_t exp;
};

/* Signs claims with key. Returns a malloc'd token the caller frees, or NULL. */
char *token_sign(const char *key, const struct token_claims *claims);

/* Lets token_verify remember, per thread, the tokens it verified with key (the
 * server's own): a client sends the same token with every request, and a
 * verify costs a JSON parse and an HMAC. exp is still checked every time.
 * Call once before any thread verifies. */
void token_cache_init(const char *key);

/* True when token is an HS256 JWT signed with key, issued by us, with every
 * claim present and exp > now; fills claims. */
bool token_verify(const char *key, const char *token, int64_t now, struct token_claims *claims);
#endif
