/* Unit tests of src/core/password.c: bcrypt ($2b$) through libxcrypt, at
 * cost 4 to keep them fast. API.md "Authentication": passwords are 8-72
 * bytes, never silently truncated, stored only as a $2b$ hash. */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <string.h>

#include "core/password.h"

#define COST 4

static void fill(char *buf, size_t n, char c)
{
    memset(buf, c, n);
    buf[n] = '\0';
}

Test(password, hash_has_bcrypt_2b_format)
{
    char h[PASSWORD_HASH_MAX];
    memset(h, 0, sizeof h);
    cr_assert(password_hash("correct horse battery", COST, h));
    cr_assert_eq(strncmp(h, "$2b$04$", 7), 0, "hash %s", h);
    cr_assert_eq(strlen(h), 60u, "bcrypt hashes are 60 characters: %s", h);
    for (size_t i = 7; i < 60; i++)
        cr_assert(strchr("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", h[i]),
                  "bad char %c at %zu in %s", h[i], i, h);
    cr_assert_null(strstr(h, "correct"), "the hash must not contain the password");
}

Test(password, other_cost_is_used)
{
    char h[PASSWORD_HASH_MAX];
    cr_assert(password_hash("correct horse battery", 5, h));
    cr_assert_eq(strncmp(h, "$2b$05$", 7), 0, "hash %s", h);
    cr_assert(password_verify("correct horse battery", h));
}

Test(password, same_password_gets_a_fresh_salt)
{
    char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];
    cr_assert(password_hash("correct horse battery", COST, a));
    cr_assert(password_hash("correct horse battery", COST, b));
    cr_assert_str_neq(a, b);
    cr_assert(password_verify("correct horse battery", a));
    cr_assert(password_verify("correct horse battery", b));
}

Test(password, verify_right_and_wrong)
{
    char h[PASSWORD_HASH_MAX];
    cr_assert(password_hash("correct horse battery", COST, h));
    cr_assert(password_verify("correct horse battery", h));
    cr_assert_not(password_verify("correct horse batterY", h));
    cr_assert_not(password_verify("correct horse batter", h));
    cr_assert_not(password_verify("correct horse battery ", h));
    cr_assert_not(password_verify("", h));
    cr_assert_not(password_verify("wrong password", h));
}

Test(password, verify_refuses_bad_hashes)
{
    cr_assert_not(password_verify("correct horse battery", ""));
    cr_assert_not(password_verify("correct horse battery", "correct horse battery"));
    cr_assert_not(password_verify("correct horse battery", "$2b$04$"));
    cr_assert_not(password_verify("correct horse battery", "*0"));
    /* A hash of a password with one character changed. */
    char h[PASSWORD_HASH_MAX];
    cr_assert(password_hash("correct horse battery", COST, h));
    char t[PASSWORD_HASH_MAX];
    strcpy(t, h);
    t[59] = t[59] == 'a' ? 'b' : 'a';
    cr_assert_not(password_verify("correct horse battery", t));
    /* A truncated hash. */
    strcpy(t, h);
    t[40] = '\0';
    cr_assert_not(password_verify("correct horse battery", t));
}

Test(password, length_limits_8_to_72_bytes)
{
    char pw[100], h[PASSWORD_HASH_MAX];
    fill(pw, 7, 'x');
    cr_assert_not(password_hash(pw, COST, h), "7 bytes must be refused");
    cr_assert_not(password_hash("", COST, h));
    fill(pw, 8, 'x');
    cr_assert(password_hash(pw, COST, h), "8 bytes are fine");
    cr_assert(password_verify(pw, h));
    fill(pw, 72, 'y');
    cr_assert(password_hash(pw, COST, h), "72 bytes are fine");
    cr_assert(password_verify(pw, h));
    fill(pw, 73, 'y');
    cr_assert_not(password_hash(pw, COST, h), "73 bytes must be refused");
    fill(pw, 99, 'y');
    cr_assert_not(password_hash(pw, COST, h));
}

Test(password, bytes_not_characters_count)
{
    /* 36 two-byte characters: 72 bytes, fine; one more is 74 bytes. */
    char pw[100] = "", h[PASSWORD_HASH_MAX];
    for (int i = 0; i < 36; i++)
        strcat(pw, "\xc3\xa9");
    cr_assert_eq(strlen(pw), 72u);
    cr_assert(password_hash(pw, COST, h));
    cr_assert(password_verify(pw, h));
    strcat(pw, "\xc3\xa9");
    cr_assert_not(password_hash(pw, COST, h));
    /* 4 two-byte characters are 8 bytes: long enough. */
    cr_assert(password_hash("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", COST, h));
}

Test(password, over_72_bytes_never_verifies)
{
    char p72[80], p73[80], p100[120], h[PASSWORD_HASH_MAX];
    fill(p72, 72, 'z');
    fill(p73, 73, 'z');
    fill(p100, 100, 'z');
    cr_assert(password_hash(p72, COST, h));
    cr_assert(password_verify(p72, h), "control: the 72-byte password verifies");
    /* bcrypt would read only the first 72 bytes and say yes: refused here. */
    cr_assert_not(password_verify(p73, h), "a 73-byte password must never verify");
    cr_assert_not(password_verify(p100, h));
    /* A different 73rd byte too. */
    strcpy(p73, p72);
    strcat(p73, "!");
    cr_assert_not(password_verify(p73, h));
}

Test(password, init_and_burn)
{
    cr_assert(password_init(COST));
    password_burn(); /* must not crash; it verifies nothing */
}

/* Each call's bcrypt computations, read from the module's own counter. */
static unsigned long runs_of_verify(const char *password, const char *hash)
{
    unsigned long before = password_bcrypt_count();
    cr_assert_not(password_verify(password, hash));
    return password_bcrypt_count() - before;
}

Test(password, every_failed_check_costs_exactly_one_bcrypt)
{
    /* A login fails after password_verify (known email) or password_burn
     * (unknown email): both must cost one bcrypt whatever the password, or
     * the time tells whether the email exists. A password over 72 bytes
     * used to cost none for a known email. */
    char h[PASSWORD_HASH_MAX], p73[80], p100k[100001];
    cr_assert(password_init(COST));
    cr_assert(password_hash("correct horse battery", COST, h));
    fill(p73, 73, 'z');
    fill(p100k, 100000, 'z'); /* beyond libxcrypt's own 512-byte limit too */
    cr_assert_eq(runs_of_verify("wrong password", h), 1);
    cr_assert_eq(runs_of_verify(p73, h), 1, "a 73-byte password must cost one bcrypt");
    cr_assert_eq(runs_of_verify(p100k, h), 1, "a 100 000-byte password must cost one bcrypt");
    cr_assert_eq(runs_of_verify("", h), 1);
    cr_assert_eq(runs_of_verify("correct horse battery", "not-a-hash"), 1);
    unsigned long before = password_bcrypt_count();
    password_burn();
    cr_assert_eq(password_bcrypt_count() - before, 1, "the unknown-email burn must cost one bcrypt");
    before = password_bcrypt_count();
    cr_assert(password_verify("correct horse battery", h));
    cr_assert_eq(password_bcrypt_count() - before, 1);
}

Test(password, a_long_password_burns_but_never_matches_its_first_72_bytes)
{
    /* The burn hashes the first 72 bytes against the user's own hash: that
     * must never count as a match. */
    char p72[80], p80[90], h72[PASSWORD_HASH_MAX];
    fill(p72, 72, 'q');
    fill(p80, 80, 'q');
    cr_assert(password_hash(p72, COST, h72));
    cr_assert_eq(runs_of_verify(p80, h72), 1);
    cr_assert(password_verify(p72, h72), "control: the 72 bytes themselves match");
}
