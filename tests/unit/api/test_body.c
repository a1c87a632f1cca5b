/* Unit tests of src/api/body.c: request bodies and the memory budget they
 * share (APPOINTD_MAX_BODY_MEMORY). */
#include <criterion/criterion.h>
#include <string.h>

#include "api/body.h"

static char bytes[4096];

Test(body, appends_and_stays_nul_terminated)
{
    struct body b = {0};
    body_budget_init(1 << 20);
    cr_assert_eq(body_append(&b, "{\"a\":", 5, 100), BODY_OK);
    cr_assert_eq(body_append(&b, "1}", 2, 100), BODY_OK);
    cr_assert_eq(b.len, 7);
    cr_assert_str_eq(b.data, "{\"a\":1}");
    body_release(&b);
    cr_assert_null(b.data);
    cr_assert_eq(b.len, 0);
}

Test(body, limit_is_inclusive)
{
    struct body b = {0};
    body_budget_init(1 << 20);
    memset(bytes, 'x', sizeof bytes);
    cr_assert_eq(body_append(&b, bytes, 100, 100), BODY_OK);
    cr_assert_eq(body_append(&b, bytes, 1, 100), BODY_TOO_LARGE);
    cr_assert_eq(b.len, 100, "a refused append leaves the body as it was");
    body_release(&b);
}

Test(body, budget_is_shared_and_given_back)
{
    struct body a = {0}, b = {0}, c = {0};
    body_budget_init(10000);
    cr_assert(body_reserve(&a, 6000));
    cr_assert_not(body_reserve(&b, 6000), "two reservations past the budget");
    cr_assert(body_reserve(&b, 4000));
    cr_assert_not(body_reserve(&c, 1));
    body_release(&a);
    cr_assert(body_reserve(&c, 6000), "a released body gives its budget back");
    body_release(&b);
    body_release(&c);
}

Test(body, growth_is_counted_against_the_budget)
{
    struct body a = {0}, b = {0};
    body_budget_init(20000);
    memset(bytes, 'y', sizeof bytes);
    cr_assert(body_reserve(&a, 12000));
    /* b grows as data arrives (chunked): it stops where the budget ends. */
    enum body_result r = BODY_OK;
    size_t sent = 0;
    while (r == BODY_OK && sent < 16000) {
        r = body_append(&b, bytes, 1000, 1 << 20);
        sent += r == BODY_OK ? 1000 : 0;
    }
    cr_assert_eq(r, BODY_NO_MEMORY);
    cr_assert_leq(b.reserved, 8000);
    cr_assert_eq(b.len, sent);
    body_release(&a);
    cr_assert_eq(body_append(&b, bytes, 1000, 1 << 20), BODY_OK);
    body_release(&b);
}

Test(body, a_reserved_body_is_allocated_once)
{
    struct body b = {0};
    body_budget_init(1 << 20);
    memset(bytes, 'z', sizeof bytes);
    cr_assert(body_reserve(&b, 3 * sizeof bytes + 1));
    cr_assert_eq(body_append(&b, bytes, sizeof bytes, 1 << 20), BODY_OK);
    char *first = b.data;
    cr_assert_eq(body_append(&b, bytes, sizeof bytes, 1 << 20), BODY_OK);
    cr_assert_eq(body_append(&b, bytes, sizeof bytes, 1 << 20), BODY_OK);
    cr_assert_eq(b.data, first, "the Content-Length was reserved: no reallocation");
    cr_assert_eq(b.reserved, 3 * sizeof bytes + 1);
    body_release(&b);
}
