/* Unit tests of the rules of src/services/deliveries.c with a clock of the
 * test's own: the retry schedule, 410, and the five days of failures. */
#include <criterion/criterion.h>
#include <string.h>

#include "services/deliveries.h"

#define T0 ((int64_t)1800000000)
static const int contract[] = {5, 300, 1800, 7200, 18000, 36000, 36000};
static const struct retry_schedule rs = {contract, 7};

static struct delivery attempt(int n)
{
    struct delivery d;
    memset(&d, 0, sizeof d);
    d.attempts = n;
    d.status = DELIVERY_PENDING;
    return d;
}

Test(deliveries, follows_the_schedule_then_fails)
{
    int64_t now = T0;
    for (int n = 1; n <= 7; n++) {
        struct delivery d = attempt(n);
        deliveries_apply(&rs, &d, 500, NULL, now, T0);
        cr_expect(d.status == DELIVERY_PENDING, "attempt %d", n);
        cr_expect(d.next_attempt_at == now + contract[n - 1] + 1, "attempt %d", n);
        cr_expect_str_eq(d.last_error, "HTTP 500");
        now = d.next_attempt_at;
    }
    struct delivery d = attempt(8);
    struct webhook_verdict v = deliveries_apply(&rs, &d, 0, "Connection refused", now, T0);
    cr_expect(d.status == DELIVERY_FAILED && d.next_attempt_at == 0);
    cr_expect(d.last_status_code == 0);
    cr_expect_str_eq(d.last_error, "Connection refused");
    cr_expect(v.failing);
}

Test(deliveries, a_2xx_delivers_and_clears_the_failures)
{
    struct delivery d = attempt(3);
    struct webhook_verdict v = deliveries_apply(&rs, &d, 204, NULL, T0 + 60, T0);
    cr_expect(d.status == DELIVERY_DELIVERED && d.delivered_at == T0 + 60);
    cr_expect(d.next_attempt_at == 0 && d.last_error[0] == '\0' && d.last_status_code == 204);
    cr_expect(!v.failing && !v.disable);
}

Test(deliveries, redirects_are_failures)
{
    struct delivery d = attempt(1);
    deliveries_apply(&rs, &d, 302, "HTTP 302: redirects are not followed", T0, 0);
    cr_expect(d.status == DELIVERY_PENDING && d.next_attempt_at == T0 + 5 + 1);
}

Test(deliveries, a_410_disables_at_once)
{
    struct delivery d = attempt(1);
    struct webhook_verdict v = deliveries_apply(&rs, &d, 410, NULL, T0, 0);
    cr_expect(v.disable && d.status == DELIVERY_FAILED);
}

Test(deliveries, five_days_of_failures_disable)
{
    struct delivery d = attempt(2);
    /* The first failure starts the count: nothing is disabled yet. */
    cr_expect(!deliveries_apply(&rs, &d, 500, NULL, T0, 0).disable);
    d = attempt(2);
    cr_expect(!deliveries_apply(&rs, &d, 500, NULL, T0 + DELIVERIES_DISABLE_AFTER - 1, T0).disable);
    d = attempt(2);
    cr_expect(deliveries_apply(&rs, &d, 500, NULL, T0 + DELIVERIES_DISABLE_AFTER, T0).disable);
    /* A success in between starts the count again (failing_since 0). */
    d = attempt(2);
    cr_expect(!deliveries_apply(&rs, &d, 500, NULL, T0 + DELIVERIES_DISABLE_AFTER, 0).disable);
}

Test(deliveries, a_short_schedule_for_tests)
{
    static const int one[] = {1};
    const struct retry_schedule short_rs = {one, 1};
    struct delivery d = attempt(1);
    deliveries_apply(&short_rs, &d, 503, NULL, T0, 0);
    cr_expect(d.status == DELIVERY_PENDING && d.next_attempt_at == T0 + 1 + 1);
    d = attempt(2);
    deliveries_apply(&short_rs, &d, 503, NULL, T0, 0);
    cr_expect(d.status == DELIVERY_FAILED);
}
