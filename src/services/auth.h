/* Signup, login, tokens and sessions. */
#ifndef SERVICES_AUTH_H
#define SERVICES_AUTH_H
#include <stdbool.h>

#include "core/config.h"
#include "core/error.h"
#include "core/token.h"
#include "db/store.h"
#include "models/user.h"

#define REFRESH_TOKEN_MAX 128

struct token_pair {
    char *access_token; /* malloc'd */
    char refresh_token[REFRESH_TOKEN_MAX];
    int expires_in;
};

/* Sets the signing key, bcrypt cost, token lifetimes and login limits from
 * cfg; call once before serving. */
bool auth_init(const char *jwt_secret, const struct config *cfg);

/* Creates the user u (name, email, role set) with password. Sets u's other
 * fields. APP_ERR_EMAIL_TAKEN when the email exists. */
enum app_err auth_signup(struct store *s, struct user *u, const char *password);
/* auth_signup for a client at client_ip: APP_ERR_TOO_MANY_SIGNUPS (with
 * *retry_after in seconds), without any bcrypt, once that address signed up
 * SIGNUP_MAX_PER_IP times within SIGNUP_WINDOW_SECONDS (counted in the
 * database, so across processes); every attempt that gets past that counts. */
enum app_err auth_signup_from(struct store *s, struct user *u, const char *password,
                              const char *client_ip, int64_t *retry_after);
/* Checks the password and opens a session. APP_ERR_BAD_LOGIN for an unknown
 * email, a wrong password or an inactive user, after the same bcrypt work,
 * and counted against email and client_ip. APP_ERR_TOO_MANY_LOGINS (with
 * *retry_after in seconds) once too many failures came, without any bcrypt. */
enum app_err auth_login(struct store *s, const char *email, const char *password,
                        const char *client_ip, struct token_pair *out, int64_t *retry_after);
/* Exchanges a refresh token for a new pair; reusing one revokes its session. */
enum app_err auth_refresh(struct store *s, const char *refresh_token, struct token_pair *out);
enum app_err auth_logout(struct store *s, const struct token_claims *claims);
/* Resolves "Bearer <token>" to its active user. APP_ERR_NOT_AUTHENTICATED with
 * no header, APP_ERR_BAD_TOKEN for anything else that is not ours and current. */
enum app_err auth_authenticate(struct store *s, const char *authorization, struct user *u,
                               struct token_claims *claims);
/* Changes the password of u after checking current; ends every other session. */
enum app_err auth_change_password(struct store *s, struct user *u, const char *keep_sid,
                                  const char *current, const char *next);
void token_pair_release(struct token_pair *tp);
#endif
