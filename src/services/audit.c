#include "services/audit.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"
#include "core/log.h"

#define AUDIT_BATCH 500

enum app_err audit_write(struct store *s, const struct user *actor, const char *action,
                         const char *target_type, int64_t target_id, struct audit_details *d)
{
    char *details = schema_details_text(d);
    enum app_err err = details ? store_audit_add(s, actor, action, target_type, target_id, details)
                               : APP_ERR_INTERNAL;
    free(details);
    return err;
}

enum app_err audit_list(struct store *s, const struct audit_filter *f, int limit, int offset,
                        struct audit_list *out)
{
    return store_audit_list(s, f, limit, offset, out);
}

bool audit_hash(const char *prev, const struct audit_entry *e, char out[65])
{
    char *text = schema_audit_entry_text(e);
    if (!text)
        return false;
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(sum, (const guchar *)prev, 64);
    g_checksum_update(sum, (const guchar *)text, (gssize)strlen(text));
    g_strlcpy(out, g_checksum_get_string(sum), 65);
    g_checksum_free(sum);
    free(text);
    return true;
}

enum app_err audit_seal(struct store *s, struct outbox_cursor *c, int max, int *sealed)
{
    struct audit_list batch = {0};
    char prev[65];
    int64_t last = 0;
    *sealed = 0;
    enum app_err err = store_audit_chain_end(s, &last, prev);
    /* Another process sealed meanwhile, or the last batch did not commit. */
    if (!err && c->after != last)
        *c = (struct outbox_cursor){.after = last};
    if (!err)
        err = store_audit_after(s, c, max < AUDIT_BATCH ? max : AUDIT_BATCH, &batch);
    if (err || batch.n == 0)
        goto out;
    for (int i = 0; !err && i < batch.n; i++) {
        struct audit_entry *e = &batch.items[i];
        err = audit_hash(i ? batch.items[i - 1].hash : prev, e, e->hash) ? APP_OK : APP_ERR_INTERNAL;
    }
    char *seals = err ? NULL : schema_audit_seals_text(&batch);
    err = err ? err : seals ? store_begin(s) : APP_ERR_INTERNAL;
    if (!err) {
        store_last_step(s);
        err = store_end(s, store_audit_seal(s, seals));
    }
    free(seals);
    *sealed = err ? 0 : batch.n;
out:
    audit_list_release(&batch);
    return err;
}

/* Checks one page; false at the first entry that does not match. Entries
 * not sealed yet end the chain; one followed by a sealed entry lost its hash. */
static bool verify_page(const struct audit_list *page, char prev[65], int64_t *first_unsealed,
                        struct audit_check *out)
{
    for (int i = 0; i < page->n; i++) {
        const struct audit_entry *e = &page->items[i];
        char hash[65];
        if (!e->hash[0]) {
            *first_unsealed = *first_unsealed ? *first_unsealed : e->id;
            out->unsealed++;
            continue;
        }
        if (*first_unsealed || !audit_hash(prev, e, hash) || strcmp(hash, e->hash) != 0) {
            out->bad = *first_unsealed ? *first_unsealed : e->id;
            return false;
        }
        g_strlcpy(prev, e->hash, 65);
        out->matched++;
    }
    return true;
}

enum app_err audit_verify(struct store *s, struct audit_check *out)
{
    char prev[65];
    struct outbox_cursor c = {.past_gaps = true};
    int64_t first_unsealed = 0;
    bool ok = true;
    *out = (struct audit_check){0};
    enum app_err err = store_audit_anchor(s, &c.after, prev);
    while (!err && ok) {
        struct audit_list page;
        err = store_audit_after(s, &c, AUDIT_BATCH, &page);
        if (err)
            break;
        ok = page.n > 0 && verify_page(&page, prev, &first_unsealed, out);
        audit_list_release(&page);
    }
    return err;
}
