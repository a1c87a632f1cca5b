/* Fuzzes the JSON request bodies of the user routes: schema_parse_object
 * (src/schemas/common.h) and schema_signup, schema_login and schema_user_patch
 * (src/schemas/users.h), on the raw bytes sent as application/json. The body
 * is passed with its length and no terminator, as libmicrohttpd hands it over,
 * so AddressSanitizer sees any read past its end. Invariants on what a
 * successful parse returns abort when broken. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/error.h"
#include "core/password.h"
#include "models/user.h"
#include "schemas/common.h"
#include "schemas/users.h"

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char CT[] = "application/json";

static bool has_upper_ascii(const char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            return true;
    return false;
}

static size_t count_char(const char *s, char c)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == c;
    return n;
}

/* The error list stays in bounds and every entry is a terminated string. */
static void check_errors(const struct field_errors *fe, bool ok)
{
    if (fe->n < 0 || fe->n > FIELD_ERRORS_MAX || ok != (fe->n == 0))
        abort();
    for (int i = 0; i < fe->n; i++) {
        const struct field_error *e = &fe->items[i];
        if (!memchr(e->loc0, '\0', sizeof e->loc0) || !memchr(e->field, '\0', sizeof e->field) ||
            !memchr(e->type, '\0', sizeof e->type) || !memchr(e->msg, '\0', sizeof e->msg))
            abort();
    }
}

static void fuzz_parse_object(const char *body, size_t len)
{
    struct field_errors fe = {0};
    json_t *obj = schema_parse_object(body, len, CT, &fe);
    if (obj) {
        if (!json_is_object(obj) || fe.n != 0)
            abort();
        json_decref(obj);
    } else if (fe.n != 1) {
        abort();
    }
}

static void fuzz_signup(const char *body, size_t len)
{
    struct field_errors fe = {0};
    static struct user u;
    static char password[PASSWORD_BUF];
    memset(&u, 0, sizeof u);
    u.role = ROLE_ADMIN; /* must be overwritten on success */
    memset(password, 0, sizeof password);
    bool ok = schema_signup(body, len, CT, &u, password, &fe);
    check_errors(&fe, ok);
    if (!ok)
        return;
    if (u.role != ROLE_CUSTOMER && u.role != ROLE_PROVIDER)
        abort();
    if (!memchr(u.email, '\0', sizeof u.email) || count_char(u.email, '@') != 1 ||
        has_upper_ascii(u.email) || u.email[0] == '@')
        abort();
    if (!memchr(u.name, '\0', sizeof u.name) || u.name[0] == '\0')
        abort();
    size_t pl = strnlen(password, sizeof password);
    if (pl < PASSWORD_MIN_BYTES || pl > PASSWORD_MAX_BYTES)
        abort();
}

static void fuzz_login(const char *body, size_t len)
{
    struct field_errors fe = {0};
    char email[USER_EMAIL_MAX + 1];
    static char password[PASSWORD_BUF];
    memset(email, 0, sizeof email);
    memset(password, 0, sizeof password);
    bool ok = schema_login(body, len, CT, email, password, &fe);
    check_errors(&fe, ok);
    if (!ok)
        return;
    if (!memchr(email, '\0', sizeof email) || email[0] == '\0' || has_upper_ascii(email))
        abort();
    if (strnlen(password, sizeof password) == 0 || strnlen(password, sizeof password) >= sizeof password)
        abort();
}

static void fuzz_user_patch(const char *body, size_t len, bool admin)
{
    struct field_errors fe = {0};
    struct user_patch p;
    memset(&p, 0xa5, sizeof p);
    bool ok = schema_user_patch(body, len, CT, admin, &p, &fe);
    check_errors(&fe, ok);
    if (!ok)
        return;
    /* Only an admin may send role and is_active. */
    if (!admin && (p.has_role || p.has_active))
        abort();
    if (p.has_name && (!memchr(p.name, '\0', sizeof p.name) || p.name[0] == '\0'))
        abort();
    if (p.has_role && p.role != ROLE_CUSTOMER && p.role != ROLE_PROVIDER && p.role != ROLE_ADMIN)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    fuzz_parse_object(body, size);
    fuzz_signup(body, size);
    fuzz_login(body, size);
    fuzz_user_patch(body, size, false);
    fuzz_user_patch(body, size, true);
    return 0;
}
