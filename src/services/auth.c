#include "services/auth.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/password.h"
#include "core/random.h"
#include "core/timeutil.h"

/* Set once by auth_init before any worker starts; read-only afterwards. */
static char jwt_key[512];
static int cost = 12, access_seconds = 900, refresh_seconds = 30 * 86400;
static struct {
    int window, email_ip, email, ip;
    int signup_window, signups_ip;
} limits = {900, 10, 100, 100, 3600, 100};

bool auth_init(const char *jwt_secret, const struct config *cfg)
{
    g_strlcpy(jwt_key, jwt_secret, sizeof jwt_key);
    token_cache_init(jwt_key);
    cost = cfg->bcrypt_cost;
    access_seconds = cfg->access_token_expire_minutes * 60;
    refresh_seconds = cfg->refresh_token_expire_days * 86400;
    limits.window = cfg->login_window_seconds;
    limits.email_ip = cfg->login_max_failures_email_ip;
    limits.email = cfg->login_max_failures_email;
    limits.ip = cfg->login_max_failures_ip;
    limits.signup_window = cfg->signup_window_seconds;
    limits.signups_ip = cfg->signup_max_per_ip;
    return password_init(cost);
}

/* Seconds until the limit that is reached frees up; 0 when none is reached. */
static int64_t limited_for(int64_t count, int max, int64_t oldest, int64_t now, int window)
{
    if (count < max)
        return 0;
    int64_t wait = oldest + window - now;
    return wait > 0 ? wait : 1;
}

static enum app_err check_limits(struct store *s, const char *email, const char *ip, int64_t now,
                                 int64_t *retry_after)
{
    struct login_failure_counts c;
    enum app_err err = store_login_failures(s, email, ip, now - limits.window, &c);
    if (err)
        return err;
    int64_t waits[] = {limited_for(c.email_ip, limits.email_ip, c.email_ip_oldest, now, limits.window),
                       limited_for(c.email, limits.email, c.email_oldest, now, limits.window),
                       limited_for(c.ip, limits.ip, c.ip_oldest, now, limits.window)};
    *retry_after = 0;
    for (int i = 0; i < 3; i++)
        if (waits[i] > *retry_after)
            *retry_after = waits[i];
    return *retry_after ? APP_ERR_TOO_MANY_LOGINS : APP_OK;
}

static enum app_err failed(struct store *s, const char *email, const char *ip, int64_t now)
{
    enum app_err err = store_login_failure_add(s, email, ip, now, now - limits.window);
    return err ? err : APP_ERR_BAD_LOGIN;
}

void token_pair_release(struct token_pair *tp)
{
    free(tp->access_token);
    tp->access_token = NULL;
}

static void sha256_hex(const char *text, char *out)
{
    gchar *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, text, -1);
    g_strlcpy(out, h, 65);
    g_free(h);
}

/* Refresh tokens are "<session id>.<secret>"; only the secret's hash is kept. */
static enum app_err issue_pair(const struct user *u, const char *sid, const char *refresh_secret,
                               struct token_pair *out)
{
    struct token_claims c = {.user_id = u->id, .iat = clock_now()};
    c.exp = c.iat + access_seconds;
    g_strlcpy(c.role, role_name(u->role), sizeof c.role);
    g_strlcpy(c.sid, sid, sizeof c.sid);
    if (!random_hex(c.jti, TOKEN_ID_LEN / 2))
        return APP_ERR_INTERNAL;
    out->access_token = token_sign(jwt_key, &c);
    if (!out->access_token)
        return APP_ERR_INTERNAL;
    g_snprintf(out->refresh_token, sizeof out->refresh_token, "%s.%s", sid, refresh_secret);
    out->expires_in = access_seconds;
    return APP_OK;
}

enum app_err auth_signup(struct store *s, struct user *u, const char *password)
{
    if (!password_hash(password, cost, u->password_hash))
        return APP_ERR_INTERNAL;
    u->is_active = true;
    u->created_at = clock_now();
    g_strlcpy(u->timezone, "UTC", sizeof u->timezone);
    enum app_err err = store_user_insert(s, u);
    return err == APP_ERR_CONFLICT ? APP_ERR_EMAIL_TAKEN : err;
}

/* Before any bcrypt work: refused once the address signed up (or tried to:
 * a taken email costs a hash too) too often within the window; otherwise the
 * attempt is counted. */
static enum app_err signup_allowed(struct store *s, const char *ip, int64_t now,
                                   int64_t *retry_after)
{
    int64_t count, oldest;
    enum app_err err = store_signup_attempts(s, ip, now - limits.signup_window, &count, &oldest);
    if (err)
        return err;
    *retry_after = limited_for(count, limits.signups_ip, oldest, now, limits.signup_window);
    if (*retry_after)
        return APP_ERR_TOO_MANY_SIGNUPS;
    return store_signup_attempt_add(s, ip, now, now - limits.signup_window);
}

enum app_err auth_signup_from(struct store *s, struct user *u, const char *password,
                              const char *client_ip, int64_t *retry_after)
{
    enum app_err err = signup_allowed(s, client_ip, clock_now(), retry_after);
    return err ? err : auth_signup(s, u, password);
}

enum app_err auth_login(struct store *s, const char *email, const char *password,
                        const char *client_ip, struct token_pair *out, int64_t *retry_after)
{
    struct user u;
    int64_t now = clock_now();
    enum app_err err = check_limits(s, email, client_ip, now, retry_after);
    if (!err)
        err = store_user_by_email(s, email, &u);
    if (err == APP_ERR_USER_NOT_FOUND) {
        password_burn();
        return failed(s, email, client_ip, now);
    }
    if (err)
        return err;
    if (!password_verify(password, u.password_hash) || !u.is_active)
        return failed(s, email, client_ip, now);
    struct session sess = {.user_id = u.id, .created_at = clock_now()};
    char secret[65];
    sess.expires_at = sess.created_at + refresh_seconds;
    if (!random_hex(sess.id, 16) || !random_hex(secret, 32))
        return APP_ERR_INTERNAL;
    sha256_hex(secret, sess.refresh_hash);
    err = store_session_insert(s, &sess);
    return err ? err : issue_pair(&u, sess.id, secret, out);
}

enum app_err auth_refresh(struct store *s, const char *refresh_token, struct token_pair *out)
{
    char sid[33], hash[65], new_secret[65], new_hash[65];
    const char *dot = strchr(refresh_token, '.');
    if (!dot || dot - refresh_token != 32)
        return APP_ERR_BAD_TOKEN;
    g_strlcpy(sid, refresh_token, sizeof sid);
    sha256_hex(dot + 1, hash);
    struct session sess;
    struct user u;
    int64_t now = clock_now();
    enum app_err err = store_session_get(s, sid, &sess);
    if (err)
        return err == APP_ERR_NOT_FOUND ? APP_ERR_BAD_TOKEN : err;
    if (sess.revoked || sess.expires_at <= now)
        return APP_ERR_BAD_TOKEN;
    if (!random_hex(new_secret, 32))
        return APP_ERR_INTERNAL;
    sha256_hex(new_secret, new_hash);
    err = store_session_rotate(s, sid, hash, new_hash);
    if (err == APP_ERR_CONFLICT) {
        /* A used refresh token came back: someone else may hold the pair. */
        store_session_revoke(s, sid, now);
        return APP_ERR_BAD_TOKEN;
    }
    if (!err)
        err = store_session_user(s, sid, sess.user_id, now, &u);
    if (err)
        return err == APP_ERR_USER_NOT_FOUND ? APP_ERR_BAD_TOKEN : err;
    return issue_pair(&u, sid, new_secret, out);
}

enum app_err auth_logout(struct store *s, const struct token_claims *claims)
{
    return store_session_revoke(s, claims->sid, clock_now());
}

enum app_err auth_authenticate(struct store *s, const char *authorization, struct user *u,
                               struct token_claims *claims)
{
    if (!authorization || !*authorization)
        return APP_ERR_NOT_AUTHENTICATED;
    /* As FastAPI's OAuth2PasswordBearer: another scheme is no token at all;
     * "Bearer" with nothing after it is a token that fails. */
    if (g_ascii_strncasecmp(authorization, "Bearer", 6) != 0 ||
        (authorization[6] != ' ' && authorization[6] != '\0'))
        return APP_ERR_NOT_AUTHENTICATED;
    const char *token = authorization + 6;
    while (*token == ' ')
        token++;
    int64_t now = clock_now();
    if (!token_verify(jwt_key, token, now, claims))
        return APP_ERR_BAD_TOKEN;
    enum app_err err = store_session_user(s, claims->sid, claims->user_id, now, u);
    return err == APP_ERR_USER_NOT_FOUND ? APP_ERR_BAD_TOKEN : err;
}

enum app_err auth_change_password(struct store *s, struct user *u, const char *keep_sid,
                                  const char *current, const char *next)
{
    if (!password_verify(current, u->password_hash))
        return APP_ERR_BAD_PASSWORD;
    if (!password_hash(next, cost, u->password_hash))
        return APP_ERR_INTERNAL;
    enum app_err err = store_begin(s, true);
    if (!err)
        err = store_user_update(s, u);
    if (!err)
        err = store_sessions_revoke_user(s, u->id, keep_sid, clock_now());
    if (!err)
        err = store_commit(s);
    else
        store_rollback(s);
    return err;
}
