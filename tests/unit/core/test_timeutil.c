/* Unit tests of src/core/timeutil.c: civil dates, HH:MM and RFC 3339.
 * Every expected value is computed by hand from the proleptic Gregorian
 * calendar (days since 1970-01-01, Unix seconds without leap seconds). */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/timeutil.h"

/* ---- days_from_civil / civil_from_days / weekday_from_days ---- */

static void check_civil(int y, int m, int d, int64_t days)
{
    cr_assert_eq(days_from_civil(y, m, d), days, "days_from_civil(%04d-%02d-%02d) = %lld, want %lld", y, m,
                 d, (long long)days_from_civil(y, m, d), (long long)days);
    int yy = 0, mm = 0, dd = 0;
    civil_from_days(days, &yy, &mm, &dd);
    cr_assert(yy == y && mm == m && dd == d, "civil_from_days(%lld) = %04d-%02d-%02d, want %04d-%02d-%02d",
              (long long)days, yy, mm, dd, y, m, d);
}

Test(timeutil, civil_epoch_and_edges)
{
    check_civil(1970, 1, 1, 0);
    check_civil(1970, 1, 2, 1);
    check_civil(1969, 12, 31, -1);
    check_civil(1972, 2, 29, 789);
    check_civil(1968, 2, 29, -672);
    check_civil(2000, 1, 1, 10957);
    check_civil(2000, 2, 29, 11016); /* 2000 is a leap year (divisible by 400) */
    check_civil(2000, 3, 1, 11017);
    check_civil(2024, 2, 29, 19782);
    check_civil(2026, 11, 25, 20782);
    check_civil(2027, 3, 14, 20891);
    check_civil(2100, 2, 28, 47540);
    check_civil(2100, 3, 1, 47541); /* 2100 is not a leap year */
    check_civil(1900, 1, 1, -25567);
    check_civil(1900, 3, 1, -25508); /* 1900 is not a leap year */
    check_civil(1600, 2, 29, -135081);
    check_civil(1, 1, 1, -719162);
    check_civil(9999, 12, 31, 2932896);
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_len(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Walks every day from 1600-01-01 to 2400-12-31 and checks both directions. */
Test(timeutil, civil_round_trip_every_day_1600_2400)
{
    int64_t days = days_from_civil(1600, 1, 1);
    cr_assert_eq(days, -135140);
    for (int y = 1600; y <= 2400; y++) {
        for (int m = 1; m <= 12; m++) {
            for (int d = 1; d <= month_len(y, m); d++) {
                int64_t got = days_from_civil(y, m, d);
                if (got != days)
                    cr_assert_fail("days_from_civil(%d-%d-%d) = %lld, want %lld", y, m, d, (long long)got,
                                   (long long)days);
                int yy, mm, dd;
                civil_from_days(days, &yy, &mm, &dd);
                if (yy != y || mm != m || dd != d)
                    cr_assert_fail("civil_from_days(%lld) = %d-%d-%d, want %d-%d-%d", (long long)days, yy, mm,
                                   dd, y, m, d);
                days++;
            }
        }
    }
    cr_assert_eq(days, days_from_civil(2401, 1, 1));
}

Test(timeutil, weekday)
{
    cr_assert_eq(weekday_from_days(days_from_civil(2026, 11, 25)), 2); /* wednesday */
    cr_assert_eq(weekday_from_days(20782), 2);
    cr_assert_eq(weekday_from_days(0), 3);      /* 1970-01-01 thursday */
    cr_assert_eq(weekday_from_days(-1), 2);     /* 1969-12-31 wednesday */
    cr_assert_eq(weekday_from_days(-3), 0);     /* 1969-12-29 monday */
    cr_assert_eq(weekday_from_days(-4), 6);     /* 1969-12-28 sunday */
    cr_assert_eq(weekday_from_days(10957), 5);  /* 2000-01-01 saturday */
    cr_assert_eq(weekday_from_days(-25567), 0); /* 1900-01-01 monday */
    cr_assert_eq(weekday_from_days(20891), 6);  /* 2027-03-14 sunday */
    cr_assert_eq(weekday_from_days(20780), 0);  /* 2026-11-23 monday */
    /* Seven consecutive days starting on a monday. */
    for (int i = 0; i < 7; i++)
        cr_assert_eq(weekday_from_days(20780 + i), i);
    for (int i = 0; i < 7; i++)
        cr_assert_eq(weekday_from_days(-3 + i), i);
}

/* ---- date_parse / date_format ---- */

static void date_ok(const char *s, int64_t want)
{
    int64_t days = 123456789;
    cr_assert(date_parse(s, &days), "date_parse(\"%s\") refused", s);
    cr_assert_eq(days, want, "date_parse(\"%s\") = %lld, want %lld", s, (long long)days, (long long)want);
}

static void date_bad(const char *s)
{
    int64_t days = 0;
    cr_assert_not(date_parse(s, &days), "date_parse(\"%s\") accepted", s);
}

Test(timeutil, date_parse_valid)
{
    date_ok("1970-01-01", 0);
    date_ok("1969-12-31", -1);
    date_ok("2026-11-25", 20782);
    date_ok("2000-02-29", 11016);
    date_ok("2024-02-29", 19782);
    date_ok("2100-02-28", 47540);
    date_ok("2100-03-01", 47541);
    date_ok("2027-03-14", 20891);
    date_ok("2026-12-31", 20818);
    date_ok("2026-04-30", 20573);
}

Test(timeutil, date_parse_invalid)
{
    date_bad("2026-02-30");
    date_bad("2026-02-29"); /* 2026 is not a leap year */
    date_bad("2100-02-29"); /* 2100 is not a leap year */
    date_bad("2026-04-31");
    date_bad("2026-13-01");
    date_bad("2026-00-10");
    date_bad("2026-01-00");
    date_bad("2026-01-32");
    date_bad("2026-1-01");
    date_bad("2026-01-1");
    date_bad("26-01-01");
    date_bad("2026-01-01x");
    date_bad("2026-01-01 ");
    date_bad("2026-01-01T00:00:00Z");
    date_bad(" 2026-01-01");
    date_bad("+026-01-01");
    date_bad("2026-+1-01");
    date_bad("2026/01/01");
    date_bad("20260101");
    date_bad("2026-001-01");
    date_bad("");
    date_bad("garbage");
    date_bad("yyyy-mm-dd");
}

Test(timeutil, date_format)
{
    char buf[16];
    memset(buf, 'x', sizeof buf);
    date_format(0, buf);
    cr_assert_str_eq(buf, "1970-01-01");
    date_format(-1, buf);
    cr_assert_str_eq(buf, "1969-12-31");
    date_format(20782, buf);
    cr_assert_str_eq(buf, "2026-11-25");
    date_format(11016, buf);
    cr_assert_str_eq(buf, "2000-02-29");
    date_format(47541, buf);
    cr_assert_str_eq(buf, "2100-03-01");
    date_format(-25567, buf);
    cr_assert_str_eq(buf, "1900-01-01");
    /* Round trip through date_parse. */
    for (int64_t d = -800; d < 40000; d += 37) {
        int64_t back = 0;
        date_format(d, buf);
        cr_assert(date_parse(buf, &back), "date_parse refused its own \"%s\"", buf);
        cr_assert_eq(back, d);
    }
}

/* ---- hhmm_parse / hhmm_format ---- */

static void hhmm_ok(const char *s, bool allow_24, int want)
{
    int minutes = -12345;
    cr_assert(hhmm_parse(s, allow_24, &minutes), "hhmm_parse(\"%s\", %d) refused", s, allow_24);
    cr_assert_eq(minutes, want, "hhmm_parse(\"%s\") = %d, want %d", s, minutes, want);
}

static void hhmm_bad(const char *s, bool allow_24)
{
    int minutes = 0;
    cr_assert_not(hhmm_parse(s, allow_24, &minutes), "hhmm_parse(\"%s\", %d) accepted", s, allow_24);
}

Test(timeutil, hhmm_parse_valid)
{
    hhmm_ok("00:00", false, 0);
    hhmm_ok("00:00", true, 0);
    hhmm_ok("00:01", false, 1);
    hhmm_ok("09:00", false, 540);
    hhmm_ok("09:30", false, 570);
    hhmm_ok("12:59", false, 779);
    hhmm_ok("23:59", false, 1439);
    hhmm_ok("23:59", true, 1439);
    hhmm_ok("24:00", true, 1440);
}

Test(timeutil, hhmm_parse_invalid)
{
    hhmm_bad("24:00", false);
    hhmm_bad("24:01", true);
    hhmm_bad("24:30", true);
    hhmm_bad("25:00", true);
    hhmm_bad("25:00", false);
    hhmm_bad("9:00", false);
    hhmm_bad("9:00", true);
    hhmm_bad("09:0", false);
    hhmm_bad("12:60", false);
    hhmm_bad("12:60", true);
    hhmm_bad("12:99", false);
    hhmm_bad("99:99", true);
    hhmm_bad("1200", false);
    hhmm_bad("12:00x", false);
    hhmm_bad("12:00 ", false);
    hhmm_bad(" 12:00", false);
    hhmm_bad("12:00:00", false);
    hhmm_bad("-1:00", false);
    hhmm_bad("+9:00", false);
    hhmm_bad("12-00", false);
    hhmm_bad("ab:cd", false);
    hhmm_bad("", false);
    hhmm_bad("", true);
}

Test(timeutil, hhmm_format)
{
    char buf[8];
    hhmm_format(0, buf);
    cr_assert_str_eq(buf, "00:00");
    hhmm_format(570, buf);
    cr_assert_str_eq(buf, "09:30");
    hhmm_format(1439, buf);
    cr_assert_str_eq(buf, "23:59");
    hhmm_format(1440, buf);
    cr_assert_str_eq(buf, "24:00");
    for (int m = 0; m <= 1440; m++) {
        int back = -1;
        hhmm_format(m, buf);
        cr_assert(hhmm_parse(buf, true, &back), "hhmm_parse refused its own \"%s\"", buf);
        cr_assert_eq(back, m);
    }
}

/* ---- rfc3339_parse / rfc3339_format ---- */

static void rfc_ok(const char *s, int64_t want)
{
    int64_t t = 42;
    cr_assert(rfc3339_parse(s, &t), "rfc3339_parse(\"%s\") refused", s);
    cr_assert_eq(t, want, "rfc3339_parse(\"%s\") = %lld, want %lld", s, (long long)t, (long long)want);
}

static void rfc_bad(const char *s)
{
    int64_t t = 0;
    cr_assert_not(rfc3339_parse(s, &t), "rfc3339_parse(\"%s\") accepted", s);
}

Test(timeutil, rfc3339_parse_offsets)
{
    /* 2026-12-01 is day 20788: 20788 * 86400 + 9 * 3600 = 1796115600. */
    rfc_ok("2026-12-01T09:00:00Z", 1796115600);
    rfc_ok("2026-12-01T09:00:00+00:00", 1796115600);
    rfc_ok("2026-12-01T09:00:00-00:00", 1796115600);
    rfc_ok("2026-12-01T10:00:00+01:00", 1796115600);
    rfc_ok("2026-12-01T03:30:00-05:30", 1796115600);
    rfc_ok("2026-12-01T14:30:00+05:30", 1796115600);
    rfc_ok("2026-12-01T23:00:00+14:00", 1796115600);
    /* An offset moving the date back over a month end: 2026-12-01T01:00+02:00 = 2026-11-30T23:00Z. */
    rfc_ok("2026-12-01T01:00:00+02:00", 1796115600 - 10 * 3600);
    /* And over a year end: 2026-12-31T20:30-03:00 = 2026-12-31T23:30Z. */
    rfc_ok("2026-12-31T20:30:00-03:00", 1798759800);
    rfc_ok("2027-01-01T00:30:00+01:00", 1798759800);
    rfc_ok("1970-01-01T00:00:00Z", 0);
    rfc_ok("1970-01-01T01:00:00+01:00", 0);
    rfc_ok("1969-12-31T23:59:59Z", -1);
    rfc_ok("2000-02-29T12:00:00-12:00", 951868800);
    rfc_ok("2027-03-14T07:30:00Z", 1805009400);
    rfc_ok("2027-03-14T03:30:00-04:00", 1805009400);
    rfc_ok("2038-01-19T03:14:08Z", 2147483648LL);
    rfc_ok("2100-01-01T00:00:00Z", 4102444800LL);
    rfc_ok("2026-12-01T09:00:59Z", 1796115659);
    rfc_ok("2026-12-01T23:59:59Z", 1796083200 + 86399);
}

Test(timeutil, rfc3339_parse_fractional)
{
    rfc_ok("2026-12-01T09:00:00.5Z", 1796115600);
    rfc_ok("2026-12-01T09:00:00.123Z", 1796115600);
    rfc_ok("2026-12-01T09:00:00.999999Z", 1796115600);
    rfc_ok("2026-12-01T09:00:00.000000001Z", 1796115600);
    rfc_ok("2026-12-01T09:00:07.999+00:00", 1796115607);
    rfc_ok("2026-12-01T10:00:00.250+01:00", 1796115600);
    rfc_ok("2026-12-01T03:30:00.9-05:30", 1796115600);
}

Test(timeutil, rfc3339_parse_invalid)
{
    rfc_bad("2026-12-01T09:00:00");        /* no offset */
    rfc_bad("2026-12-01T09:00:00.123");    /* no offset */
    rfc_bad("2026-12-01");                 /* a date only */
    rfc_bad("2026-12-01T09:00Z");          /* no seconds */
    rfc_bad("2026-13-01T09:00:00Z");       /* month 13 */
    rfc_bad("2026-00-01T09:00:00Z");       /* month 0 */
    rfc_bad("2026-02-30T09:00:00Z");       /* february 30 */
    rfc_bad("2026-02-29T09:00:00Z");       /* not a leap year */
    rfc_bad("2026-04-31T09:00:00Z");       /* april 31 */
    rfc_bad("2026-12-00T09:00:00Z");       /* day 0 */
    rfc_bad("2026-12-32T09:00:00Z");       /* day 32 */
    rfc_bad("2026-12-01T24:00:00Z");       /* hour 24 */
    rfc_bad("2026-12-01T09:60:00Z");       /* minute 60 */
    rfc_bad("2026-12-01T09:00:61Z");       /* second 61 */
    rfc_bad("2026-12-01T09:00:00+0100");   /* offset without colon */
    rfc_bad("2026-12-01T09:00:00+01");     /* offset without minutes */
    rfc_bad("2026-12-01T09:00:00+1:00");   /* one-digit offset hour */
    rfc_bad("2026-12-01T09:00:00+01:60");  /* offset minute 60 */
    rfc_bad("2026-12-01T09:00:00+24:00");  /* offset hour 24 */
    rfc_bad("2026-12-01T09:00:00Zjunk");   /* trailing characters */
    rfc_bad("2026-12-01T09:00:00Z ");      /* trailing space */
    rfc_bad("2026-12-01T09:00:00+01:00x"); /* trailing characters */
    rfc_bad(" 2026-12-01T09:00:00Z");      /* leading space */
    rfc_bad("2026-12-01T09:00:00.Z");      /* empty fraction */
    rfc_bad("2026-12-01T09:00:00,5Z");     /* comma fraction */
    rfc_bad("2026-12-01X09:00:00Z");       /* bad separator */
    rfc_bad("2026-12-1T09:00:00Z");        /* one-digit day */
    rfc_bad("2026-12-01T9:00:00Z");        /* one-digit hour */
    rfc_bad("2026/12/01T09:00:00Z");
    rfc_bad("20261201T090000Z");
    rfc_bad("garbage");
    rfc_bad("");
    rfc_bad("Z");
    rfc_bad("2026-12-01T09:00:00ZZ");
}

static void rfc_fmt(int64_t t, const char *want)
{
    char buf[32];
    memset(buf, 'x', sizeof buf);
    rfc3339_format(t, buf);
    cr_assert_str_eq(buf, want, "rfc3339_format(%lld) = \"%s\", want \"%s\"", (long long)t, buf, want);
}

Test(timeutil, rfc3339_format)
{
    rfc_fmt(0, "1970-01-01T00:00:00Z");
    rfc_fmt(-1, "1969-12-31T23:59:59Z");
    rfc_fmt(-86400, "1969-12-31T00:00:00Z");
    rfc_fmt(1796115600, "2026-12-01T09:00:00Z");
    rfc_fmt(1805009400, "2027-03-14T07:30:00Z");
    rfc_fmt(951782400, "2000-02-29T00:00:00Z");
    rfc_fmt(951868800, "2000-03-01T00:00:00Z");
    rfc_fmt(1798759800, "2026-12-31T23:30:00Z");
    rfc_fmt(2147483648LL, "2038-01-19T03:14:08Z");
    rfc_fmt(4102444800LL, "2100-01-01T00:00:00Z");
    rfc_fmt(4102444799LL, "2099-12-31T23:59:59Z");
    rfc_fmt(-2208988800LL, "1900-01-01T00:00:00Z");
    rfc_fmt(1767225600 + 59, "2026-01-01T00:00:59Z");
}

Test(timeutil, rfc3339_round_trip)
{
    char buf[32];
    for (int64_t t = -100000007LL; t < 4200000000LL; t += 9876543) {
        int64_t back = 0;
        rfc3339_format(t, buf);
        cr_assert_eq(strlen(buf), 20u, "\"%s\"", buf);
        cr_assert(rfc3339_parse(buf, &back), "rfc3339_parse refused its own \"%s\"", buf);
        cr_assert_eq(back, t, "\"%s\" -> %lld, want %lld", buf, (long long)back, (long long)t);
    }
}

/* ---- clocks ---- */

Test(timeutil, clocks)
{
    int64_t now = clock_now();
    int64_t sys = (int64_t)time(NULL);
    cr_assert(now >= sys - 2 && now <= sys + 2, "clock_now() = %lld, time() = %lld", (long long)now,
              (long long)sys);
    int64_t a = clock_mono_us();
    int64_t b = clock_mono_us();
    cr_assert(a > 0);
    cr_assert(b >= a);
}
