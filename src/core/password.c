#include "core/password.h"

#include <crypt.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/cpu.h"

/* bcrypt computations finished by this process (password_bcrypt_count). */
static atomic_ulong bcrypt_runs;

/* Written once by password_init before any thread starts, read-only after. */
static char dummy_hash[PASSWORD_HASH_MAX];

static bool equal_ct(const char *a, const char *b, size_t n)
{
    unsigned char diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* One bcrypt of password with setting (a salt or a whole hash) into cd. */
static const char *run_bcrypt(const char *password, const char *setting, struct crypt_data *cd)
{
    cpu_background_begin();
    const char *h = crypt_rn(password, setting, cd, sizeof *cd);
    cpu_background_end();
    if (h && h[0] == '$')
        atomic_fetch_add_explicit(&bcrypt_runs, 1, memory_order_relaxed);
    return h;
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
    const char *h = run_bcrypt(password, salt, cd);
    bool ok = h && h[0] == '$' && strlen(h) < PASSWORD_HASH_MAX;
    if (ok)
        memcpy(out, h, strlen(h) + 1);
    free(cd);
    return ok;
}

/* A password that cannot match still costs exactly one bcrypt, so a login
 * takes as long whatever made it fail: an unknown email burns one against
 * the dummy hash, and a long password used to answer in 2 ms for a known
 * email but 200+ ms for an unknown one. Burning one in both cases (rather
 * than neither) keeps every failed login the same: a long password would
 * otherwise be the one attempt whose time shows only the database lookups,
 * which differ between a found and a missing email. Too long: its first 72
 * bytes against the user's own hash, at that hash's cost, as a wrong
 * password of that length would cost; not a $2b$ hash: the dummy's. */
bool password_verify(const char *password, const char *hash)
{
    char head[PASSWORD_MAX_BYTES + 1];
    bool usable = strlen(password) <= PASSWORD_MAX_BYTES;
    bool bcrypt = strncmp(hash, "$2b$", 4) == 0;
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (!cd)
        return false;
    memcpy(head, password, usable ? strlen(password) + 1 : PASSWORD_MAX_BYTES);
    head[PASSWORD_MAX_BYTES] = '\0';
    const char *h = run_bcrypt(head, bcrypt ? hash : dummy_hash, cd);
    size_t n = strlen(hash);
    bool ok = usable && bcrypt && h && strlen(h) == n && equal_ct(h, hash, n);
    free(cd);
    return ok;
}

bool password_init(int cost)
{
    return password_hash("appointd-dummy-password", cost, dummy_hash);
}

void password_burn(void)
{
    (void)password_verify("appointd-not-the-password", dummy_hash);
}

unsigned long password_bcrypt_count(void)
{
    return atomic_load_explicit(&bcrypt_runs, memory_order_relaxed);
}
