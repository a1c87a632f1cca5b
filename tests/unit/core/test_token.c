/* Unit tests of src/core/token.c, the access tokens of API.md
 * "Authentication": HS256 JWTs with sub (a user id as a string), role, sid,
 * jti, iat, exp and iss; anything else is refused.
 *
 * Tokens the code under test must refuse are built by hand here (base64url
 * of a header and a payload, HMAC with GLib), and a hand-built HS256 token
 * with every claim right is shown to be accepted first, so each refusal is
 * about the one thing that differs. */
#include <criterion/criterion.h>
#include <glib.h>
#include <jansson.h>
#include <jwt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "core/token.h"

#define KEY "unit-test-secret-key-0123456789abcdef"
#define OTHER_KEY "another-secret-key-0123456789abcdefgh"
#define SID "0123456789abcdef0123456789abcdef"
#define JTI "fedcba9876543210fedcba9876543210"

/* A fixed "now": tokens are checked against the now they are given. */
#define NOW ((int64_t)1800000000)

static struct token_claims claims(void)
{
    struct token_claims c;
    memset(&c, 0, sizeof c);
    c.user_id = 42;
    snprintf(c.role, sizeof c.role, "customer");
    snprintf(c.sid, sizeof c.sid, SID);
    snprintf(c.jti, sizeof c.jti, JTI);
    c.iat = NOW - 60;
    c.exp = NOW + 900;
    return c;
}

/* base64url without padding, g_free'd by the caller. */
static char *b64url(const void *data, size_t len)
{
    char *s = g_base64_encode(data, len);
    for (char *p = s; *p; p++) {
        if (*p == '+')
            *p = '-';
        else if (*p == '/')
            *p = '_';
        else if (*p == '=') {
            *p = '\0';
            break;
        }
    }
    return s;
}

/* header.payload.signature: signed with HMAC type under key, or with an
 * empty signature when sign is false. g_free the result. */
static char *make_jwt(const char *header, const char *payload, GChecksumType type, const char *key,
                      bool sign)
{
    char *h = b64url(header, strlen(header));
    char *p = b64url(payload, strlen(payload));
    char *input = g_strdup_printf("%s.%s", h, p);
    char *sig = g_strdup("");
    if (sign) {
        guint8 digest[64];
        gsize len = sizeof digest;
        GHmac *mac = g_hmac_new(type, (const guchar *)key, strlen(key));
        g_hmac_update(mac, (const guchar *)input, (gssize)strlen(input));
        g_hmac_get_digest(mac, digest, &len);
        g_hmac_unref(mac);
        g_free(sig);
        sig = b64url(digest, len);
    }
    char *tok = g_strdup_printf("%s.%s", input, sig);
    g_free(h);
    g_free(p);
    g_free(input);
    g_free(sig);
    return tok;
}

#define HS256_HEADER "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

/* A payload with every claim right, with printf-style overrides spliced in. */
static char *payload_with(const char *sub_json, const char *iss_json, const char *sid_json,
                          const char *jti_json, const char *exp_json)
{
    GString *g = g_string_new("{");
    g_string_append(g, "\"role\":\"customer\",\"iat\":1799999940");
    if (sub_json)
        g_string_append_printf(g, ",\"sub\":%s", sub_json);
    if (iss_json)
        g_string_append_printf(g, ",\"iss\":%s", iss_json);
    if (sid_json)
        g_string_append_printf(g, ",\"sid\":%s", sid_json);
    if (jti_json)
        g_string_append_printf(g, ",\"jti\":%s", jti_json);
    if (exp_json)
        g_string_append_printf(g, ",\"exp\":%s", exp_json);
    g_string_append(g, "}");
    return g_string_free(g, FALSE);
}

#define GOOD_SUB "\"42\""
#define GOOD_ISS "\"appointd\""
#define GOOD_SID "\"" SID "\""
#define GOOD_JTI "\"" JTI "\""
#define GOOD_EXP "1800000900"

static bool verify_payload(const char *payload, struct token_claims *out)
{
    char *tok = make_jwt(HS256_HEADER, payload, G_CHECKSUM_SHA256, KEY, true);
    bool ok = token_verify(KEY, tok, NOW, out);
    g_free(tok);
    return ok;
}

static void expect_refused_payload(const char *payload)
{
    struct token_claims out;
    memset(&out, 0, sizeof out);
    cr_assert_not(verify_payload(payload, &out), "token with payload %s was accepted", payload);
}

/* ---- sign and verify ---- */

Test(token, sign_verify_round_trip)
{
    struct token_claims c = claims();
    char *tok = token_sign(KEY, &c);
    cr_assert_not_null(tok);
    /* Three base64url parts. */
    int dots = 0;
    for (const char *p = tok; *p; p++) {
        dots += *p == '.';
        cr_assert(g_ascii_isalnum(*p) || *p == '-' || *p == '_' || *p == '.', "bad char %c", *p);
    }
    cr_assert_eq(dots, 2);

    struct token_claims out;
    memset(&out, 0, sizeof out);
    cr_assert(token_verify(KEY, tok, NOW, &out));
    cr_assert_eq(out.user_id, 42);
    cr_assert_str_eq(out.role, "customer");
    cr_assert_str_eq(out.sid, SID);
    cr_assert_str_eq(out.jti, JTI);
    cr_assert_eq(out.iat, NOW - 60);
    cr_assert_eq(out.exp, NOW + 900);
    free(tok);
}

Test(token, signed_token_is_hs256_with_the_contract_claims)
{
    struct token_claims c = claims();
    c.user_id = 7;
    snprintf(c.role, sizeof c.role, "admin");
    char *tok = token_sign(KEY, &c);
    cr_assert_not_null(tok);
    char **parts = g_strsplit(tok, ".", 0);
    cr_assert_eq(g_strv_length(parts), 3u);

    for (int i = 0; i < 2; i++) {
        /* Back from base64url to base64 with padding. */
        GString *b = g_string_new(parts[i]);
        for (gsize k = 0; k < b->len; k++)
            b->str[k] = b->str[k] == '-' ? '+' : b->str[k] == '_' ? '/' : b->str[k];
        while (b->len % 4)
            g_string_append_c(b, '=');
        gsize len = 0;
        guchar *raw = g_base64_decode(b->str, &len);
        char *json = g_strndup((const char *)raw, len);
        json_error_t jerr;
        json_t *j = json_loads(json, 0, &jerr);
        cr_assert_not_null(j, "part %d is not JSON: %s", i, json);
        if (i == 0) {
            cr_assert_str_eq(json_string_value(json_object_get(j, "alg")), "HS256");
        } else {
            cr_assert_str_eq(json_string_value(json_object_get(j, "sub")), "7");
            cr_assert_str_eq(json_string_value(json_object_get(j, "role")), "admin");
            cr_assert_str_eq(json_string_value(json_object_get(j, "iss")), TOKEN_ISSUER);
            cr_assert_str_eq(json_string_value(json_object_get(j, "jti")), JTI);
            cr_assert_eq(json_integer_value(json_object_get(j, "iat")), NOW - 60);
            cr_assert_eq(json_integer_value(json_object_get(j, "exp")), NOW + 900);
        }
        json_decref(j);
        g_free(json);
        g_free(raw);
        g_string_free(b, TRUE);
    }
    g_strfreev(parts);
    free(tok);
}

Test(token, expired_is_refused)
{
    struct token_claims c = claims();
    char *tok = token_sign(KEY, &c);
    struct token_claims out;
    cr_assert(token_verify(KEY, tok, c.exp - 1, &out), "valid one second before exp");
    cr_assert_not(token_verify(KEY, tok, c.exp, &out), "exp == now must be refused");
    cr_assert_not(token_verify(KEY, tok, c.exp + 1, &out));
    cr_assert_not(token_verify(KEY, tok, c.exp + 86400, &out));
    free(tok);

    c.exp = NOW - 1;
    tok = token_sign(KEY, &c);
    cr_assert_not(token_verify(KEY, tok, NOW, &out));
    free(tok);
}

Test(token, wrong_key_is_refused)
{
    struct token_claims c = claims();
    char *tok = token_sign(KEY, &c);
    struct token_claims out;
    cr_assert_not(token_verify(OTHER_KEY, tok, NOW, &out));
    cr_assert_not(token_verify(KEY "x", tok, NOW, &out));
    cr_assert(token_verify(KEY, tok, NOW, &out));
    free(tok);
}

Test(token, tampered_token_is_refused)
{
    struct token_claims c = claims();
    char *tok = token_sign(KEY, &c);
    struct token_claims out;
    char *dot = strchr(tok, '.');
    cr_assert_not_null(dot);
    /* A changed payload character. */
    char *t2 = g_strdup(tok);
    char *p = t2 + (dot - tok) + 3;
    *p = *p == 'A' ? 'B' : 'A';
    cr_assert_not(token_verify(KEY, t2, NOW, &out));
    g_free(t2);
    /* A changed signature character. */
    t2 = g_strdup(tok);
    size_t n = strlen(t2);
    t2[n - 2] = t2[n - 2] == 'A' ? 'B' : 'A';
    cr_assert_not(token_verify(KEY, t2, NOW, &out));
    g_free(t2);
    /* No signature at all. */
    t2 = g_strdup(tok);
    *strrchr(t2, '.') = '\0';
    cr_assert_not(token_verify(KEY, t2, NOW, &out));
    g_free(t2);
    t2 = g_strdup(tok);
    strrchr(t2, '.')[1] = '\0';
    cr_assert_not(token_verify(KEY, t2, NOW, &out));
    g_free(t2);
    free(tok);
}

/* ---- hand-built tokens ---- */

Test(token, hand_built_hs256_control_is_accepted)
{
    char *payload = payload_with(GOOD_SUB, GOOD_ISS, GOOD_SID, GOOD_JTI, GOOD_EXP);
    struct token_claims out;
    memset(&out, 0, sizeof out);
    cr_assert(verify_payload(payload, &out), "the hand-built control token must verify");
    cr_assert_eq(out.user_id, 42);
    cr_assert_str_eq(out.role, "customer");
    cr_assert_str_eq(out.sid, SID);
    cr_assert_str_eq(out.jti, JTI);
    cr_assert_eq(out.iat, NOW - 60);
    cr_assert_eq(out.exp, NOW + 900);
    g_free(payload);
}

static void expect_other_alg_refused(const char *alg, GChecksumType type)
{
    char header[64];
    snprintf(header, sizeof header, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", alg);
    char *payload = payload_with(GOOD_SUB, GOOD_ISS, GOOD_SID, GOOD_JTI, GOOD_EXP);
    char *tok = make_jwt(header, payload, type, KEY, true);
    /* The token is genuine for its algorithm: libjwt itself accepts it. */
    jwt_t *jwt = NULL;
    cr_assert_eq(jwt_decode(&jwt, tok, (const unsigned char *)KEY, (int)strlen(KEY)), 0,
                 "the hand-built %s token should be valid", alg);
    cr_assert_str_eq(jwt_alg_str(jwt_get_alg(jwt)), alg);
    jwt_free(jwt);
    struct token_claims out;
    cr_assert_not(token_verify(KEY, tok, NOW, &out), "an %s token was accepted", alg);
    g_free(tok);
    g_free(payload);
}

Test(token, hs512_is_refused)
{
    expect_other_alg_refused("HS512", G_CHECKSUM_SHA512);
}

Test(token, hs384_is_refused)
{
    expect_other_alg_refused("HS384", G_CHECKSUM_SHA384);
}

Test(token, alg_none_is_refused)
{
    char *payload = payload_with(GOOD_SUB, GOOD_ISS, GOOD_SID, GOOD_JTI, GOOD_EXP);
    struct token_claims out;
    const char *headers[] = {"{\"alg\":\"none\"}", "{\"alg\":\"none\",\"typ\":\"JWT\"}",
                             "{\"alg\":\"None\",\"typ\":\"JWT\"}", "{\"typ\":\"JWT\"}"};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        char *tok = make_jwt(headers[i], payload, G_CHECKSUM_SHA256, KEY, false);
        cr_assert_not(token_verify(KEY, tok, NOW, &out), "accepted %s with no signature", headers[i]);
        g_free(tok);
        /* Nor with an HS256 signature under a header that does not say HS256. */
        tok = make_jwt(headers[i], payload, G_CHECKSUM_SHA256, KEY, true);
        cr_assert_not(token_verify(KEY, tok, NOW, &out), "accepted %s with a signature", headers[i]);
        g_free(tok);
    }
    g_free(payload);
}

Test(token, missing_or_bad_exp_is_refused)
{
    char *p = payload_with(GOOD_SUB, GOOD_ISS, GOOD_SID, GOOD_JTI, NULL);
    expect_refused_payload(p);
    g_free(p);
    p = payload_with(GOOD_SUB, GOOD_ISS, GOOD_SID, GOOD_JTI, "\"1800000900\"");
    expect_refused_payload(p);
    g_free(p);
    p = payload_with(GOOD_SUB, GOOD_ISS, GOOD_SID, GOOD_JTI, "1800000000"); /* == now */
    expect_refused_payload(p);
    g_free(p);
    p = payload_with(GOOD_SUB, GOOD_ISS, GOOD_SID, GOOD_JTI, "null");
    expect_refused_payload(p);
    g_free(p);
}

Test(token, wrong_or_missing_iss_is_refused)
{
    const char *bad[] = {"\"other\"", "\"appointd \"", "\"Appointd\"", "\"\"", "1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *p = payload_with(GOOD_SUB, bad[i], GOOD_SID, GOOD_JTI, GOOD_EXP);
        expect_refused_payload(p);
        g_free(p);
    }
    char *p = payload_with(GOOD_SUB, NULL, GOOD_SID, GOOD_JTI, GOOD_EXP);
    expect_refused_payload(p);
    g_free(p);
}

Test(token, sub_not_a_positive_integer_is_refused)
{
    const char *bad[] = {"\"0\"",   "\"-1\"",  "\"abc\"", "\"7abc\"", "\"\"",
                         "\"4.5\"", "\"99999999999999999999999\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *p = payload_with(bad[i], GOOD_ISS, GOOD_SID, GOOD_JTI, GOOD_EXP);
        expect_refused_payload(p);
        g_free(p);
    }
    char *p = payload_with(NULL, GOOD_ISS, GOOD_SID, GOOD_JTI, GOOD_EXP);
    expect_refused_payload(p);
    g_free(p);
    /* Large but valid ids are fine. */
    struct token_claims out;
    p = payload_with("\"9007199254740993\"", GOOD_ISS, GOOD_SID, GOOD_JTI, GOOD_EXP);
    cr_assert(verify_payload(p, &out));
    cr_assert_eq(out.user_id, INT64_C(9007199254740993));
    g_free(p);
}

Test(token, missing_sid_or_jti_is_refused)
{
    char *p = payload_with(GOOD_SUB, GOOD_ISS, NULL, GOOD_JTI, GOOD_EXP);
    expect_refused_payload(p);
    g_free(p);
    p = payload_with(GOOD_SUB, GOOD_ISS, GOOD_SID, NULL, GOOD_EXP);
    expect_refused_payload(p);
    g_free(p);
    p = payload_with(GOOD_SUB, GOOD_ISS, "\"\"", GOOD_JTI, GOOD_EXP);
    expect_refused_payload(p);
    g_free(p);
    p = payload_with(GOOD_SUB, GOOD_ISS, GOOD_SID, "\"\"", GOOD_EXP);
    expect_refused_payload(p);
    g_free(p);
}

Test(token, garbage_and_empty_are_refused)
{
    struct token_claims out;
    const char *bad[] = {"",
                         ".",
                         "..",
                         "...",
                         "abc",
                         "a.b.c",
                         "Bearer x",
                         "eyJhbGciOiJIUzI1NiJ9",
                         "eyJhbGciOiJIUzI1NiJ9.e30.",
                         "eyJhbGciOiJIUzI1NiJ9.!!!.xyz",
                         "\xff\xfe.\x01.\x02"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_not(token_verify(KEY, bad[i], NOW, &out), "garbage %zu was accepted", i);
    cr_assert_not(token_verify(KEY, NULL, NOW, &out));

    /* A valid token with trailing junk, and an oversized one. */
    struct token_claims c = claims();
    char *tok = token_sign(KEY, &c);
    char *t2 = g_strdup_printf("%sx", tok);
    cr_assert_not(token_verify(KEY, t2, NOW, &out));
    g_free(t2);
    t2 = g_strdup_printf("%s.%s", tok, "abc");
    cr_assert_not(token_verify(KEY, t2, NOW, &out));
    g_free(t2);
    free(tok);
    char *big = g_malloc(6000);
    memset(big, 'a', 5999);
    big[5999] = '\0';
    cr_assert_not(token_verify(KEY, big, NOW, &out));
    g_free(big);
}

/* The per-thread cache of verified tokens (token_cache_init) must change no
 * answer: same claims on a hit, exp still checked, other keys not served. */
Test(token, cache_changes_no_answer)
{
    struct token_claims c = claims(), out, again;
    token_cache_init(KEY);
    char *tok = token_sign(KEY, &c);
    cr_assert_not_null(tok);
    cr_assert(token_verify(KEY, tok, NOW, &out));
    cr_assert(token_verify(KEY, tok, NOW, &again), "a cached token still verifies");
    cr_assert_eq(again.user_id, out.user_id);
    cr_assert_str_eq(again.sid, out.sid);
    cr_assert_eq(again.exp, c.exp);
    cr_assert_not(token_verify(KEY, tok, c.exp, &again), "a cached token still expires");
    cr_assert_not(token_verify(OTHER_KEY, tok, NOW, &again), "another key is not served from the cache");
    char *tampered = g_strdup(tok);
    tampered[strlen(tampered) - 2] = tampered[strlen(tampered) - 2] == 'A' ? 'B' : 'A';
    cr_assert_not(token_verify(KEY, tampered, NOW, &again), "a different string is decoded anew");
    g_free(tampered);
    free(tok);
    token_cache_init("");
}
