#include "services/events.h"

#include <glib.h>
#include <string.h>

#include "core/banned.h"
#include "core/random.h"

static void ticket_hash(const char *ticket, char out[65])
{
    gchar *h = g_compute_checksum_for_string(G_CHECKSUM_SHA256, ticket, -1);
    g_strlcpy(out, h, 65);
    g_free(h);
}

enum app_err events_ticket_issue(struct store *s, int64_t user_id, const char *sid, int64_t now,
                                 char out[EVENTS_TICKET_LEN + 1])
{
    char hash[65];
    if (!random_hex(out, EVENTS_TICKET_LEN / 2))
        return APP_ERR_INTERNAL;
    ticket_hash(out, hash);
    enum app_err err = store_begin(s);
    if (!err)
        err = store_ticket_add(s, hash, user_id, sid, now + EVENTS_TICKET_SECONDS, now);
    return store_end(s, err);
}

enum app_err events_ticket_redeem(struct store *s, const char *ticket, int64_t now,
                                  struct event_viewer *v)
{
    char hash[65];
    int64_t expires_at = 0;
    struct user u;
    if (strlen(ticket) != EVENTS_TICKET_LEN)
        return APP_ERR_BAD_TOKEN;
    ticket_hash(ticket, hash);
    /* Taken (deleted) before it is judged: a ticket is used up by its
     * first presentation, valid or not. */
    enum app_err err = store_begin(s);
    if (!err)
        err = store_ticket_take(s, hash, &v->user_id, v->sid, sizeof v->sid, &expires_at);
    err = store_end(s, err);
    if (!err && expires_at <= now)
        err = APP_ERR_BAD_TOKEN;
    if (!err)
        err = store_session_user(s, v->sid, v->user_id, now, &u);
    if (!err)
        v->role = u.role;
    if (err == APP_ERR_NOT_FOUND || err == APP_ERR_USER_NOT_FOUND)
        err = APP_ERR_BAD_TOKEN;
    return err;
}

static const char *const streamed[] = {
    "booking.created", "booking.cancelled", "booking.rescheduled", "booking.completed",
    "waitlist.slot_available", "waitlist.booked",
};

bool events_streamed(const char *type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(streamed); i++)
        if (strcmp(type, streamed[i]) == 0)
            return true;
    return false;
}

bool events_visible(const struct event_viewer *v, const struct event *e)
{
    if (!events_streamed(e->type))
        return false;
    if (v->role == ROLE_ADMIN)
        return true;
    if (e->customer_id && e->customer_id == v->user_id)
        return true;
    /* A waitlist entry is the customer's own: its provider is not told. */
    return strncmp(e->type, "booking.", 8) == 0 && e->provider_id &&
           e->provider_id == v->user_id;
}

bool events_resume_resets(int64_t last_id, int64_t pruned_through)
{
    return pruned_through > last_id;
}

enum app_err events_head(struct store *s, int64_t *head)
{
    return store_events_head(s, head);
}

enum app_err events_next_page(struct store *s, struct outbox_cursor *c, int limit,
                              struct event_list *out)
{
    return store_events_after(s, c, limit, out);
}

enum app_err events_backlog(struct store *s, const struct event_viewer *v, int64_t after,
                            int64_t upto, int limit, struct event_list *out)
{
    /* An admin may see every event; anyone else only those naming them. */
    int64_t viewer = v->role == ROLE_ADMIN ? 0 : v->user_id;
    return store_events_range(s, after, upto, viewer, limit, out);
}

enum app_err events_resume_check(struct store *s, int64_t last_id, bool *reset)
{
    int64_t pruned = 0;
    enum app_err err = store_events_pruned_through(s, &pruned);
    *reset = !err && events_resume_resets(last_id, pruned);
    return err;
}

enum app_err events_sessions_check(struct store *s, const char *const *sids, int n, int64_t now,
                                   bool *live, enum role *roles)
{
    return store_sessions_live(s, sids, n, now, live, roles);
}

enum app_err events_wait(struct store *s, int timeout_ms, bool *notified)
{
    bool woken;
    *notified = strcmp(store_engine(s), "postgresql") == 0;
    return store_wait_events(s, timeout_ms, &woken);
}
