/* Fuzzes the text parsers of src/core/timeutil.c: rfc3339_parse, date_parse
 * and hhmm_parse, on a NUL-terminated copy of the input (an embedded NUL ends
 * the string, as it would in a C caller). Every parse that succeeds must
 * survive a round trip through the matching formatter; a broken invariant
 * aborts. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Unix seconds of 0001-01-01T00:00:00Z and of 10000-01-01T00:00:00Z: the
 * range rfc3339_format can write (four-digit years). */
#define FIRST_SECOND (-62135596800LL)
#define END_SECOND (253402300800LL)

static void check_rfc3339(const char *s, size_t len)
{
    int64_t t = 0;
    if (!rfc3339_parse(s, &t))
        return;

    /* Only accepted with a date, a time and an offset: at least 20 bytes, and
     * the date part alone is a valid date. */
    if (len < 20)
        abort();
    char date[11];
    memcpy(date, s, 10);
    date[10] = '\0';
    int64_t days;
    if (!date_parse(date, &days))
        abort();

    /* Any offset moves the instant by less than a day from the local time. */
    int64_t local = days * 86400 + ((s[11] - '0') * 10 + (s[12] - '0')) * 3600 +
                    ((s[14] - '0') * 10 + (s[15] - '0')) * 60 + (s[17] - '0') * 10 + (s[18] - '0');
    if (t - local >= 86400 || local - t >= 86400)
        abort();

    /* Whatever the offset, an instant with a four-digit UTC year formats to
     * a string that parses back to the same instant. */
    if (t >= FIRST_SECOND && t < END_SECOND) {
        char buf[21];
        rfc3339_format(t, buf);
        int64_t back = 0;
        if (strlen(buf) != 20 || !rfc3339_parse(buf, &back) || back != t)
            abort();
    }

    /* "…Z" without a fraction: the formatter writes the very same text, but
     * for the case of T and Z and a space in place of T. */
    char last = s[len - 1];
    if ((last == 'Z' || last == 'z') && len == 20) {
        char buf[21];
        rfc3339_format(t, buf);
        int64_t back = 0;
        if (!rfc3339_parse(buf, &back) || back != t)
            abort();
        char norm[21];
        memcpy(norm, s, 21);
        norm[10] = 'T';
        norm[19] = 'Z';
        if (memcmp(norm, buf, 21) != 0)
            abort();
    }
}

static void check_date(const char *s, size_t len)
{
    int64_t days = 0;
    if (!date_parse(s, &days))
        return;
    if (len != 10)
        abort();
    char buf[11];
    date_format(days, buf);
    if (memcmp(buf, s, 11) != 0)
        abort();
    /* The day is a real one: back to the same fields. */
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (days_from_civil(y, m, d) != days || y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 ||
        d > 31)
        abort();
    int wd = weekday_from_days(days);
    if (wd < 0 || wd > 6 || weekday_from_days(days + 7) != wd)
        abort();
}

static void check_hhmm(const char *s, size_t len)
{
    int strict = -1, lax = -1;
    bool ok_strict = hhmm_parse(s, false, &strict);
    bool ok_lax = hhmm_parse(s, true, &lax);
    /* allow_24 only adds "24:00". */
    if (ok_strict && (!ok_lax || lax != strict))
        abort();
    if (ok_lax && !ok_strict && (lax != 1440 || strcmp(s, "24:00") != 0))
        abort();
    if (!ok_lax)
        return;
    if (len != 5 || lax < 0 || lax > 1440 || (ok_strict && strict > 1439))
        abort();
    char buf[6];
    hhmm_format(lax, buf);
    if (memcmp(buf, s, 6) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    if (size)
        memcpy(s, data, size);
    s[size] = '\0';
    size_t len = strlen(s);

    check_rfc3339(s, len);
    check_date(s, len);
    check_hhmm(s, len);

    free(s);
    return 0;
}
