#include "services/auth.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/password.h"
#include "core/random.h"
#include "core/timeutil.h"
#include "services/audit.h"

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

/* Counts the attempt as a failure before any password is checked, so that
 * concurrent guesses see each other; a success takes it back. Attempts for
 * one email take turns here. */
static enum app_err count_attempt(struct store *s, const char *email, const char *ip, int64_t now,
                                  int64_t *retry_after, int64_t *attempt)
{
    enum app_err err = store_begin(s);
    if (!err)
        err = store_login_lock(s, email);
    if (!err)
        err = check_limits(s, email, ip, now, retry_after);
    if (!err)
        err = store_login_failure_add(s, email, ip, now, attempt);
    /* A refusal wrote nothing: ending it as a success costs nothing either. */
    enum app_err end = store_end(s, err == APP_ERR_TOO_MANY_LOGINS ? APP_OK : err);
    return end ? end : err;
}

static enum app_err failed(struct store *s, const char *email, const struct user *u)
{
    struct audit_details *d = schema_details_new();
    schema_details_set_str(d, "email", email);
    enum app_err err = store_begin(s);
    if (!err)
        err = audit_write(s, NULL, "user.login_failed", "user", u ? u->id : 0, d);
    else
        schema_details_free(d);
    err = store_end(s, err);
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
    bool admin = u->role == ROLE_ADMIN; /* only the command line makes one */
    struct audit_details *d = schema_details_new();
    schema_details_set_str(d, "email", u->email);
    schema_details_set_str(d, "role", role_name(u->role));
    if (admin)
        schema_details_set_str(d, "via", "command line");
    enum app_err err = store_begin(s);
    if (!err)
        err = store_user_insert(s, u);
    if (!err)
        err = audit_write(s, admin ? NULL : u, admin ? "admin.created" : "user.signup", "user",
                          u->id, d);
    else
        schema_details_free(d);
    err = store_end(s, err);
    return err == APP_ERR_CONFLICT ? APP_ERR_EMAIL_TAKEN : err;
}

/* A new session for u, the attempt that made it no longer a failure. */
static enum app_err open_session(struct store *s, const struct user *u, int64_t attempt,
                                 struct session *sess, char secret[65])
{
    sess->user_id = u->id;
    sess->created_at = clock_now();
    sess->expires_at = sess->created_at + refresh_seconds;
    if (!random_hex(sess->id, 16) || !random_hex(secret, 32))
        return APP_ERR_INTERNAL;
    sha256_hex(secret, sess->refresh_hash);
    enum app_err err = store_begin(s);
    if (!err)
        err = store_login_attempt_clear(s, attempt);
    if (!err)
        err = store_session_insert(s, sess);
    if (!err)
        err = audit_write(s, u, "user.login", "user", u->id, NULL);
    return store_end(s, err);
}

/* Before any bcrypt work: refused once the address signed up (or tried to:
 * a taken email costs a hash too) too often within the window; otherwise the
 * attempt is counted. */
static enum app_err signup_allowed(struct store *s, const char *ip, int64_t now,
                                   int64_t *retry_after)
{
    int64_t count = 0, oldest = 0;
    char key[80];
    /* Signups from one address take turns, so concurrent ones count each other. */
    g_snprintf(key, sizeof key, "signup %s", ip);
    enum app_err err = store_begin(s);
    if (!err)
        err = store_login_lock(s, key);
    if (!err)
        err = store_signup_attempts(s, ip, now - limits.signup_window, &count, &oldest);
    *retry_after = err ? 0 : limited_for(count, limits.signups_ip, oldest, now, limits.signup_window);
    if (!err && *retry_after)
        err = APP_ERR_TOO_MANY_SIGNUPS;
    if (!err)
        err = store_signup_attempt_add(s, ip, now, now - limits.signup_window);
    /* A refusal wrote nothing: ending it as a success costs nothing either. */
    enum app_err end = store_end(s, err == APP_ERR_TOO_MANY_SIGNUPS ? APP_OK : err);
    return end ? end : err;
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
    int64_t attempt = 0;
    enum app_err err = count_attempt(s, email, client_ip, clock_now(), retry_after, &attempt);
    if (!err)
        err = store_user_by_email(s, email, &u);
    if (err == APP_ERR_USER_NOT_FOUND) {
        password_burn();
        return failed(s, email, NULL);
    }
    if (err)
        return err;
    if (!password_verify(password, u.password_hash) || !u.is_active)
        return failed(s, email, &u);
    struct session sess = {0};
    char secret[65];
    err = open_session(s, &u, attempt, &sess, secret);
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
    err = store_begin(s);
    if (!err)
        err = store_session_rotate(s, sid, hash, new_hash);
    bool reused = err == APP_ERR_CONFLICT;
    /* A used refresh token came back: someone else may hold the pair. */
    if (reused)
        err = store_session_revoke(s, sid, now);
    err = store_end(s, err);
    if (!err && reused)
        return APP_ERR_BAD_TOKEN;
    if (!err)
        err = store_session_user(s, sid, sess.user_id, now, &u);
    if (err)
        return err == APP_ERR_USER_NOT_FOUND ? APP_ERR_BAD_TOKEN : err;
    return issue_pair(&u, sid, new_secret, out);
}

enum app_err auth_logout(struct store *s, const struct token_claims *claims)
{
    enum app_err err = store_begin(s);
    if (!err)
        err = store_session_revoke(s, claims->sid, clock_now());
    if (!err)
        err = audit_write(s, NULL, "user.logout", "user", claims->user_id, NULL);
    return store_end(s, err);
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
    char hash[sizeof u->password_hash];
    if (!password_verify(current, u->password_hash))
        return APP_ERR_BAD_PASSWORD;
    if (!password_hash(next, cost, hash))
        return APP_ERR_INTERNAL;
    /* Only the hash changes: whatever else changed meanwhile stays. */
    enum app_err err = store_begin(s);
    if (!err)
        err = store_user_lock(s, u->id, u);
    if (!err) {
        g_strlcpy(u->password_hash, hash, sizeof u->password_hash);
        err = store_user_update(s, u);
    }
    if (!err)
        err = store_sessions_revoke_user(s, u->id, keep_sid, clock_now());
    if (!err)
        err = audit_write(s, NULL, "user.password_changed", "user", u->id, NULL);
    return store_end(s, err);
}
