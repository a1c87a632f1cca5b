#include <criterion/criterion.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

static char path[64];

static void write_secret(const char *text)
{
    g_strlcpy(path, "/tmp/appointd-test-secret-XXXXXX", sizeof path);
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

static void clean(void)
{
    unsetenv("JWT_SECRET");
    unsetenv("JWT_SECRET_FILE");
    unsetenv("DATABASE_URL");
    unsetenv("DATABASE_URL_FILE");
    unsetenv("APPOINTD_LOG_FORMAT");
    if (path[0])
        unlink(path);
    path[0] = '\0';
}

TestSuite(config, .init = clean, .fini = clean);

Test(config, reads_a_secret_from_its_file_without_the_newline)
{
    struct config cfg;
    char err[256];
    write_secret("0123456789abcdef0123456789abcdef-file\n");
    setenv("JWT_SECRET_FILE", path, 1);
    cr_assert(config_load(&cfg, err, sizeof err), "%s", err);
    cr_assert_str_eq(cfg.jwt_secret, "0123456789abcdef0123456789abcdef-file");
}

Test(config, reads_the_database_url_from_its_file)
{
    struct config cfg;
    char err[256];
    write_secret("sqlite:/tmp/from-file.db\r\n");
    setenv("DATABASE_URL_FILE", path, 1);
    cr_assert(config_load(&cfg, err, sizeof err), "%s", err);
    cr_assert_str_eq(cfg.database_url, "sqlite:/tmp/from-file.db");
}

Test(config, refuses_a_variable_and_its_file_together)
{
    struct config cfg;
    char err[256] = "";
    write_secret("sqlite:/tmp/x.db\n");
    setenv("DATABASE_URL_FILE", path, 1);
    setenv("DATABASE_URL", "sqlite:/tmp/y.db", 1);
    cr_assert_not(config_load(&cfg, err, sizeof err));
    cr_assert(strstr(err, "DATABASE_URL and DATABASE_URL_FILE"), "%s", err);
}

Test(config, refuses_an_unreadable_file)
{
    struct config cfg;
    char err[256] = "";
    setenv("JWT_SECRET_FILE", "/nonexistent/appointd-secret", 1);
    cr_assert_not(config_load(&cfg, err, sizeof err));
    cr_assert(strstr(err, "JWT_SECRET_FILE") && strstr(err, "/nonexistent/appointd-secret"), "%s", err);
}

Test(config, refuses_an_empty_file)
{
    struct config cfg;
    char err[256] = "";
    write_secret("\n");
    setenv("JWT_SECRET_FILE", path, 1);
    cr_assert_not(config_load(&cfg, err, sizeof err));
    cr_assert(strstr(err, "empty"), "%s", err);
}

Test(config, a_secret_from_a_file_is_held_to_the_same_rules)
{
    struct config cfg;
    char err[256] = "";
    write_secret("too-short\n");
    setenv("JWT_SECRET_FILE", path, 1);
    cr_assert_not(config_load(&cfg, err, sizeof err));
    cr_assert(strstr(err, "at least 32 bytes"), "%s", err);
}

Test(config, refuses_an_unknown_log_format)
{
    struct config cfg;
    char err[256] = "";
    setenv("APPOINTD_LOG_FORMAT", "xml", 1);
    cr_assert_not(config_load(&cfg, err, sizeof err));
    cr_assert(strstr(err, "APPOINTD_LOG_FORMAT"), "%s", err);
}
