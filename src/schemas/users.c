#include "schemas/users.h"

#include <glib.h>
#include <string.h>

#include "core/banned.h"
#include "core/password.h"
#include "schemas/common.h"

/* atext of RFC 5322: what a dot-atom local part is made of. */
static bool atext(char c)
{
    return g_ascii_isalnum(c) || (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* Dot-separated runs of ok(c), each 1..max long, none empty. */
static bool dotted(const char *p, const char *end, bool (*ok)(char), size_t max)
{
    size_t run = 0;
    for (; p < end; p++) {
        if (*p == '.' && run == 0)
            return false;
        if (*p != '.' && !ok(*p))
            return false;
        run = *p == '.' ? 0 : run + 1;
        if (run > max)
            return false;
    }
    return run > 0;
}

static bool label_char(char c)
{
    return g_ascii_isalnum(c) || c == '-';
}

/* A host name: two labels or more, none starting or ending with '-'. */
static bool domain_ok(const char *d)
{
    size_t n = strlen(d);
    if (n > 253 || !strchr(d, '.') || !dotted(d, d + n, label_char, 63))
        return false;
    for (const char *p = d; *p; p++)
        if (*p == '-' && (p == d || p[-1] == '.' || p[1] == '.' || p[1] == '\0'))
            return false;
    return true;
}

/* The addresses OpenAPI's "email" format means (RFC 5321's Mailbox with a
 * dot-atom local part and a host name), so that a client checking the
 * document's format accepts every address the server does: ASCII only, no
 * quoted local parts, no empty dot-separated parts. */
static bool email_ok(const char *e)
{
    const char *at = strchr(e, '@');
    if (!at || at - e > 64 || strchr(at + 1, '@'))
        return false;
    return dotted(e, at, atext, 64) && domain_ok(at + 1);
}

/* Emails are trimmed by the readers and compared lower-cased. */
static void lower_in_place(char *s)
{
    for (; *s; s++)
        *s = g_ascii_tolower(*s);
}

static bool read_email(json_t *obj, char *email, struct field_errors *fe)
{
    if (!schema_string(obj, "email", true, 1, USER_EMAIL_MAX, true, email, USER_EMAIL_MAX + 1,
                       NULL, fe))
        return false;
    lower_in_place(email);
    if (!email_ok(email)) {
        field_errors_add(fe, "body", "email", "value_error",
                         "value is not a valid email address");
        return false;
    }
    return true;
}

/* A new password: 8–72 bytes, since bcrypt would silently drop the rest. */
static bool read_new_password(json_t *obj, const char *field, char *out, struct field_errors *fe)
{
    if (!schema_string(obj, field, true, 0, PASSWORD_BUF, false, out, PASSWORD_BUF, NULL, fe))
        return false;
    size_t n = strlen(out);
    if (n < PASSWORD_MIN_BYTES || n > PASSWORD_MAX_BYTES) {
        field_errors_add(fe, "body", field, n < PASSWORD_MIN_BYTES ? "string_too_short" : "string_too_long",
                         "Password must be 8 to 72 bytes");
        return false;
    }
    return true;
}

bool schema_signup(const char *body, size_t len, const char *ct, struct user *u, char *password,
                   struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    char role[32] = "customer";
    bool has_role;
    schema_string(obj, "name", true, 1, USER_NAME_MAX_CHARS, true, u->name, sizeof u->name, NULL, fe);
    read_email(obj, u->email, fe);
    read_new_password(obj, "password", password, fe);
    if (schema_string(obj, "role", false, 1, 16, false, role, sizeof role, &has_role, fe) &&
        (!role_parse(role, &u->role) || u->role == ROLE_ADMIN))
        field_errors_add(fe, "body", "role", "enum", "Input should be 'customer' or 'provider'");
    json_decref(obj);
    return fe->n == 0;
}

bool schema_login(const char *body, size_t len, const char *ct, char *email, char *password,
                  struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    if (schema_string(obj, "email", true, 1, USER_EMAIL_MAX, true, email, USER_EMAIL_MAX + 1,
                      NULL, fe))
        lower_in_place(email);
    schema_string(obj, "password", true, 1, PASSWORD_BUF, false, password, PASSWORD_BUF, NULL, fe);
    json_decref(obj);
    return fe->n == 0;
}

static bool form_field(GHashTable *form, const char *name, char *out, size_t outlen,
                       struct field_errors *fe)
{
    const char *v = g_hash_table_lookup(form, name);
    if (!v || !*v) {
        field_errors_add(fe, "body", name, "missing", "Field required");
        return false;
    }
    if (g_strlcpy(out, v, outlen) >= outlen) {
        field_errors_add(fe, "body", name, "string_too_long", "String is too long");
        return false;
    }
    return true;
}

bool schema_token_form(const char *body, size_t len, const char *ct, char *email, char *password,
                       struct field_errors *fe)
{
    if (!ct || g_ascii_strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
        field_errors_add(fe, "body", "", "model_attributes_type",
                         "Body must be application/x-www-form-urlencoded");
        return false;
    }
    char *text = g_strndup(body ? body : "", len);
    GHashTable *form = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    char **pairs = g_strsplit(text, "&", 64);
    for (char **p = pairs; *p; p++) {
        char *eq = strchr(*p, '=');
        if (!eq)
            continue;
        *eq = '\0';
        for (char *c = eq + 1; *c; c++)
            if (*c == '+')
                *c = ' ';
        char *k = g_uri_unescape_string(*p, NULL), *v = g_uri_unescape_string(eq + 1, NULL);
        if (k && v && !g_hash_table_contains(form, k))
            g_hash_table_insert(form, k, v);
        else {
            g_free(k);
            g_free(v);
        }
    }
    if (form_field(form, "username", email, USER_EMAIL_MAX + 1, fe)) {
        lower_in_place(g_strstrip(email));
        if (!*email)
            field_errors_add(fe, "body", "username", "missing", "Field required");
    }
    form_field(form, "password", password, PASSWORD_BUF, fe);
    g_strfreev(pairs);
    g_hash_table_destroy(form);
    g_free(text);
    return fe->n == 0;
}

bool schema_refresh(const char *body, size_t len, const char *ct, char *token, size_t toklen,
                    struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    schema_string(obj, "refresh_token", true, 1, (int)toklen - 1, false, token, toklen, NULL, fe);
    json_decref(obj);
    return fe->n == 0;
}

bool schema_user_patch(const char *body, size_t len, const char *ct, bool admin,
                       struct user_patch *p, struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    memset(p, 0, sizeof *p);
    schema_string(obj, "name", false, 1, USER_NAME_MAX_CHARS, true, p->name, sizeof p->name,
                  &p->has_name, fe);
    if (admin) {
        char role[32];
        if (schema_string(obj, "role", false, 1, 16, false, role, sizeof role, &p->has_role, fe) &&
            p->has_role && !role_parse(role, &p->role))
            field_errors_add(fe, "body", "role", "enum",
                             "Input should be 'customer', 'provider' or 'admin'");
        schema_bool(obj, "is_active", &p->is_active, &p->has_active, fe);
    }
    json_decref(obj);
    return fe->n == 0;
}

bool schema_password_change(const char *body, size_t len, const char *ct, char *current,
                            char *next, struct field_errors *fe)
{
    json_t *obj = schema_parse_object(body, len, ct, fe);
    if (!obj)
        return false;
    schema_string(obj, "current_password", true, 1, PASSWORD_BUF, false, current, PASSWORD_BUF,
                  NULL, fe);
    read_new_password(obj, "new_password", next, fe);
    json_decref(obj);
    return fe->n == 0;
}

json_t *schema_user_json(const struct user *u)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:b,s:o}", "id", (json_int_t)u->id, "name", u->name,
                     "email", u->email, "role", role_name(u->role), "is_active", u->is_active,
                     "created_at", schema_time_json(u->created_at, false));
}

json_t *schema_token_json(const char *access, const char *refresh, int expires_in)
{
    return json_pack("{s:s,s:s,s:i,s:s}", "access_token", access, "token_type", "bearer",
                     "expires_in", expires_in, "refresh_token", refresh);
}
