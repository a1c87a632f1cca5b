/* appointd: serve | migrate | create-admin --email E --name N */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/router.h"
#include "api/server.h"
#include "core/config.h"
#include "core/cpu.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/random.h"
#include "core/timeutil.h"
#include "db/store.h"
#include "services/auth.h"
#include "services/users.h"
#include "core/banned.h"

static struct store *open_migrated(void)
{
    char err[512];
    struct store *s = store_open(g_config.database_url, err, sizeof err);
    if (!s) {
        log_error("%s", err);
        return NULL;
    }
    if (store_migrate(s) != APP_OK) {
        log_error("migrations failed");
        store_close(s);
        return NULL;
    }
    return s;
}

/* JWT_SECRET, or one made once and kept in the database so that every
 * process on it agrees. */
static bool setup_auth(struct store *s)
{
    char secret[512], fresh[65];
    g_strlcpy(secret, g_config.jwt_secret, sizeof secret);
    if (!secret[0] && (!random_hex(fresh, 32) ||
                       store_setting_ensure(s, "jwt_secret", fresh, secret, sizeof secret) != APP_OK)) {
        log_error("cannot make or read the JWT secret");
        return false;
    }
    return auth_init(secret, &g_config);
}

static int cmd_serve(void)
{
    if (!cpu_background_init())
        log_warn("bcrypt runs at normal priority: no right to leave SCHED_IDLE again");
    struct store *s = open_migrated();
    bool ok = s && setup_auth(s);
    store_close(s);
    if (!ok)
        return 1;
    for (size_t i = 0; i < n_routes; i++)
        metrics_register_route(i, routes[i].method, routes[i].path);
    metrics_set_start_time(clock_now());
    return server_run(&g_config);
}

static int cmd_migrate(void)
{
    struct store *s = open_migrated();
    store_close(s);
    return s ? 0 : 1;
}

static bool read_password(char *out, size_t len)
{
    const char *env = getenv("APPOINTD_ADMIN_PASSWORD");
    if (env && *env)
        return g_strlcpy(out, env, len) < len;
    if (!fgets(out, (int)len, stdin))
        return false;
    out[strcspn(out, "\r\n")] = '\0';
    return true;
}

static int cmd_create_admin(int argc, char **argv)
{
    const char *email = NULL, *name = NULL;
    char password[256];
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--email") == 0)
            email = argv[i + 1];
        else if (strcmp(argv[i], "--name") == 0)
            name = argv[i + 1];
    }
    if (!email || !name || !*name) {
        fprintf(stderr, "usage: appointd create-admin --email E --name N (password on stdin "
                        "or in APPOINTD_ADMIN_PASSWORD)\n");
        return 2;
    }
    if (!read_password(password, sizeof password) || strlen(password) < 8 || strlen(password) > 72) {
        fprintf(stderr, "create-admin: the password must be 8 to 72 bytes\n");
        return 2;
    }
    struct store *s = open_migrated();
    struct user u;
    enum app_err err = s && auth_init("unused-for-create-admin-unused-32", &g_config)
                           ? users_create_admin(s, email, name, password, &u)
                           : APP_ERR_UNAVAILABLE;
    store_close(s);
    if (err == APP_ERR_EMAIL_TAKEN)
        fprintf(stderr, "create-admin: %s is already registered\n", email);
    else if (err)
        fprintf(stderr, "create-admin: failed (%s)\n", app_error_info(err)->detail);
    else
        printf("admin %s created with id %" G_GINT64_FORMAT "\n", u.email, u.id);
    return err ? 1 : 0;
}

int main(int argc, char **argv)
{
    char err[256];
    const char *cmd = argc > 1 ? argv[1] : "serve";
    if (!config_load(&g_config, err, sizeof err)) {
        fprintf(stderr, "appointd: %s\n", err);
        return 2;
    }
    log_set_level(g_config.log_level);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve();
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate();
    if (strcmp(cmd, "create-admin") == 0)
        return cmd_create_admin(argc, argv);
    if (strcmp(cmd, "config") == 0) {
        config_print_table();
        return 0;
    }
    fprintf(stderr, "usage: appointd [serve | migrate | create-admin --email E --name N | config]\n");
    return 2;
}
