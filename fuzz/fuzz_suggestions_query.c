/* Fuzzes the query string readers of GET /api/v1/services/{id}/suggestions:
 * schema_slot_range (src/schemas/bookings.h) and schema_suggestion_query
 * (src/schemas/suggestions.h), called as the handler calls them. The input is
 * up to seven lines, "FROM\nTO\nTIMEZONE\nDAYS\nAFTER\nBEFORE\nLIMIT"; a line
 * that is not there is a parameter that is absent (NULL), and an embedded NUL
 * ends a line's value, as in a C string from libmicrohttpd.
 * Invariants (abort when broken): each reader returns true exactly when it
 * added no field error; every error entry is a terminated string of the query;
 * accepted dates format back to the very text, to is not before from and at
 * most 61 days after it; an accepted zone name is short and no path; an
 * accepted days list has a non-zero 7-bit mask that its own names, written
 * back, parse to again; accepted hours are in range, written back as given,
 * and after is earlier than before; the limit is 1–50, 5 when absent; the
 * same input gives the same answer twice. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/timeutil.h"
#include "models/suggestion.h"
#include "schemas/bookings.h"
#include "schemas/suggestions.h"

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { FROM, TO, TZ, DAYS, AFTER, BEFORE, LIMIT, N_FIELDS };

struct answer {
    bool range_ok, query_ok;
    int64_t from_days, to_days, limit;
    struct suggestion_prefs prefs;
    struct field_errors fe;
};

static void read_query(char *const *v, struct answer *a)
{
    memset(a, 0, sizeof *a);
    a->range_ok = schema_slot_range(v[FROM], v[TO], v[TZ], &a->from_days, &a->to_days, &a->fe);
    int after_range = a->fe.n;
    a->query_ok = schema_suggestion_query(v[DAYS], v[AFTER], v[BEFORE], v[LIMIT], &a->prefs,
                                          &a->limit, &a->fe);
    if (a->range_ok != (after_range == 0) || a->query_ok != (a->fe.n == after_range))
        abort();
}

static void check_errors(const struct field_errors *fe)
{
    if (fe->n < 0 || fe->n > FIELD_ERRORS_MAX)
        abort();
    for (int i = 0; i < fe->n; i++) {
        const struct field_error *e = &fe->items[i];
        if (!memchr(e->loc0, '\0', sizeof e->loc0) || !memchr(e->field, '\0', sizeof e->field) ||
            !memchr(e->type, '\0', sizeof e->type) || !memchr(e->msg, '\0', sizeof e->msg) ||
            strcmp(e->loc0, "query") != 0 || !e->field[0] || !e->msg[0])
            abort();
    }
}

static void check_range(char *const *v, const struct answer *a)
{
    if (!a->range_ok)
        return;
    char buf[11];
    date_format(a->from_days, buf);
    if (strcmp(buf, v[FROM]) != 0)
        abort();
    date_format(a->to_days, buf);
    if (strcmp(buf, v[TO]) != 0)
        abort();
    if (a->to_days < a->from_days || a->to_days - a->from_days > 61)
        abort();
    if (v[TZ] && (strlen(v[TZ]) >= 64 || v[TZ][0] == '/' || strstr(v[TZ], "..")))
        abort();
}

static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static void check_days(const char *given, unsigned mask)
{
    if (!given) {
        if (mask)
            abort();
        return;
    }
    if (!mask || mask >= 1u << 7)
        abort();
    char list[7 * 4] = "";
    size_t len = 0;
    for (int d = 0; d < 7; d++)
        if (mask & 1u << d) {
            if (len)
                list[len++] = ',';
            memcpy(list + len, day_names[d], 4);
            len += 3;
        }
    struct suggestion_prefs again;
    struct field_errors fe = {0};
    int64_t limit;
    if (!schema_suggestion_query(list, NULL, NULL, NULL, &again, &limit, &fe) ||
        again.days != mask)
        abort();
}

static void check_hour(const char *given, int minute, int last)
{
    if (!given) {
        if (minute != -1)
            abort();
        return;
    }
    if (minute < 0 || minute > last)
        abort();
    char buf[6];
    hhmm_format(minute, buf);
    if (strcmp(buf, given) != 0)
        abort();
}

static void check_prefs(char *const *v, const struct answer *a)
{
    if (!a->query_ok)
        return;
    check_days(v[DAYS], a->prefs.days);
    check_hour(v[AFTER], a->prefs.after_min, 1439);
    check_hour(v[BEFORE], a->prefs.before_min, 1440);
    if (a->prefs.after_min >= 0 && a->prefs.before_min >= 0 &&
        a->prefs.after_min >= a->prefs.before_min)
        abort();
    if (a->limit < 1 || a->limit > SUGGESTION_LIMIT_MAX ||
        (!v[LIMIT] && a->limit != SUGGESTION_LIMIT_DEFAULT))
        abort();
}

static bool same(const struct answer *x, const struct answer *y)
{
    if (x->range_ok != y->range_ok || x->query_ok != y->query_ok || x->fe.n != y->fe.n)
        return false;
    for (int i = 0; i < x->fe.n; i++)
        if (strcmp(x->fe.items[i].field, y->fe.items[i].field) != 0 ||
            strcmp(x->fe.items[i].msg, y->fe.items[i].msg) != 0)
            return false;
    return !x->query_ok || (x->limit == y->limit && x->prefs.days == y->prefs.days &&
                            x->prefs.after_min == y->prefs.after_min &&
                            x->prefs.before_min == y->prefs.before_min);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    text[size] = '\0';

    char *v[N_FIELDS] = {0};
    char *line = text, *end = text + size;
    for (int i = 0; i < N_FIELDS && line <= end; i++) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        if (nl)
            *nl = '\0';
        v[i] = line;
        if (!nl)
            break;
        line = nl + 1;
    }

    struct answer a, b;
    read_query(v, &a);
    check_errors(&a.fe);
    check_range(v, &a);
    check_prefs(v, &a);
    read_query(v, &b);
    if (!same(&a, &b))
        abort();

    free(text);
    return 0;
}
