/* appointd: serve | migrate | create-admin --email E --name N | audit-verify |
 * events | backup FILE | copy-to URL | config */
#include <glib.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/metrics_labels.h"
#include "api/router.h"
#include "api/server.h"
#include "core/config.h"
#include "core/cpu.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/random.h"
#include "core/timeutil.h"
#include "core/version.h"
#include "db/store.h"
#include "jobs/runner.h"
#include "services/audit.h"
#include "services/auth.h"
#include "services/idempotency.h"
#include "services/webhooks.h"
#include "services/users.h"
#include "core/banned.h"

/* wait: keep trying for APPOINTD_DB_WAIT_SECONDS (serve, migrate: a
 * database starting beside appointd is not a failure). */
static struct store *open_migrated_wait(bool wait)
{
    char err[512];
    struct store *s = store_open_wait(g_config.database_url, wait ? g_config.db_wait_seconds : 0,
                                      err, sizeof err);
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

static struct store *open_migrated(void)
{
    return open_migrated_wait(false);
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
    /* A busy range's rows (a few hundred KiB) are allocated and freed by
     * every slots or suggestions request; glibc would hand them back to the
     * kernel each time and take page faults to get them again. */
    mallopt(M_MMAP_THRESHOLD, 4 << 20);
    mallopt(M_TRIM_THRESHOLD, 8 << 20);
    if (!cpu_background_init())
        log_warn("bcrypt runs at normal priority: no right to leave SCHED_IDLE again");
    struct store *s = open_migrated_wait(true);
    bool ok = s && setup_auth(s);
    store_close(s);
    if (!ok)
        return 1;
    metrics_labels_register();
    metrics_set_start_time(clock_now());
    idempotency_init(g_config.idempotency_lease_seconds);
    webhooks_init(g_config.webhook_allow_private != 0, NULL);
    if (g_config.jobs && !jobs_start(&g_config)) {
        log_error("cannot start the background jobs");
        jobs_stop();
        return 1;
    }
    int rc = server_run(&g_config);
    jobs_stop();
    return rc;
}

/* Checks the audit chain: exit 0 when it holds, 1 naming the first entry
 * that does not match. */
static int cmd_audit_verify(void)
{
    struct store *s = open_migrated();
    struct audit_check check;
    enum app_err err = s ? audit_verify(s, &check) : APP_ERR_UNAVAILABLE;
    store_close(s);
    if (err) {
        fprintf(stderr, "audit-verify: failed (%s)\n", app_error_info(err)->detail);
        return 2;
    }
    if (check.bad) {
        printf("audit chain broken at entry %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT
               " entries before it match)\n", check.bad, check.matched);
        return 1;
    }
    printf("audit chain ok: %" G_GINT64_FORMAT " sealed entries match; %" G_GINT64_FORMAT
           " newer ones are not sealed yet\n", check.matched, check.unsealed);
    return 0;
}

/* Prints the outbox's events after --after ID as readers get them, one line
 * each ("id type provider customer"), for --follow S seconds (0: what is there). */
static int cmd_events(int argc, char **argv)
{
    int64_t follow = 0;
    struct outbox_cursor c = {0};
    for (int i = 2; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--after") == 0)
            c.after = g_ascii_strtoll(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--follow") == 0)
            follow = g_ascii_strtoll(argv[i + 1], NULL, 10);
    }
    struct store *s = open_migrated();
    int64_t until = clock_mono_us() + follow * 1000000;
    enum app_err err = s ? APP_OK : APP_ERR_UNAVAILABLE;
    for (bool more = true; !err && (more || clock_mono_us() < until);) {
        struct event_list page;
        err = store_events_after(s, &c, 1000, &page);
        for (int i = 0; !err && i < page.n; i++)
            printf("%" G_GINT64_FORMAT " %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                   page.items[i].id, page.items[i].type, page.items[i].provider_id,
                   page.items[i].customer_id);
        more = !err && page.n > 0;
        if (!err)
            event_list_release(&page);
        fflush(stdout);
        if (!more && follow)
            usleep(20000);
    }
    store_close(s);
    return err ? 1 : 0;
}

static int cmd_migrate(void)
{
    struct store *s = open_migrated_wait(true);
    store_close(s);
    return s ? 0 : 1;
}

/* Backs the database up into a new file: exit 0 when it is whole, 1 on
 * failure and on PostgreSQL (with the pg_dump command to use), 2 for usage. */
static int cmd_backup(int argc, char **argv)
{
    char err[1024];
    if (argc != 3 || !*argv[2]) {
        fprintf(stderr, "usage: appointd backup FILE (a file that does not exist yet)\n");
        return 2;
    }
    if (!store_backup(g_config.database_url, argv[2], err, sizeof err)) {
        fprintf(stderr, "backup: %s\n", err);
        return 1;
    }
    printf("backup written to %s\n", argv[2]);
    return 0;
}

/* Copies the SQLite database into an empty PostgreSQL one: exit 0 when it is
 * all there, 1 when refused or failed (the target keeps nothing of it), 2
 * for usage. */
static int cmd_copy_to(int argc, char **argv)
{
    char err[1024];
    int64_t rows = 0;
    if (argc != 3) {
        fprintf(stderr, "usage: appointd copy-to postgresql://USER@HOST:PORT/DB "
                        "(copies the SQLite database of DATABASE_URL)\n");
        return 2;
    }
    if (!g_str_has_prefix(g_config.database_url, "sqlite:")) {
        fprintf(stderr, "copy-to: DATABASE_URL must name the SQLite database to copy (sqlite:PATH)\n");
        return 1;
    }
    /* The source at its newest schema: the one the copy's columns are of. */
    struct store *s = open_migrated();
    bool migrated = s != NULL;
    store_close(s);
    if (!migrated)
        return 1;
    if (!store_copy_to(g_config.database_url, argv[2], &rows, err, sizeof err)) {
        fprintf(stderr, "copy-to: %s\n", err);
        return 1;
    }
    printf("copied %" G_GINT64_FORMAT " rows\n", rows);
    return 0;
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
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("appointd %s (commit %s)\n", version_number, version_commit);
        return 0;
    }
    if (!config_load(&g_config, err, sizeof err)) {
        fprintf(stderr, "appointd: %s\n", err);
        return 2;
    }
    log_set_level(g_config.log_level);
    log_set_format(g_config.log_format);
    if (strcmp(cmd, "serve") == 0)
        return cmd_serve();
    if (strcmp(cmd, "migrate") == 0)
        return cmd_migrate();
    if (strcmp(cmd, "create-admin") == 0)
        return cmd_create_admin(argc, argv);
    if (strcmp(cmd, "audit-verify") == 0)
        return cmd_audit_verify();
    if (strcmp(cmd, "events") == 0)
        return cmd_events(argc, argv);
    if (strcmp(cmd, "backup") == 0)
        return cmd_backup(argc, argv);
    if (strcmp(cmd, "copy-to") == 0)
        return cmd_copy_to(argc, argv);
    if (strcmp(cmd, "config") == 0) {
        config_print_table();
        return 0;
    }
    fprintf(stderr, "usage: appointd [serve | migrate | create-admin --email E --name N | "
                    "audit-verify | events [--after ID] [--follow SECONDS] | backup FILE | "
                    "copy-to postgresql://… | config | --version]\n");
    return 2;
}
