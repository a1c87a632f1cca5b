/* Fuzzes access-token verification: token_verify (src/core/token.h) with a
 * fixed 40-byte key at now = 1800000000 (2027-01-15T08:00:00Z).
 *
 * Each input is tried two ways:
 *  1. as the token itself (NUL-terminated copy). Without the key it can
 *     practically never verify; this drives libjwt's splitting, base64 and
 *     JSON decoding of hostile text and must simply never crash.
 *  2. as the contents of a token that this target signs with the key, so
 *     the claim checks behind the signature are reached too: the input is
 *     the payload JSON, or "HEADER\nPAYLOAD" to choose the header as well.
 *     The two parts are base64url-encoded and HMAC-SHA256-signed here.
 * Invariants (abort when broken): a token made by token_sign with the key and
 * valid claims verifies to the same claims; whatever verifies carries alg
 * HS256 in its header (compared without case, as libjwt does), is unexpired, issued by us, and has a
 * positive subject and non-empty role, sid and jti. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <jansson.h>

#include "core/token.h"

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 40 bytes. */
static const char KEY[] = "fuzz-key-0123456789abcdefghijklmnopqrstu";
#define NOW INT64_C(1800000000)

static bool claims_equal(const struct token_claims *a, const struct token_claims *b)
{
    return a->user_id == b->user_id && strcmp(a->role, b->role) == 0 &&
           strcmp(a->sid, b->sid) == 0 && strcmp(a->jti, b->jti) == 0 && a->iat == b->iat &&
           a->exp == b->exp;
}

static bool terminated(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

/* The header (first dot-separated part) of token decodes to a JSON object
 * whose "alg" is HS256. libjwt 1.10 reads alg case-insensitively (strcasecmp),
 * so "hs256" counts too: harmless, as the HMAC with our key still has to
 * match (fuzz/corpus/token/header_alg_hs256_lower). */
static bool header_is_hs256(const char *token)
{
    const char *dot = strchr(token, '.');
    if (!dot)
        return false;
    size_t n = (size_t)(dot - token);
    char *b64 = g_malloc(n + 4);
    for (size_t i = 0; i < n; i++)
        b64[i] = token[i] == '-' ? '+' : token[i] == '_' ? '/' : token[i];
    while (n % 4)
        b64[n++] = '=';
    b64[n] = '\0';
    gsize len = 0;
    guchar *raw = g_base64_decode(b64, &len);
    g_free(b64);
    /* As libjwt does: the decoded header is read as a C string, so anything
     * after a NUL byte is ignored (corpus/token/crash_header_nul_tail). */
    char *text = raw ? g_strndup((const char *)raw, len) : NULL;
    g_free(raw);
    json_t *h = text ? json_loads(text, 0, NULL) : NULL;
    g_free(text);
    bool ok = h && json_is_object(h) && json_is_string(json_object_get(h, "alg")) &&
              g_ascii_strcasecmp(json_string_value(json_object_get(h, "alg")), "HS256") == 0;
    json_decref(h);
    return ok;
}

/* What must hold of every token that verifies. */
static void check_verified(const char *token, const struct token_claims *c)
{
    if (!header_is_hs256(token))
        abort();
    if (c->user_id <= 0 || c->exp <= NOW)
        abort();
    if (!terminated(c->role, sizeof c->role) || !terminated(c->sid, sizeof c->sid) ||
        !terminated(c->jti, sizeof c->jti) || !c->role[0] || !c->sid[0] || !c->jti[0])
        abort();
    /* Signing the same claims again gives a token that verifies to them. */
    char *again = token_sign(KEY, c);
    if (again) {
        struct token_claims c2;
        memset(&c2, 0, sizeof c2);
        if (!token_verify(KEY, again, NOW, &c2) || !claims_equal(c, &c2))
            abort();
        free(again);
    }
}

/* Once: a token of token_sign verifies, and not with another key or later. */
static void check_sign_verify(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    struct token_claims c = {.user_id = 42, .role = "provider", .iat = NOW - 60, .exp = NOW + 900};
    memcpy(c.sid, "0123456789abcdef0123456789abcdef", TOKEN_ID_LEN + 1);
    memcpy(c.jti, "fedcba9876543210fedcba9876543210", TOKEN_ID_LEN + 1);
    char *tok = token_sign(KEY, &c);
    if (!tok)
        abort();
    struct token_claims got;
    memset(&got, 0, sizeof got);
    if (!token_verify(KEY, tok, NOW, &got) || !claims_equal(&c, &got))
        abort();
    check_verified(tok, &got);
    if (token_verify("another-key-0123456789abcdefghijklmnopqr", tok, NOW, &got))
        abort();
    if (token_verify(KEY, tok, c.exp, &got))
        abort();
    free(tok);
}

/* base64url without padding, appended to out. */
static void append_b64url(GString *out, const uint8_t *data, size_t len)
{
    gchar *b = g_base64_encode(data, len);
    for (gchar *p = b; *p && *p != '='; p++)
        g_string_append_c(out, *p == '+' ? '-' : *p == '/' ? '_' : *p);
    g_free(b);
}

/* A token of header and payload, signed with KEY. */
static char *make_signed(const uint8_t *header, size_t hlen, const uint8_t *payload, size_t plen)
{
    GString *tok = g_string_new(NULL);
    append_b64url(tok, header, hlen);
    g_string_append_c(tok, '.');
    append_b64url(tok, payload, plen);
    GHmac *mac = g_hmac_new(G_CHECKSUM_SHA256, (const guchar *)KEY, strlen(KEY));
    g_hmac_update(mac, (const guchar *)tok->str, (gssize)tok->len);
    guint8 digest[32];
    gsize dlen = sizeof digest;
    g_hmac_get_digest(mac, digest, &dlen);
    g_hmac_unref(mac);
    g_string_append_c(tok, '.');
    append_b64url(tok, digest, dlen);
    return g_string_free(tok, FALSE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_sign_verify();

    /* 1. The input as a token. */
    char *token = malloc(size + 1);
    if (!token)
        return 0;
    if (size)
        memcpy(token, data, size);
    token[size] = '\0';
    struct token_claims c;
    memset(&c, 0, sizeof c);
    if (token_verify(KEY, token, NOW, &c))
        check_verified(token, &c);
    free(token);

    /* 2. The input as the header and payload of a token signed with KEY. */
    static const char default_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    const uint8_t *nl = size ? memchr(data, '\n', size) : NULL;
    char *signed_tok;
    if (nl)
        signed_tok = make_signed(data, (size_t)(nl - data), nl + 1, size - (size_t)(nl - data) - 1);
    else
        signed_tok = make_signed((const uint8_t *)default_header, strlen(default_header), data, size);
    memset(&c, 0, sizeof c);
    if (token_verify(KEY, signed_tok, NOW, &c))
        check_verified(signed_tok, &c);
    g_free(signed_tok);
    return 0;
}
