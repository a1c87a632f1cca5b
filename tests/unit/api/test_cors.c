/* Unit tests of src/api/cors.c: CORS_ORIGINS is a list of exact origins. */
#include <criterion/criterion.h>
#include <string.h>

#include "api/cors.h"

Test(cors, lists_exact_origins)
{
    struct cors_origins o;
    char err[256] = "";
    cr_assert(cors_parse(" https://app.example.com ,http://localhost:3000,https://[::1]:8443", &o, err,
                         sizeof err), "%s", err);
    cr_assert_eq(o.n, 3);
    cr_assert(cors_allowed(&o, "https://app.example.com"));
    cr_assert(cors_allowed(&o, "HTTPS://App.Example.com"), "scheme and host are case-insensitive");
    cr_assert(cors_allowed(&o, "http://localhost:3000"));
    cr_assert(cors_allowed(&o, "https://[::1]:8443"));
    cr_assert_not(cors_allowed(&o, "http://localhost:3001"));
    cr_assert_not(cors_allowed(&o, "http://app.example.com"));
    cr_assert_not(cors_allowed(&o, "https://app.example.com.evil.net"));
    cr_assert_not(cors_allowed(&o, "https://sub.app.example.com"));
    cr_assert_not(cors_allowed(&o, NULL));
    cors_release(&o);
}

Test(cors, blank_allows_none)
{
    struct cors_origins o;
    char err[64];
    cr_assert(cors_parse("  ", &o, err, sizeof err));
    cr_assert_eq(o.n, 0);
    cr_assert_not(cors_allowed(&o, "https://app.example.com"));
    cors_release(&o);
}

Test(cors, refuses_what_is_no_origin)
{
    const char *bad[] = {"*", "null", "app.example.com", "ftp://app.example.com", "https://",
                         "https://app.example.com/", "https://app.example.com/x", "https://a.example.com?q",
                         "https://user@app.example.com", "https://app.example.com:", "https://app.example.com:x",
                         "https://app.example.com:123456", "https://a b.example.com", "https://[::1",
                         "https://a.example.com,,https://b.example.com", "https://a.example.com,"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cors_origins o = {.n = 5};
        char err[256] = "";
        cr_assert_not(cors_parse(bad[i], &o, err, sizeof err), "\"%s\" was accepted", bad[i]);
        cr_assert_eq(o.n, 0);
        cr_assert(strstr(err, "CORS_ORIGINS"), "%s", err);
    }
}
