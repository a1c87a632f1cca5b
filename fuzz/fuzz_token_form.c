/* Fuzzes the OAuth2 password form of POST /api/v1/auth/token:
 * schema_token_form (src/schemas/users.h) on the raw bytes sent as
 * application/x-www-form-urlencoded, passed with their length and no
 * terminator. Invariants on a successful parse abort when broken.
 *
 * Not asserted, by design: a username that is only blanks ("username=+++")
 * is accepted and comes out as the empty string, because the form reader
 * checks for emptiness before trimming. That is a validation gap (the login
 * then fails as an unknown user), not a memory error; see fuzz/README.md. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/error.h"
#include "models/user.h"
#include "schemas/users.h"

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char CT[] = "application/x-www-form-urlencoded";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct field_errors fe = {0};
    char email[USER_EMAIL_MAX + 1];
    static char password[PASSWORD_BUF];
    memset(email, 0x5a, sizeof email);
    memset(password, 0x5a, sizeof password);

    bool ok = schema_token_form((const char *)data, size, CT, email, password, &fe);
    if (fe.n < 0 || fe.n > FIELD_ERRORS_MAX || ok != (fe.n == 0))
        abort();
    if (!ok) {
        /* Only the two fields can be wrong, each at most once. */
        if (fe.n > 2)
            abort();
        return 0;
    }

    /* Both fields came back as terminated strings within their buffers. */
    size_t el = strnlen(email, sizeof email), pl = strnlen(password, sizeof password);
    if (el >= sizeof email || pl >= sizeof password || pl == 0)
        abort();
    /* The username is trimmed (g_strstrip: g_ascii_isspace, which leaves a
     * vertical tab alone: corpus/token_form/crash_vtab_username) and
     * lower-cased. */
    for (size_t i = 0; i < el; i++)
        if (email[i] >= 'A' && email[i] <= 'Z')
            abort();
    if (el > 0 && (g_ascii_isspace(email[0]) || g_ascii_isspace(email[el - 1])))
        abort();
    return 0;
}
