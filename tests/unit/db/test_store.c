/* Unit tests of what src/db/ added for the core that loses nothing: the unit
 * of work, the outbox and its reader, idempotency claims, the audit log and
 * its chain, job leases and retention — on a real SQLite file per test. The
 * same functions run on PostgreSQL in the HTTP suite. */
#include <criterion/criterion.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/timeutil.h"
#include "db/store.h"
#include "schemas/text.h"
#include "services/audit.h"
#include "../test_db.h"

static char db_path[64], db_url[80];
static struct store *S;
static struct user U;

#define OK(call) cr_assert_eq((call), APP_OK, "%s failed", #call)

static struct store *open_store(void)
{
    return test_db_connect(db_url);
}

static void setup(void)
{
    S = test_db_open("store", db_path, db_url);
    memset(&U, 0, sizeof U);
    snprintf(U.name, sizeof U.name, "Ursula");
    snprintf(U.email, sizeof U.email, "ursula@example.com");
    snprintf(U.password_hash, sizeof U.password_hash, "$2b$04$x");
    snprintf(U.timezone, sizeof U.timezone, "UTC");
    U.role = ROLE_CUSTOMER;
    U.is_active = true;
    OK(UOW(S, store_user_insert(S, &U)));
}

static void teardown(void)
{
    test_db_close(S, db_path);
}

TestSuite(store, .init = setup, .fini = teardown, .timeout = 60);

Test(store, a_write_outside_a_unit_of_work_is_refused)
{
    struct user v = U;
    snprintf(v.email, sizeof v.email, "outside@example.com");
    cr_assert_eq(store_user_insert(S, &v), APP_ERR_INTERNAL);
    struct user got;
    cr_assert_eq(store_user_by_email(S, "outside@example.com", &got), APP_ERR_USER_NOT_FOUND);
}

Test(store, end_with_an_error_rolls_everything_back)
{
    OK(store_begin(S));
    OK(store_event_add(S, "booking.created", "{\"id\":1}", 0, U.id));
    OK(store_audit_add(S, &U, "user.updated", "user", U.id, NULL));
    cr_assert_eq(store_end(S, APP_ERR_SLOT_UNAVAILABLE), APP_ERR_SLOT_UNAVAILABLE);
    cr_assert_eq(test_db_count_events(S), 0);
    OK(store_begin(S));
    OK(store_event_add(S, "booking.created", "{\"id\":1}", 0, U.id));
    OK(store_end(S, APP_OK));
    cr_assert_eq(test_db_count_events(S), 1);
    cr_assert_eq(store_begin(S), APP_OK);
    cr_assert_eq(store_begin(S), APP_ERR_INTERNAL, "a unit of work inside another");
    OK(store_end(S, APP_OK));
}

Test(store, a_rule_refusing_a_unit_of_work_is_no_race)
{
    /* A duplicate e-mail is refused by the unique key: running it again
     * cannot help, and store_end_raced must not say it could. */
    struct user twin = U;
    OK(store_begin(S));
    cr_assert_eq(store_end(S, store_user_insert(S, &twin)), APP_ERR_CONFLICT);
    cr_assert_not(store_end_raced(S));
}

Test(store, events_after_reads_in_id_order_in_pages)
{
    OK(store_begin(S));
    for (int i = 0; i < 5; i++)
        OK(store_event_add(S, i % 2 ? "booking.cancelled" : "booking.created", "{}", 7, U.id));
    OK(store_end(S, APP_OK));
    struct outbox_cursor c = {0};
    struct event_list l;
    OK(store_events_after(S, &c, 3, &l));
    cr_assert_eq(l.n, 3);
    cr_assert_eq(l.items[0].id, 1);
    cr_assert_eq(l.items[2].id, 3);
    cr_assert_str_eq(l.items[1].type, "booking.cancelled");
    cr_assert_eq(l.items[0].provider_id, 7);
    cr_assert_eq(l.items[0].customer_id, U.id);
    cr_assert_eq(c.after, 3);
    event_list_release(&l);
    OK(store_events_after(S, &c, 3, &l));
    cr_assert_eq(l.n, 2);
    cr_assert_eq(l.items[1].id, 5);
    event_list_release(&l);
    OK(store_events_after(S, &c, 3, &l));
    cr_assert_eq(l.n, 0);
    cr_assert_eq(c.after, 5);
    event_list_release(&l);
}

Test(store, events_after_passes_a_gap_that_cannot_fill)
{
    /* Pruned ids leave a gap; SQLite has one writer at a time, so a gap is
     * for good and the reader goes on; ids are never handed out again. */
    int deleted = 0;
    OK(store_begin(S));
    for (int i = 0; i < 3; i++)
        OK(store_event_add(S, "booking.created", "{}", 0, 0));
    OK(store_end(S, APP_OK));
    OK(store_prune(S, PRUNE_EVENTS, clock_now() + 60, 100, &deleted));
    cr_assert_eq(deleted, 3);
    OK(store_begin(S));
    OK(store_event_add(S, "booking.created", "{}", 0, 0));
    OK(store_event_add(S, "booking.created", "{}", 0, 0));
    OK(store_end(S, APP_OK));
    struct outbox_cursor c = {0};
    struct event_list l;
    OK(store_events_after(S, &c, 10, &l));
    cr_assert_eq(l.n, 2);
    cr_assert_eq(l.items[0].id, 4);
    cr_assert_eq(l.items[1].id, 5);
    cr_assert_eq(c.after, 5);
    event_list_release(&l);
}

Test(store, an_idempotency_claim_is_owned_and_leased)
{
    struct idem_record r;
    int64_t now = clock_now();
    OK(store_idem_claim(S, U.id, "k1", "hash-a", "owner-1", now, 10, &r));
    cr_assert_eq(r.state, IDEM_CLAIMED);
    OK(store_idem_claim(S, U.id, "k1", "hash-a", "owner-2", now + 1, 10, &r));
    cr_assert_eq(r.state, IDEM_BUSY, "a live claim blocks its twin");
    OK(store_idem_claim(S, U.id, "k1", "hash-b", "owner-2", now + 1, 10, &r));
    cr_assert_eq(r.state, IDEM_OTHER, "another request under the same key");
    OK(store_idem_claim(S, U.id, "k1", "hash-a", "owner-2", now + 11, 10, &r));
    cr_assert_eq(r.state, IDEM_CLAIMED, "a lapsed claim is taken over");
    /* The first owner can no longer answer: its claim was taken over. */
    struct store_context ctx = {.idem_user_id = U.id, .idem_key = "k1", .idem_owner = "owner-1"};
    store_set_context(S, &ctx);
    cr_assert_eq(UOW(S, store_idem_record(S, 201, "{\"id\":1}")), APP_ERR_IDEM_IN_FLIGHT);
    cr_assert_not(ctx.idem_recorded);
    ctx.idem_owner = "owner-2";
    OK(UOW(S, store_idem_record(S, 201, "{\"id\":2}")));
    cr_assert(ctx.idem_recorded);
    store_set_context(S, NULL);
    OK(store_idem_claim(S, U.id, "k1", "hash-a", "owner-3", now + 100, 10, &r));
    cr_assert_eq(r.state, IDEM_DONE);
    cr_assert_eq(r.status, 201);
    cr_assert_str_eq(r.body, "{\"id\":2}");
    free(r.body);
    /* Past 24 h the key is new again. */
    OK(store_idem_claim(S, U.id, "k1", "hash-b", "owner-4", now + 86401, 10, &r));
    cr_assert_eq(r.state, IDEM_CLAIMED);
}

Test(store, an_idempotency_claim_let_go_is_free_again)
{
    struct idem_record r;
    int64_t now = clock_now();
    OK(store_idem_claim(S, U.id, "k2", "h", "owner-1", now, 10, &r));
    struct store_context ctx = {.idem_user_id = U.id, .idem_key = "k2", .idem_owner = "owner-9"};
    store_set_context(S, &ctx);
    OK(UOW(S, store_idem_release(S)));
    store_set_context(S, NULL);
    OK(store_idem_claim(S, U.id, "k2", "h", "owner-2", now, 10, &r));
    cr_assert_eq(r.state, IDEM_BUSY, "only its owner lets a claim go");
    ctx.idem_owner = "owner-1";
    store_set_context(S, &ctx);
    OK(UOW(S, store_idem_release(S)));
    store_set_context(S, NULL);
    OK(store_idem_claim(S, U.id, "k2", "h", "owner-2", now, 10, &r));
    cr_assert_eq(r.state, IDEM_CLAIMED);
}

Test(store, audit_entries_take_the_context_and_filter)
{
    struct store_context ctx = {.actor = &U, .ip = "192.0.2.7", .user_agent = "ua/1",
                                .request_id = "req-1"};
    store_set_context(S, &ctx);
    OK(UOW(S, store_audit_add(S, NULL, "user.updated", "user", U.id, "{\"name\":{}}")));
    store_set_context(S, NULL);
    OK(UOW(S, store_audit_add(S, NULL, "admin.created", "user", 99, NULL)));
    struct audit_filter f = {0};
    struct audit_list l;
    OK(store_audit_list(S, &f, 10, 0, &l));
    cr_assert_eq(l.total, 2);
    cr_assert_str_eq(l.items[0].action, "admin.created", "newest first");
    cr_assert_eq(l.items[0].actor_id, 0);
    cr_assert_str_eq(l.items[0].details, "{}");
    cr_assert_str_eq(l.items[1].actor_email, "ursula@example.com");
    cr_assert_str_eq(l.items[1].actor_role, "customer");
    cr_assert_str_eq(l.items[1].ip, "192.0.2.7");
    cr_assert_str_eq(l.items[1].user_agent, "ua/1");
    cr_assert_str_eq(l.items[1].request_id, "req-1");
    audit_list_release(&l);
    f.actor_id = U.id;
    OK(store_audit_list(S, &f, 10, 0, &l));
    cr_assert_eq(l.total, 1);
    audit_list_release(&l);
    f = (struct audit_filter){.target_type = "user", .target_id = 99};
    OK(store_audit_list(S, &f, 10, 0, &l));
    cr_assert_eq(l.n, 1);
    cr_assert_str_eq(l.items[0].action, "admin.created");
    audit_list_release(&l);
    f = (struct audit_filter){.action = "user.login"};
    OK(store_audit_list(S, &f, 10, 0, &l));
    cr_assert_eq(l.total, 0);
    audit_list_release(&l);
}

static void add_entries(int n)
{
    for (int i = 0; i < n; i++)
        OK(UOW(S, store_audit_add(S, &U, "user.login", "user", U.id, NULL)));
}

static void seal_all(void)
{
    struct outbox_cursor place = {0};
    int sealed = 0;
    OK(audit_seal(S, &place, 1000, &sealed));
}

Test(store, the_sealer_chains_in_id_order_and_verify_finds_a_tampered_entry)
{
    add_entries(5);
    seal_all();
    struct audit_check ck;
    OK(audit_verify(S, &ck));
    cr_assert_eq(ck.bad, 0);
    cr_assert_eq(ck.matched, 5);
    struct outbox_cursor c = {0};
    struct audit_list l;
    OK(store_audit_after(S, &c, 10, &l));
    char hash[65];
    cr_assert(audit_hash("0000000000000000000000000000000000000000000000000000000000000000",
                         &l.items[0], hash));
    cr_assert_str_eq(l.items[0].hash, hash, "the first entry chains from 64 zeros");
    cr_assert(audit_hash(l.items[0].hash, &l.items[1], hash));
    cr_assert_str_eq(l.items[1].hash, hash);
    /* Another hash on entry 3 (as if its row had been edited). */
    g_strlcpy(l.items[2].hash, l.items[1].hash, sizeof l.items[2].hash);
    struct audit_list third = {&l.items[2], 1, 1};
    char *seals = schema_audit_seals_text(&third);
    OK(UOW(S, store_audit_seal(S, seals)));
    free(seals);
    audit_list_release(&l);
    OK(audit_verify(S, &ck));
    cr_assert_eq(ck.bad, 3);
    cr_assert_eq(ck.matched, 2);
}

Test(store, a_seal_batch_sets_the_hash_of_each_entry_it_names_and_no_other)
{
    add_entries(3);
    struct outbox_cursor c = {0};
    struct audit_list l;
    OK(store_audit_after(S, &c, 10, &l));
    cr_assert_eq(l.n, 3);
    g_strlcpy(l.items[0].hash, "1111111111111111111111111111111111111111111111111111111111111111", 65);
    g_strlcpy(l.items[1].hash, "3333333333333333333333333333333333333333333333333333333333333333", 65);
    l.items[1].id = l.items[2].id; /* the batch names entries 1 and 3 */
    struct audit_list batch = {l.items, 2, 2};
    char *seals = schema_audit_seals_text(&batch);
    OK(UOW(S, store_audit_seal(S, seals)));
    free(seals);
    audit_list_release(&l);
    c = (struct outbox_cursor){0};
    OK(store_audit_after(S, &c, 10, &l));
    cr_assert_str_eq(l.items[0].hash, "1111111111111111111111111111111111111111111111111111111111111111");
    cr_assert_str_eq(l.items[1].hash, "", "an entry the batch does not name stays unsealed");
    cr_assert_str_eq(l.items[2].hash, "3333333333333333333333333333333333333333333333333333333333333333");
    audit_list_release(&l);
}

Test(store, unsealed_counts_the_entries_after_the_newest_sealed_one)
{
    int64_t n = -1;
    OK(store_audit_unsealed(S, &n));
    cr_assert_eq(n, 0, "an empty log has nothing to seal");
    add_entries(4);
    OK(store_audit_unsealed(S, &n));
    cr_assert_eq(n, 4);
    seal_all();
    OK(store_audit_unsealed(S, &n));
    cr_assert_eq(n, 0);
    add_entries(2);
    OK(store_audit_unsealed(S, &n));
    cr_assert_eq(n, 2);
}

Test(store, pruning_keeps_the_rest_of_the_chain_verifiable)
{
    add_entries(6);
    seal_all();
    int deleted = 0;
    OK(store_prune(S, PRUNE_AUDIT, clock_now() + 10, 4, &deleted));
    cr_assert_eq(deleted, 4);
    int64_t anchor = 0;
    char hash[65];
    OK(store_audit_anchor(S, &anchor, hash));
    cr_assert_eq(anchor, 4);
    struct audit_check ck;
    OK(audit_verify(S, &ck));
    cr_assert_eq(ck.bad, 0);
    cr_assert_eq(ck.matched, 2);
    /* New entries chain on from what is left. */
    add_entries(2);
    seal_all();
    OK(audit_verify(S, &ck));
    cr_assert_eq(ck.bad, 0);
    cr_assert_eq(ck.matched, 4);
    /* Unsealed entries are never pruned, and verify counts them. */
    add_entries(1);
    OK(audit_verify(S, &ck));
    cr_assert_eq(ck.bad, 0);
    cr_assert_eq(ck.unsealed, 1);
    OK(store_prune(S, PRUNE_AUDIT, clock_now() + 10, 100, &deleted));
    cr_assert_eq(deleted, 4);
    struct audit_filter f = {0};
    struct audit_list l;
    OK(store_audit_list(S, &f, 10, 0, &l));
    cr_assert_eq(l.total, 1);
    audit_list_release(&l);
}

Test(store, a_job_lease_is_held_by_one_owner_until_it_lapses)
{
    struct store *other = open_store();
    bool held = false;
    int64_t now = clock_now();
    OK(store_job_lease(S, "sealer", "a", now, now + 10, &held));
    cr_assert(held);
    OK(store_job_lease(other, "sealer", "b", now + 1, now + 11, &held));
    cr_assert_not(held, "b may not run while a holds it");
    OK(store_job_lease(S, "sealer", "a", now + 5, now + 15, &held));
    cr_assert(held, "the owner renews");
    OK(store_job_lease(other, "sealer", "b", now + 16, now + 26, &held));
    cr_assert(held, "a lapsed lease passes on");
    OK(store_job_lease(S, "sealer", "a", now + 17, now + 27, &held));
    cr_assert_not(held);
    OK(store_job_lease(other, "retention", "b", now, now + 10, &held));
    cr_assert(held, "each job has its own lease");
    store_close(other);
}

Test(store, retention_deletes_only_what_is_older)
{
    int64_t now = clock_now(), id = 0;
    OK(store_begin(S));
    OK(store_login_failure_add(S, "x@example.com", "192.0.2.1", now - 1000, &id));
    OK(store_login_failure_add(S, "x@example.com", "192.0.2.1", now, &id));
    OK(store_event_add(S, "booking.created", "{}", 0, 0));
    OK(store_end(S, APP_OK));
    int deleted = 0;
    OK(store_prune(S, PRUNE_LOGIN_FAILURES, now - 500, 100, &deleted));
    cr_assert_eq(deleted, 1);
    struct login_failure_counts counts;
    OK(store_login_failures(S, "x@example.com", "192.0.2.1", now - 5000, &counts));
    cr_assert_eq(counts.email, 1);
    OK(store_prune(S, PRUNE_EVENTS, now - 60, 100, &deleted));
    cr_assert_eq(deleted, 0);
    OK(store_prune(S, PRUNE_EVENTS, now + 60, 100, &deleted));
    cr_assert_eq(deleted, 1);
    cr_assert_eq(test_db_count_events(S), 0);
    /* A login attempt cleared by its success no longer counts. */
    OK(UOW(S, store_login_attempt_clear(S, id)));
    OK(store_login_failures(S, "x@example.com", "192.0.2.1", now - 5000, &counts));
    cr_assert_eq(counts.email, 0);
}

Test(store, locks_read_the_row_and_admin_counts_see_only_other_active_admins)
{
    struct user a = U, b = U, got;
    snprintf(a.email, sizeof a.email, "a@example.com");
    snprintf(b.email, sizeof b.email, "b@example.com");
    a.role = b.role = ROLE_ADMIN;
    OK(UOW(S, store_user_insert(S, &a)));
    OK(UOW(S, store_user_insert(S, &b)));
    int64_t others = -1;
    OK(store_admins_other(S, a.id, &others));
    cr_assert_eq(others, 1);
    b.is_active = false;
    OK(UOW(S, store_user_update(S, &b)));
    OK(store_admins_other(S, a.id, &others));
    cr_assert_eq(others, 0);
    OK(store_begin(S));
    OK(store_user_lock(S, a.id, &got));
    cr_assert_str_eq(got.email, "a@example.com");
    cr_assert_eq(store_user_lock(S, 9999, &got), APP_ERR_USER_NOT_FOUND);
    OK(store_end(S, APP_OK));
}

Test(store, a_former_providers_services_all_close)
{
    struct user p = U;
    snprintf(p.email, sizeof p.email, "p@example.com");
    p.role = ROLE_PROVIDER;
    OK(UOW(S, store_user_insert(S, &p)));
    struct service v = {.provider_id = p.id, .duration_minutes = 30, .slot_interval_minutes = 30,
                        .max_advance_days = 90, .active = true};
    snprintf(v.name, sizeof v.name, "Cut");
    OK(UOW(S, store_service_insert(S, &v)));
    OK(UOW(S, store_service_insert(S, &v)));
    OK(UOW(S, store_services_deactivate(S, p.id)));
    struct service_list l;
    OK(store_service_list(S, p.id, 10, 0, &l));
    cr_assert_eq(l.total, 0, "no active service left");
    service_list_release(&l);
    struct service got;
    OK(store_begin(S));
    OK(store_service_lock(S, v.id, &got));
    cr_assert_not(got.active);
    OK(store_end(S, APP_OK));
}

Test(store, the_chain_ends_at_the_newest_sealed_entry_else_at_the_anchor)
{
    int64_t id = -1;
    char hash[65];
    OK(store_audit_chain_end(S, &id, hash));
    cr_assert_eq(id, 0);
    cr_assert_str_eq(hash, "0000000000000000000000000000000000000000000000000000000000000000");
    add_entries(3);
    seal_all();
    add_entries(1);
    OK(store_audit_chain_end(S, &id, hash));
    cr_assert_eq(id, 3);
    cr_assert_eq(strlen(hash), 64);
}

Test(store, open_wait_gives_up_with_the_databases_error)
{
    char err[256] = "";
    /* Port 1 on the loopback: refused at once, every try. */
    struct store *s = store_open_wait("postgresql://nobody@127.0.0.1:1/none", 1, err, sizeof err);
    cr_assert_null(s);
    cr_assert(strstr(err, "127.0.0.1") || strstr(err, "refused") || strstr(err, "connect"),
              "err: %s", err);
    s = store_open_wait(db_url, 1, err, sizeof err);
    cr_assert_not_null(s, "a reachable database opens at the first try: %s", err);
    store_close(s);
}
