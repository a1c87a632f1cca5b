#include "core/signature.h"

#include <glib.h>
#include <string.h>
#include <sys/random.h>

#include "core/banned.h"

#define PREFIX "whsec_"

/* Strict standard base64: GLib's decoder skips what it does not know, so
 * the alphabet and padding are checked here first. */
static bool base64_strict(const char *s, size_t n)
{
    if (n == 0 || n % 4)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool pad_ok = c == '=' && i >= n - 2 && (i == n - 1 || s[n - 1] == '=');
        if (!(g_ascii_isalnum(c) || c == '+' || c == '/' || pad_ok))
            return false;
    }
    return true;
}

bool signature_secret_parse(const char *text, unsigned char *key, size_t *key_len)
{
    size_t n = strlen(text);
    if (n <= strlen(PREFIX) || strncmp(text, PREFIX, strlen(PREFIX)) != 0 ||
        n >= SIGNATURE_SECRET_MAX_LEN || !base64_strict(text + 6, n - 6))
        return false;
    gsize len = 0;
    guchar *bytes = g_base64_decode(text + 6, &len);
    bool ok = bytes && len >= SIGNATURE_SECRET_MIN_BYTES && len <= SIGNATURE_SECRET_MAX_BYTES;
    if (ok && key) {
        memcpy(key, bytes, len);
        *key_len = len;
    }
    if (bytes)
        memset(bytes, 0, len);
    g_free(bytes);
    return ok;
}

bool signature_secret_generate(char *out)
{
    unsigned char raw[32];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        return false;
    gchar *b64 = g_base64_encode(raw, sizeof raw);
    g_snprintf(out, SIGNATURE_SECRET_MAX_LEN, PREFIX "%s", b64);
    memset(raw, 0, sizeof raw);
    g_free(b64);
    return true;
}

bool signature_sign(const char *secret, const char *msg_id, int64_t timestamp, const char *body,
                    size_t body_len, char *out)
{
    unsigned char key[SIGNATURE_SECRET_MAX_BYTES], mac[32];
    size_t key_len = 0;
    gsize mac_len = sizeof mac;
    char ts[24];
    if (!signature_secret_parse(secret, key, &key_len))
        return false;
    g_snprintf(ts, sizeof ts, ".%" G_GINT64_FORMAT ".", timestamp);
    GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, key, key_len);
    g_hmac_update(h, (const guchar *)msg_id, (gssize)strlen(msg_id));
    g_hmac_update(h, (const guchar *)ts, (gssize)strlen(ts));
    g_hmac_update(h, (const guchar *)body, (gssize)body_len);
    g_hmac_get_digest(h, mac, &mac_len);
    g_hmac_unref(h);
    gchar *b64 = g_base64_encode(mac, mac_len);
    g_snprintf(out, SIGNATURE_LEN, "v1,%s", b64);
    g_free(b64);
    memset(key, 0, sizeof key);
    return true;
}
