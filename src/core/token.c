#include "core/token.h"

#include <errno.h>
#include <glib.h>
#include <jwt.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

char *token_sign(const char *key, const struct token_claims *c)
{
    jwt_t *jwt = NULL;
    char *out = NULL, sub[24];
    g_snprintf(sub, sizeof sub, "%" G_GINT64_FORMAT, c->user_id);
    if (jwt_new(&jwt) != 0)
        return NULL;
    if (jwt_add_grant(jwt, "sub", sub) || jwt_add_grant(jwt, "role", c->role) ||
        jwt_add_grant(jwt, "sid", c->sid) || jwt_add_grant(jwt, "jti", c->jti) ||
        jwt_add_grant(jwt, "iss", TOKEN_ISSUER) || jwt_add_grant_int(jwt, "iat", c->iat) ||
        jwt_add_grant_int(jwt, "exp", c->exp) ||
        jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)key, (int)strlen(key)))
        goto out;
    out = jwt_encode_str(jwt);
out:
    jwt_free(jwt);
    return out;
}

static bool copy_grant(jwt_t *jwt, const char *name, char *dst, size_t size)
{
    const char *v = jwt_get_grant(jwt, name);
    return v && *v && g_strlcpy(dst, v, size) < size;
}

static bool int_grant(jwt_t *jwt, const char *name, int64_t *out)
{
    errno = 0;
    long v = jwt_get_grant_int(jwt, name);
    if (errno)
        return false;
    *out = v;
    return true;
}

#define CACHE_SLOTS 64
#define CACHE_TOKEN_MAX 512

struct cached {
    char token[CACHE_TOKEN_MAX];
    struct token_claims claims;
};

/* Set once by token_cache_init; the slots belong to their thread. */
static char cache_key[512];
static _Thread_local struct cached cache[CACHE_SLOTS];

void token_cache_init(const char *key)
{
    g_strlcpy(cache_key, key, sizeof cache_key);
}

static struct cached *cache_slot(const char *key, const char *token)
{
    if (!cache_key[0] || strcmp(key, cache_key) != 0 || strlen(token) >= CACHE_TOKEN_MAX)
        return NULL;
    return &cache[g_str_hash(token) % CACHE_SLOTS];
}

static bool decode(const char *key, const char *token, int64_t now, struct token_claims *c);

bool token_verify(const char *key, const char *token, int64_t now, struct token_claims *c)
{
    if (!token || !*token || strlen(token) > 4096)
        return false;
    struct cached *slot = cache_slot(key, token);
    if (slot && strcmp(slot->token, token) == 0) {
        *c = slot->claims;
        return c->exp > now;
    }
    if (!decode(key, token, now, c))
        return false;
    if (slot) {
        g_strlcpy(slot->token, token, sizeof slot->token);
        slot->claims = *c;
    }
    return true;
}

static bool decode(const char *key, const char *token, int64_t now, struct token_claims *c)
{
    jwt_t *jwt = NULL;
    bool ok = false;
    char sub[24], iss[32];
    if (jwt_decode(&jwt, token, (const unsigned char *)key, (int)strlen(key)) != 0)
        return false;
    if (jwt_get_alg(jwt) != JWT_ALG_HS256)
        goto out;
    if (!copy_grant(jwt, "sub", sub, sizeof sub) || !copy_grant(jwt, "iss", iss, sizeof iss) ||
        strcmp(iss, TOKEN_ISSUER) != 0 || !copy_grant(jwt, "role", c->role, sizeof c->role) ||
        !copy_grant(jwt, "sid", c->sid, sizeof c->sid) ||
        !copy_grant(jwt, "jti", c->jti, sizeof c->jti) || !int_grant(jwt, "iat", &c->iat) ||
        !int_grant(jwt, "exp", &c->exp) || c->exp <= now)
        goto out;
    char *end;
    errno = 0;
    long long id = g_ascii_isdigit(sub[0]) ? strtoll(sub, &end, 10) : 0;
    if (errno || id <= 0 || *end)
        goto out;
    c->user_id = id;
    ok = true;
out:
    jwt_free(jwt);
    return ok;
}
