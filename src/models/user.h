/* A user account. Plain data: fixed-size fields, nothing to free. */
#ifndef MODELS_USER_H
#define MODELS_USER_H
#include <stdbool.h>
#include <stdint.h>

enum role { ROLE_CUSTOMER, ROLE_PROVIDER, ROLE_ADMIN };

#define USER_NAME_MAX_CHARS 100
#define USER_EMAIL_MAX 254

struct user {
    int64_t id;
    char name[USER_NAME_MAX_CHARS * 4 + 1]; /* UTF-8 */
    char email[USER_EMAIL_MAX + 1];
    char password_hash[128];
    enum role role;
    bool is_active;
    char timezone[64]; /* providers' schedules are read in it */
    int64_t created_at;
};

struct user_list {
    struct user *items;
    int n;
    int64_t total;
};

/* "customer", "provider", "admin". */
const char *role_name(enum role role);
/* False when name is not a role. */
bool role_parse(const char *name, enum role *role);
void user_list_release(struct user_list *list);

/* A login session: refresh tokens and logout act on it. */
struct session {
    char id[33];
    int64_t user_id;
    char refresh_hash[65]; /* hex SHA-256 of the current refresh token */
    int64_t created_at;
    int64_t expires_at;
    bool revoked;
};
#endif
