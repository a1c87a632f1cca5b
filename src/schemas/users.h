/* JSON <-> users and auth: signup, login, token form, patches, token pairs. */
#ifndef SCHEMAS_USERS_H
#define SCHEMAS_USERS_H
#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "models/user.h"

#define PASSWORD_BUF 1024

/* What a client may change in a user; has_* says which fields came. */
struct user_patch {
    bool has_name, has_role, has_active;
    char name[USER_NAME_MAX_CHARS * 4 + 1];
    enum role role;
    bool is_active;
};

/* Signup body into u (name, email, role) and password. */
bool schema_signup(const char *body, size_t len, const char *ct, struct user *u, char *password,
                   struct field_errors *fe);
/* Login body: email (trimmed, lower-cased) and password. */
bool schema_login(const char *body, size_t len, const char *ct, char *email, char *password,
                  struct field_errors *fe);
/* The OAuth2 password form: username=…&password=… */
bool schema_token_form(const char *body, size_t len, const char *ct, char *email, char *password,
                       struct field_errors *fe);
bool schema_refresh(const char *body, size_t len, const char *ct, char *token, size_t toklen,
                    struct field_errors *fe);
/* PATCH body; only name when admin is false. */
bool schema_user_patch(const char *body, size_t len, const char *ct, bool admin,
                       struct user_patch *p, struct field_errors *fe);
bool schema_password_change(const char *body, size_t len, const char *ct, char *current,
                            char *next, struct field_errors *fe);

json_t *schema_user_json(const struct user *u);
json_t *schema_token_json(const char *access, const char *refresh, int expires_in);
#endif
