#include "core/password.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/cpu.h"

static bool equal_ct(const char *a, const char *b, size_t n)
{
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

bool password_hash(const char *password, int cost, char *out)
{
    size_t len = strlen(password);
    if (len < PASSWORD_MIN_BYTES || len > PASSWORD_MAX_BYTES)
        return false;
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (!crypt_gensalt_rn("$2b$", (unsigned long)cost, NULL, 0, salt, sizeof salt))
        return false;
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (!cd)
        return false;
    cpu_background_begin();
    const char *h = crypt_rn(password, salt, cd, sizeof *cd);
    cpu_background_end();
    bool ok = h && h[0] == '$' && strlen(h) < PASSWORD_HASH_MAX;
    if (ok)
        memcpy(out, h, strlen(h) + 1);
    free(cd);
    return ok;
}

bool password_verify(const char *password, const char *hash)
{
    if (strlen(password) > PASSWORD_MAX_BYTES || strncmp(hash, "$2b$", 4) != 0)
        return false;
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (!cd)
        return false;
    cpu_background_begin();
    const char *h = crypt_rn(password, hash, cd, sizeof *cd);
    cpu_background_end();
    size_t n = strlen(hash);
    bool ok = h && strlen(h) == n && equal_ct(h, hash, n);
    free(cd);
    return ok;
}

/* Written once by password_init before any thread starts, read-only after. */
static char dummy_hash[PASSWORD_HASH_MAX];

bool password_init(int cost)
{
    return password_hash("appointd-dummy-password", cost, dummy_hash);
}

void password_burn(void)
{
    (void)password_verify("appointd-not-the-password", dummy_hash);
}
