/* Unit tests of src/db/webhooks.c on a real SQLite file: a batch of attempt
 * results recorded in one statement, each only while its claim holds. The
 * same statement runs on PostgreSQL in the HTTP suite. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "db/store.h"
#include "schemas/webhooks.h"
#include "../test_db.h"

static char db_path[64], db_url[80];
static struct store *S;
static int64_t webhook_id, now;

#define OK(call) cr_assert_eq((call), APP_OK, "%s failed", #call)

/* An admin, a webhook of theirs and three events, each with a delivery due. */
static void setup(void)
{
    S = test_db_open("webhooks", db_path, db_url);
    now = clock_now();
    struct user a = {.role = ROLE_ADMIN, .is_active = true};
    snprintf(a.name, sizeof a.name, "Ada");
    snprintf(a.email, sizeof a.email, "ada@example.com");
    snprintf(a.password_hash, sizeof a.password_hash, "$2b$04$x");
    snprintf(a.timezone, sizeof a.timezone, "UTC");
    OK(UOW(S, store_user_insert(S, &a)));
    struct webhook w = {.user_id = a.id, .events = ~0u, .active = true, .created_at = now - 10};
    snprintf(w.url, sizeof w.url, "http://receiver.example/hook");
    OK(UOW(S, store_webhook_insert(S, &w, "whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdA==")));
    webhook_id = w.id;
    for (int i = 0; i < 3; i++) {
        int64_t event_id = 0;
        OK(UOW(S, store_event_add_id(S, "booking.created", "{}", 0, 0, &event_id)));
        OK(UOW(S, store_delivery_insert(S, webhook_id, event_id, "booking.created", now - 5)));
    }
}

static void teardown(void)
{
    test_db_close(S, db_path);
}

TestSuite(db_webhooks, .init = setup, .fini = teardown, .timeout = 60);

/* o recorded as the deliverer records it: the batch's text from schemas/. */
static enum app_err record(struct delivery_outcome *o, int n)
{
    char *text = schema_delivery_outcomes_text(o, n);
    cr_assert_not_null(text);
    enum app_err err = UOW(S, store_delivery_record(S, text, now, o, n));
    free(text);
    return err;
}

static void claim(const char *owner, struct delivery_attempt_list *out)
{
    OK(store_delivery_claim(S, owner, now, 10, now + 35, out));
}

/* The deliveries page, oldest event first. */
static void deliveries(struct delivery out[3])
{
    struct delivery_list l;
    OK(store_delivery_list(S, webhook_id, 10, 0, &l));
    cr_assert_eq(l.n, 3);
    for (int i = 0; i < 3; i++)
        out[i] = l.items[2 - i];
    delivery_list_release(&l);
}

Test(db_webhooks, a_batch_records_each_result_whose_claim_still_holds)
{
    struct delivery_attempt_list first, again;
    claim("p1-1", &first);
    cr_assert_eq(first.n, 3);
    struct delivery d[3];
    for (int i = 0; i < 3; i++)
        d[i] = first.items[i].d;
    d[0].status = DELIVERY_DELIVERED;
    d[0].last_status_code = 200;
    d[0].next_attempt_at = 0;
    d[0].delivered_at = now;
    d[1].status = DELIVERY_PENDING;
    d[1].last_status_code = 500;
    d[1].next_attempt_at = now + 3600;
    /* Quotes, a backslash and a newline survive the trip through the
     * batch's JSON; a byte that is not UTF-8 comes back as U+FFFD, so the
     * text stays valid UTF-8. */
    snprintf(d[1].last_error, sizeof d[1].last_error, "said \"no\" \\ twice\nthen \xff");
    d[2].status = DELIVERY_FAILED;
    d[2].last_status_code = 410;
    d[2].next_attempt_at = 0;
    struct delivery_outcome o[3] = {{&d[0], "p1-1", false}, {&d[1], "p1-1", false},
                                    {&d[2], "p1-0", false}}; /* not its claim */
    OK(record(o, 3));
    cr_assert(o[0].kept && o[1].kept);
    cr_assert_not(o[2].kept, "a result recorded against a claim that is not its own");

    struct delivery got[3];
    deliveries(got);
    cr_assert_eq(got[0].status, DELIVERY_DELIVERED);
    cr_assert_eq(got[0].last_status_code, 200);
    cr_assert_eq(got[0].delivered_at, now);
    cr_assert_str_empty(got[0].last_error);
    cr_assert_eq(got[1].status, DELIVERY_PENDING);
    cr_assert_eq(got[1].next_attempt_at, now + 3600);
    cr_assert_str_eq(got[1].last_error, "said \"no\" \\ twice\nthen \xef\xbf\xbd");
    cr_assert_eq(got[2].status, DELIVERY_PENDING, "the claim of another recorded a result");
    cr_assert_eq(got[2].next_attempt_at, now + 35, "the claim's lease moved");
    delivery_attempt_list_release(&first);

    /* The third's lease lapses and another claims it: the first claimer's
     * late result for that attempt is refused, the new claim's is kept. */
    now += 40;
    claim("p2-1", &again);
    cr_assert_eq(again.n, 1);
    cr_assert_eq(again.items[0].d.attempts, 2);
    struct delivery late = d[2], fresh = again.items[0].d;
    fresh.status = DELIVERY_DELIVERED;
    fresh.delivered_at = now;
    fresh.next_attempt_at = 0;
    struct delivery_outcome o2[2] = {{&late, "p1-1", true}, {&fresh, "p2-1", false}};
    OK(record(o2, 2));
    cr_assert_not(o2[0].kept);
    cr_assert(o2[1].kept);
    deliveries(got);
    cr_assert_eq(got[2].status, DELIVERY_DELIVERED);
    cr_assert_eq(got[2].attempts, 2);
    delivery_attempt_list_release(&again);
}
