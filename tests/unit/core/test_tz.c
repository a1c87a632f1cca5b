/* Unit tests of src/core/tz.c: IANA zones and the contract's wall-time rule
 * (API.md "Slots"): a wall time in a spring-forward gap moves forward by the
 * length of the gap; a wall time that occurs twice takes the earlier instant.
 * Transition dates below were read from `zdump -v -c 2026,2028 ZONE` with the
 * system's tzdata 2025b. Expected instants are written as RFC 3339 UTC strings
 * and converted by this file's own calendar code (not the code under test). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/tz.h"

/* ---- this file's own calendar helpers (independent of timeutil.c) ---- */

static int64_t civ(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void uncivil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* "YYYY-MM-DDTHH:MM:SSZ" -> Unix seconds. */
static int64_t Z(const char *s)
{
    int y, mo, d, h, mi, se;
    char z;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &se, &z) != 7 || z != 'Z') {
        fprintf(stderr, "bad test literal %s\n", s);
        abort();
    }
    return civ(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
}

static const char *fmt(int64_t t, char *buf)
{
    int64_t days = (t >= 0 ? t : t - 86399) / 86400;
    int64_t sec = t - days * 86400;
    int y, m, d;
    uncivil(days, &y, &m, &d);
    snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(sec / 3600), (int)(sec / 60 % 60),
             (int)(sec % 60));
    return buf;
}

static struct tz *open_ok(const char *name)
{
    struct tz *tz = tz_open(name);
    cr_assert_not_null(tz, "tz_open(\"%s\") failed", name);
    return tz;
}

/* Asserts tz_wall_to_utc(zone, date, hh:mm) == want (RFC 3339 UTC). */
static void wall(const char *zone, int y, int mo, int d, int minute, const char *want)
{
    struct tz *tz = open_ok(zone);
    int64_t got = tz_wall_to_utc(tz, civ(y, mo, d), minute);
    char b1[32];
    cr_assert_eq(got, Z(want), "%s %04d-%02d-%02d %02d:%02d -> %s, want %s", zone, y, mo, d, minute / 60,
                 minute % 60, fmt(got, b1), want);
    tz_free(tz);
}

#define HM(h, m) ((h) * 60 + (m))

/* ---- tz_open / tz_name ---- */

Test(tz, open_accepts_iana_names)
{
    static const char *names[] = {"UTC",
                                  "Europe/Berlin",
                                  "America/New_York",
                                  "Europe/Dublin",
                                  "America/Havana",
                                  "Asia/Kolkata",
                                  "Australia/Lord_Howe",
                                  "America/Mexico_City",
                                  "America/Argentina/Buenos_Aires",
                                  "America/Port-au-Prince",
                                  "Etc/UTC",
                                  "Etc/GMT+5"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct tz *tz = tz_open(names[i]);
        cr_assert_not_null(tz, "tz_open(\"%s\") refused", names[i]);
        cr_assert_str_eq(tz_name(tz), names[i]);
        tz_free(tz);
    }
}

Test(tz, open_rejects_non_zones)
{
    static const char *names[] = {"Mars/Base",
                                  "+05:00",
                                  "-05:00",
                                  "+0530",
                                  "Z",
                                  "../etc/passwd",
                                  "../../../../etc/passwd",
                                  "Europe/../../../etc/passwd",
                                  "Europe/../Europe/Berlin",
                                  "",
                                  "/etc/localtime",
                                  "/usr/share/zoneinfo/Europe/Berlin",
                                  "Europe/Berlin ",
                                  " Europe/Berlin",
                                  "Europe/Berlin/",
                                  "Europe/",
                                  "Europe",
                                  "zone.tab",
                                  "UTC0",
                                  "UTC+5",
                                  "CET-1CEST",
                                  "EST5EDT,M3.2.0,M11.1.0",
                                  "Europe/Nowhere"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct tz *tz = tz_open(names[i]);
        if (tz)
            tz_free(tz);
        cr_assert_null(tz, "tz_open(\"%s\") accepted", names[i]);
    }
}

Test(tz, open_rejects_names_outside_the_zone_list)
{
    /* Each is a file (or a path to one) under /usr/share/zoneinfo, but not a
     * zone of tzdata's list: right/ counts leap seconds (a 09:00 Berlin
     * window in December came out at 07:00Z), posix/ duplicates, localtime
     * and posixrules are the system's own, Factory means "no zone". */
    static const char *names[] = {"right/Europe/Berlin", "posix/Europe/Berlin", "right/UTC",
                                  "posix/UTC", "localtime", "posixrules", "Factory",
                                  "Europe//Berlin", "Europe/./Berlin", "./Europe/Berlin",
                                  "tzdata.zi", "zone1970.tab", "iso3166.tab", "leapseconds",
                                  "leap-seconds.list", "posix", "right", "Etc",
                                  "America/Argentina", "europe/berlin"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        struct tz *tz = tz_open(names[i]);
        if (tz)
            tz_free(tz);
        cr_assert_null(tz, "tz_open(\"%s\") accepted", names[i]);
    }
}

Test(tz, open_accepts_links_of_the_zone_list)
{
    /* Links of tzdata's "backward" file (old names) are names of the list. */
    static const char *names[] = {"Asia/Calcutta", "America/Buenos_Aires", "US/Eastern",
                                  "Europe/Kiev", "GB", "Etc/UTC", "UTC", "Etc/GMT-14"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        tz_free(open_ok(names[i]));
    struct tz *a = open_ok("Asia/Calcutta"), *b = open_ok("Asia/Kolkata");
    cr_assert_eq(tz_offset_at(a, Z("2027-01-01T00:00:00Z")), tz_offset_at(b, Z("2027-01-01T00:00:00Z")));
    tz_free(a);
    tz_free(b);
}

Test(tz, every_zone_and_link_of_tzdata_zi_opens)
{
    FILE *f = fopen("/usr/share/zoneinfo/tzdata.zi", "r");
    cr_assert_not_null(f, "no /usr/share/zoneinfo/tzdata.zi");
    char line[512], name[128], target[128];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        bool zone = sscanf(line, "Z %127s", name) == 1;
        bool link = !zone && sscanf(line, "L %127s %127s", target, name) == 2;
        if (!(zone || link) || strcmp(name, "Factory") == 0)
            continue;
        struct tz *tz = tz_open(name);
        cr_assert_not_null(tz, "tz_open(\"%s\") refused a name of tzdata.zi", name);
        tz_free(tz);
        n++;
    }
    fclose(f);
    cr_assert_gt(n, 400, "only %d names in tzdata.zi", n);
}

/* A zoneinfo directory of its own for TZDIR: Europe/Berlin, Europe/Paris and
 * Europe/Old_Berlin are files (links to the system's), but the list is only
 * what list_file holds. */
static void fake_zoneinfo(char *dir, const char *list_file, const char *list)
{
    char path[256];
    snprintf(dir, 64, "/tmp/appointd_test_tz_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/Europe", dir);
    cr_assert_eq(mkdir(path, 0700), 0);
    static const char *zones[][2] = {{"Europe/Berlin", "Europe/Berlin"}, {"Europe/Paris", "Europe/Paris"},
                                     {"Europe/Old_Berlin", "Europe/Berlin"}};
    for (size_t i = 0; i < 3; i++) {
        char target[128];
        snprintf(path, sizeof path, "%s/%s", dir, zones[i][0]);
        snprintf(target, sizeof target, "/usr/share/zoneinfo/%s", zones[i][1]);
        cr_assert_eq(symlink(target, path), 0);
    }
    snprintf(path, sizeof path, "%s/%s", dir, list_file);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(list, f);
    fclose(f);
    cr_assert_eq(setenv("TZDIR", dir, 1), 0);
}

static void remove_fake(const char *dir)
{
    static const char *files[] = {"Europe/Berlin", "Europe/Paris", "Europe/Old_Berlin", "Europe",
                                  "tzdata.zi", "zone1970.tab", "backward", ""};
    char path[256];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        remove(path);
    }
}

static void expect_list(const char *yes, const char *no)
{
    struct tz *tz = tz_open(yes);
    cr_assert_not_null(tz, "%s refused", yes);
    tz_free(tz);
    tz = tz_open(no);
    cr_assert_null(tz, "%s is a file but not listed, yet accepted", no);
}

/* Criterion runs each test in a process of its own: the list is read once
 * per process, so these see their own TZDIR. */
Test(tz, list_comes_from_tzdir_tzdata_zi)
{
    char dir[64];
    fake_zoneinfo(dir, "tzdata.zi", "# version test\nZ Europe/Berlin 0:53:28 - LMT 1893 Ap\n"
                                    "1 c CE%sT\nL Europe/Berlin Europe/Old_Berlin\n");
    expect_list("Europe/Berlin", "Europe/Paris");
    expect_list("Europe/Old_Berlin", "Europe/Paris");
    expect_list("UTC", "America/New_York");
    remove_fake(dir);
}

Test(tz, list_falls_back_to_zone_tab_and_backward)
{
    char dir[64], path[128];
    fake_zoneinfo(dir, "zone1970.tab", "# comment\nDE,DK\t+5230+01322\tEurope/Berlin\tmost of Germany\n");
    snprintf(path, sizeof path, "%s/backward", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("# Link\tTARGET\t\tLINK-NAME\nLink\tEurope/Berlin\t\tEurope/Old_Berlin\n", f);
    fclose(f);
    expect_list("Europe/Berlin", "Europe/Paris");
    expect_list("Europe/Old_Berlin", "Europe/Paris");
    expect_list("UTC", "Europe/Paris");
    remove_fake(dir);
}

static void *open_berlin(void *arg)
{
    (void)arg;
    struct tz *tz = tz_open("Europe/Berlin");
    bool ok = tz != NULL;
    tz_free(tz);
    return ok ? arg : NULL;
}

Test(tz, first_opens_from_many_threads_at_once)
{
    /* The list is read once, by whichever thread comes first. */
    pthread_t t[8];
    int token = 1;
    for (int i = 0; i < 8; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, open_berlin, &token), 0);
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        cr_assert_not_null(r, "thread %d could not open Europe/Berlin", i);
    }
}

/* ---- tz_offset_at ---- */

static void offset(const char *zone, const char *utc, int32_t want)
{
    struct tz *tz = open_ok(zone);
    int32_t got = tz_offset_at(tz, Z(utc));
    cr_assert_eq(got, want, "%s offset at %s = %d, want %d", zone, utc, got, want);
    tz_free(tz);
}

Test(tz, offset_at)
{
    offset("UTC", "2027-07-01T12:00:00Z", 0);
    offset("America/New_York", "2027-03-14T06:59:59Z", -18000);
    offset("America/New_York", "2027-03-14T07:00:00Z", -14400);
    offset("America/New_York", "2027-11-07T05:59:59Z", -14400);
    offset("America/New_York", "2027-11-07T06:00:00Z", -18000);
    offset("Europe/Berlin", "2027-03-28T00:59:59Z", 3600);
    offset("Europe/Berlin", "2027-03-28T01:00:00Z", 7200);
    offset("Europe/Berlin", "2027-10-31T00:59:59Z", 7200);
    offset("Europe/Berlin", "2027-10-31T01:00:00Z", 3600);
    /* Europe/Dublin: tzdata marks winter as "daylight" (negative DST), but the
     * offsets are plain: +0 in winter, +1 in summer. */
    offset("Europe/Dublin", "2027-01-15T12:00:00Z", 0);
    offset("Europe/Dublin", "2027-07-15T12:00:00Z", 3600);
    offset("Europe/Dublin", "2027-03-28T00:59:59Z", 0);
    offset("Europe/Dublin", "2027-03-28T01:00:00Z", 3600);
    offset("Europe/Dublin", "2027-10-31T00:59:59Z", 3600);
    offset("Europe/Dublin", "2027-10-31T01:00:00Z", 0);
    offset("America/Havana", "2027-03-14T04:59:59Z", -18000);
    offset("America/Havana", "2027-03-14T05:00:00Z", -14400);
    offset("America/Havana", "2027-11-07T04:59:59Z", -14400);
    offset("America/Havana", "2027-11-07T05:00:00Z", -18000);
    offset("Asia/Kolkata", "2027-01-15T00:00:00Z", 19800);
    offset("Asia/Kolkata", "2027-07-15T00:00:00Z", 19800);
    offset("Australia/Lord_Howe", "2027-04-03T14:59:59Z", 39600);
    offset("Australia/Lord_Howe", "2027-04-03T15:00:00Z", 37800);
    offset("Australia/Lord_Howe", "2027-10-02T15:29:59Z", 37800);
    offset("Australia/Lord_Howe", "2027-10-02T15:30:00Z", 39600);
    offset("America/Mexico_City", "2027-01-15T12:00:00Z", -21600);
    offset("America/Mexico_City", "2027-04-04T12:00:00Z", -21600);
    offset("America/Mexico_City", "2027-07-15T12:00:00Z", -21600);
    offset("America/Mexico_City", "2027-10-31T12:00:00Z", -21600);
    offset("Etc/GMT+5", "2027-07-15T12:00:00Z", -18000);
}

Test(tz, mexico_city_2027_has_no_dst)
{
    struct tz *tz = open_ok("America/Mexico_City");
    for (int64_t t = Z("2027-01-01T00:00:00Z"); t < Z("2028-01-01T00:00:00Z"); t += 3600) {
        char b[32];
        cr_assert_eq(tz_offset_at(tz, t), -21600, "offset at %s = %d", fmt(t, b), tz_offset_at(tz, t));
    }
    tz_free(tz);
}

/* ---- tz_wall_to_utc ---- */

Test(tz, wall_utc)
{
    wall("UTC", 1970, 1, 1, 0, "1970-01-01T00:00:00Z");
    wall("UTC", 2027, 3, 14, HM(2, 30), "2027-03-14T02:30:00Z");
    wall("UTC", 2026, 12, 31, 1440, "2027-01-01T00:00:00Z");
    wall("UTC", 1969, 12, 31, HM(23, 0), "1969-12-31T23:00:00Z");
}

Test(tz, wall_new_york_spring_forward)
{
    /* 2027-03-14: 01:59:59 EST is followed by 03:00:00 EDT (07:00Z). */
    wall("America/New_York", 2027, 3, 14, HM(0, 0), "2027-03-14T05:00:00Z");
    wall("America/New_York", 2027, 3, 14, HM(1, 30), "2027-03-14T06:30:00Z");
    wall("America/New_York", 2027, 3, 14, HM(1, 59), "2027-03-14T06:59:00Z");
    wall("America/New_York", 2027, 3, 14, HM(2, 0), "2027-03-14T07:00:00Z");  /* gap: 03:00 EDT */
    wall("America/New_York", 2027, 3, 14, HM(2, 30), "2027-03-14T07:30:00Z"); /* gap: 03:30 EDT */
    wall("America/New_York", 2027, 3, 14, HM(2, 59), "2027-03-14T07:59:00Z"); /* gap: 03:59 EDT */
    wall("America/New_York", 2027, 3, 14, HM(3, 0), "2027-03-14T07:00:00Z");
    wall("America/New_York", 2027, 3, 14, HM(3, 30), "2027-03-14T07:30:00Z");
    wall("America/New_York", 2027, 3, 14, HM(4, 0), "2027-03-14T08:00:00Z");
    wall("America/New_York", 2027, 3, 14, 1440, "2027-03-15T04:00:00Z");
}

Test(tz, wall_new_york_fall_back)
{
    /* 2027-11-07: 01:59:59 EDT (05:59:59Z) is followed by 01:00:00 EST (06:00Z). */
    wall("America/New_York", 2027, 11, 7, HM(0, 0), "2027-11-07T04:00:00Z");
    wall("America/New_York", 2027, 11, 7, HM(0, 59), "2027-11-07T04:59:00Z");
    wall("America/New_York", 2027, 11, 7, HM(1, 0), "2027-11-07T05:00:00Z");  /* earlier: EDT */
    wall("America/New_York", 2027, 11, 7, HM(1, 30), "2027-11-07T05:30:00Z"); /* earlier: EDT */
    wall("America/New_York", 2027, 11, 7, HM(1, 59), "2027-11-07T05:59:00Z"); /* earlier: EDT */
    wall("America/New_York", 2027, 11, 7, HM(2, 0), "2027-11-07T07:00:00Z");
    wall("America/New_York", 2027, 11, 7, HM(3, 0), "2027-11-07T08:00:00Z");
    wall("America/New_York", 2027, 11, 7, 1440, "2027-11-08T05:00:00Z");
    wall("America/New_York", 2027, 1, 15, HM(12, 0), "2027-01-15T17:00:00Z");
    wall("America/New_York", 2027, 7, 15, HM(12, 0), "2027-07-15T16:00:00Z");
}

Test(tz, wall_minute_1440_is_next_midnight)
{
    /* The day before the New York gap: 24:00 of 03-13 = 00:00 EST of 03-14. */
    wall("America/New_York", 2027, 3, 13, 1440, "2027-03-14T05:00:00Z");
    wall("Europe/Berlin", 2027, 12, 31, 1440, "2027-12-31T23:00:00Z");
    wall("Asia/Kolkata", 2027, 1, 14, 1440, "2027-01-14T18:30:00Z");
    /* Havana: 24:00 of 03-13 is 00:00 of 03-14, which is in the gap -> 01:00 CDT. */
    wall("America/Havana", 2027, 3, 13, 1440, "2027-03-14T05:00:00Z");
    /* Havana: 24:00 of 11-06 is 00:00 of 11-07, ambiguous -> earlier (CDT). */
    wall("America/Havana", 2027, 11, 6, 1440, "2027-11-07T04:00:00Z");

    static const char *zones[] = {"UTC",           "America/New_York",    "Europe/Berlin",
                                  "Europe/Dublin", "America/Havana",      "Asia/Kolkata",
                                  "Australia/Lord_Howe", "America/Mexico_City"};
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        struct tz *tz = open_ok(zones[i]);
        for (int64_t d = civ(2026, 12, 25); d < civ(2028, 1, 5); d++)
            cr_assert_eq(tz_wall_to_utc(tz, d, 1440), tz_wall_to_utc(tz, d + 1, 0), "%s day %lld", zones[i],
                         (long long)d);
        tz_free(tz);
    }
}

Test(tz, wall_berlin)
{
    wall("Europe/Berlin", 2027, 1, 15, HM(12, 0), "2027-01-15T11:00:00Z");
    wall("Europe/Berlin", 2027, 7, 15, HM(12, 0), "2027-07-15T10:00:00Z");
    /* 2027-03-28: 01:59:59 CET is followed by 03:00 CEST (01:00Z). */
    wall("Europe/Berlin", 2027, 3, 28, HM(1, 59), "2027-03-28T00:59:00Z");
    wall("Europe/Berlin", 2027, 3, 28, HM(2, 0), "2027-03-28T01:00:00Z");
    wall("Europe/Berlin", 2027, 3, 28, HM(2, 30), "2027-03-28T01:30:00Z"); /* gap: 03:30 CEST */
    wall("Europe/Berlin", 2027, 3, 28, HM(3, 0), "2027-03-28T01:00:00Z");
    wall("Europe/Berlin", 2027, 3, 28, HM(3, 30), "2027-03-28T01:30:00Z");
    /* 2027-10-31: 02:59:59 CEST (00:59:59Z) is followed by 02:00 CET (01:00Z). */
    wall("Europe/Berlin", 2027, 10, 31, HM(1, 59), "2027-10-30T23:59:00Z");
    wall("Europe/Berlin", 2027, 10, 31, HM(2, 0), "2027-10-31T00:00:00Z");  /* earlier: CEST */
    wall("Europe/Berlin", 2027, 10, 31, HM(2, 30), "2027-10-31T00:30:00Z"); /* earlier: CEST */
    wall("Europe/Berlin", 2027, 10, 31, HM(2, 59), "2027-10-31T00:59:00Z"); /* earlier: CEST */
    wall("Europe/Berlin", 2027, 10, 31, HM(3, 0), "2027-10-31T02:00:00Z");
    wall("Europe/Berlin", 2027, 10, 31, 0, "2027-10-30T22:00:00Z");
}

Test(tz, wall_dublin_negative_dst)
{
    wall("Europe/Dublin", 2027, 1, 15, HM(12, 0), "2027-01-15T12:00:00Z");
    wall("Europe/Dublin", 2027, 7, 15, HM(12, 0), "2027-07-15T11:00:00Z");
    /* 2027-03-28: 00:59:59 GMT is followed by 02:00 IST (01:00Z). */
    wall("Europe/Dublin", 2027, 3, 28, HM(0, 59), "2027-03-28T00:59:00Z");
    wall("Europe/Dublin", 2027, 3, 28, HM(1, 0), "2027-03-28T01:00:00Z");  /* gap: 02:00 IST */
    wall("Europe/Dublin", 2027, 3, 28, HM(1, 30), "2027-03-28T01:30:00Z"); /* gap: 02:30 IST */
    wall("Europe/Dublin", 2027, 3, 28, HM(2, 0), "2027-03-28T01:00:00Z");
    wall("Europe/Dublin", 2027, 3, 28, HM(2, 30), "2027-03-28T01:30:00Z");
    /* 2027-10-31: 01:59:59 IST (00:59:59Z) is followed by 01:00 GMT (01:00Z). */
    wall("Europe/Dublin", 2027, 10, 31, HM(0, 59), "2027-10-30T23:59:00Z");
    wall("Europe/Dublin", 2027, 10, 31, HM(1, 0), "2027-10-31T00:00:00Z");  /* earlier: IST */
    wall("Europe/Dublin", 2027, 10, 31, HM(1, 30), "2027-10-31T00:30:00Z"); /* earlier: IST */
    wall("Europe/Dublin", 2027, 10, 31, HM(2, 0), "2027-10-31T02:00:00Z");
}

Test(tz, wall_havana_midnight_gap)
{
    /* 2027-03-13 23:59:59 CST (04:59:59Z) is followed by 2027-03-14 01:00 CDT (05:00Z):
     * midnight of 03-14 does not exist. */
    wall("America/Havana", 2027, 3, 13, HM(23, 59), "2027-03-14T04:59:00Z");
    wall("America/Havana", 2027, 3, 14, HM(0, 0), "2027-03-14T05:00:00Z");  /* gap: 01:00 CDT */
    wall("America/Havana", 2027, 3, 14, HM(0, 30), "2027-03-14T05:30:00Z"); /* gap: 01:30 CDT */
    wall("America/Havana", 2027, 3, 14, HM(0, 59), "2027-03-14T05:59:00Z"); /* gap: 01:59 CDT */
    wall("America/Havana", 2027, 3, 14, HM(1, 0), "2027-03-14T05:00:00Z");
    wall("America/Havana", 2027, 3, 14, HM(12, 0), "2027-03-14T16:00:00Z");
    /* 2027-11-07 00:59:59 CDT (04:59:59Z) is followed by 00:00 CST (05:00Z). */
    wall("America/Havana", 2027, 11, 6, HM(23, 59), "2027-11-07T03:59:00Z");
    wall("America/Havana", 2027, 11, 7, HM(0, 0), "2027-11-07T04:00:00Z");  /* earlier: CDT */
    wall("America/Havana", 2027, 11, 7, HM(0, 30), "2027-11-07T04:30:00Z"); /* earlier: CDT */
    wall("America/Havana", 2027, 11, 7, HM(1, 0), "2027-11-07T06:00:00Z");
}

Test(tz, wall_kolkata)
{
    wall("Asia/Kolkata", 2027, 1, 15, 0, "2027-01-14T18:30:00Z");
    wall("Asia/Kolkata", 2027, 1, 15, HM(5, 30), "2027-01-15T00:00:00Z");
    wall("Asia/Kolkata", 2027, 1, 15, HM(12, 0), "2027-01-15T06:30:00Z");
    wall("Asia/Kolkata", 2027, 7, 15, HM(9, 0), "2027-07-15T03:30:00Z");
    wall("Asia/Kolkata", 2027, 1, 15, 1440, "2027-01-15T18:30:00Z");
}

Test(tz, wall_lord_howe_half_hour_dst)
{
    /* 2027-04-04: 01:59:59 +11 (14:59:59Z on 04-03) is followed by 01:30 +10:30
     * (15:00Z): 01:30-02:00 occurs twice. */
    wall("Australia/Lord_Howe", 2027, 4, 4, HM(1, 29), "2027-04-03T14:29:00Z");
    wall("Australia/Lord_Howe", 2027, 4, 4, HM(1, 30), "2027-04-03T14:30:00Z"); /* earlier: +11 */
    wall("Australia/Lord_Howe", 2027, 4, 4, HM(1, 45), "2027-04-03T14:45:00Z"); /* earlier: +11 */
    wall("Australia/Lord_Howe", 2027, 4, 4, HM(1, 59), "2027-04-03T14:59:00Z"); /* earlier: +11 */
    wall("Australia/Lord_Howe", 2027, 4, 4, HM(2, 0), "2027-04-03T15:30:00Z");
    wall("Australia/Lord_Howe", 2027, 4, 4, HM(12, 0), "2027-04-04T01:30:00Z");
    /* 2027-10-03: 01:59:59 +10:30 (15:29:59Z on 10-02) is followed by 02:30 +11
     * (15:30Z): 02:00-02:30 does not exist (a 30-minute gap). */
    wall("Australia/Lord_Howe", 2027, 10, 3, HM(1, 59), "2027-10-02T15:29:00Z");
    wall("Australia/Lord_Howe", 2027, 10, 3, HM(2, 0), "2027-10-02T15:30:00Z");  /* gap: 02:30 +11 */
    wall("Australia/Lord_Howe", 2027, 10, 3, HM(2, 15), "2027-10-02T15:45:00Z"); /* gap: 02:45 +11 */
    wall("Australia/Lord_Howe", 2027, 10, 3, HM(2, 29), "2027-10-02T15:59:00Z"); /* gap: 02:59 +11 */
    wall("Australia/Lord_Howe", 2027, 10, 3, HM(2, 30), "2027-10-02T15:30:00Z");
    wall("Australia/Lord_Howe", 2027, 10, 3, HM(3, 0), "2027-10-02T16:00:00Z");
    wall("Australia/Lord_Howe", 2027, 10, 3, HM(12, 0), "2027-10-03T01:00:00Z");
}

Test(tz, wall_mexico_city_2027)
{
    /* UTC-6 all year in 2027 (DST abolished in 2022). */
    wall("America/Mexico_City", 2027, 1, 15, HM(12, 0), "2027-01-15T18:00:00Z");
    wall("America/Mexico_City", 2027, 4, 4, HM(2, 30), "2027-04-04T08:30:00Z");
    wall("America/Mexico_City", 2027, 4, 4, HM(12, 0), "2027-04-04T18:00:00Z");
    wall("America/Mexico_City", 2027, 7, 15, HM(12, 0), "2027-07-15T18:00:00Z");
    wall("America/Mexico_City", 2027, 10, 31, HM(1, 30), "2027-10-31T07:30:00Z");
}

/* For every 15 minutes of every day of 2027 in several zones: the wall time
 * read back at the result (utc + offset) is the asked wall time, plus the gap
 * length inside a gap; and no earlier instant (30 or 60 minutes before) shows
 * the same wall time. */
struct gap {
    const char *zone;
    int y, m, d;
    int from_min, to_min; /* wall times [from, to) that do not exist */
};

Test(tz, wall_property_all_of_2027)
{
    static const struct gap gaps[] = {
        {"America/New_York", 2027, 3, 14, HM(2, 0), HM(3, 0)},
        {"Europe/Berlin", 2027, 3, 28, HM(2, 0), HM(3, 0)},
        {"Europe/Dublin", 2027, 3, 28, HM(1, 0), HM(2, 0)},
        {"America/Havana", 2027, 3, 14, HM(0, 0), HM(1, 0)},
        {"Australia/Lord_Howe", 2027, 10, 3, HM(2, 0), HM(2, 30)},
        {"Asia/Kolkata", 0, 0, 0, 0, 0},
        {"America/Mexico_City", 0, 0, 0, 0, 0},
        {"UTC", 0, 0, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof gaps / sizeof gaps[0]; i++) {
        const struct gap *g = &gaps[i];
        struct tz *tz = open_ok(g->zone);
        int64_t gap_day = g->y ? civ(g->y, g->m, g->d) : -1;
        for (int64_t d = civ(2027, 1, 1); d < civ(2028, 1, 1); d++) {
            for (int m = 0; m < 1440; m += 15) {
                int64_t w = d * 86400 + (int64_t)m * 60;
                int64_t u = tz_wall_to_utc(tz, d, m);
                int64_t shown = u + tz_offset_at(tz, u);
                bool in_gap = d == gap_day && m >= g->from_min && m < g->to_min;
                int64_t want = in_gap ? w + (int64_t)(g->to_min - g->from_min) * 60 : w;
                char b[32];
                if (shown != want)
                    cr_assert_fail("%s day %lld minute %d -> %s shows wall %lld, want %lld", g->zone,
                                   (long long)d, m, fmt(u, b), (long long)shown, (long long)want);
                for (int64_t back = 1800; back <= 3600; back += 1800) {
                    int64_t e = u - back;
                    if (!in_gap && e + tz_offset_at(tz, e) == w)
                        cr_assert_fail("%s day %lld minute %d -> %s, but the earlier %s shows the same wall time",
                                       g->zone, (long long)d, m, fmt(u, b), fmt(e, (char[32]){0}));
                }
            }
        }
        tz_free(tz);
    }
}

/* ---- tz_local_days ---- */

static void local_day(const char *zone, const char *utc, int y, int m, int d)
{
    struct tz *tz = open_ok(zone);
    int64_t got = tz_local_days(tz, Z(utc));
    int gy, gm, gd;
    uncivil(got, &gy, &gm, &gd);
    cr_assert_eq(got, civ(y, m, d), "%s local date of %s = %04d-%02d-%02d, want %04d-%02d-%02d", zone, utc, gy,
                 gm, gd, y, m, d);
    tz_free(tz);
}

Test(tz, local_days)
{
    local_day("UTC", "1970-01-01T00:00:00Z", 1970, 1, 1);
    local_day("UTC", "1970-01-01T23:59:59Z", 1970, 1, 1);
    local_day("UTC", "1969-12-31T23:59:59Z", 1969, 12, 31);
    local_day("UTC", "1969-12-31T00:00:00Z", 1969, 12, 31);
    local_day("America/New_York", "1970-01-01T00:00:00Z", 1969, 12, 31);
    local_day("America/New_York", "2027-03-14T04:59:59Z", 2027, 3, 13);
    local_day("America/New_York", "2027-03-14T05:00:00Z", 2027, 3, 14);
    local_day("America/New_York", "2027-03-15T03:59:59Z", 2027, 3, 14);
    local_day("America/New_York", "2027-03-15T04:00:00Z", 2027, 3, 15);
    local_day("America/New_York", "2027-11-07T06:30:00Z", 2027, 11, 7);
    local_day("America/New_York", "2027-11-08T04:59:59Z", 2027, 11, 7);
    local_day("America/New_York", "2027-11-08T05:00:00Z", 2027, 11, 8);
    local_day("Europe/Berlin", "2027-10-30T21:59:59Z", 2027, 10, 30);
    local_day("Europe/Berlin", "2027-10-30T22:00:00Z", 2027, 10, 31);
    local_day("Europe/Berlin", "2027-10-31T22:59:59Z", 2027, 10, 31);
    local_day("Europe/Berlin", "2027-10-31T23:00:00Z", 2027, 11, 1);
    local_day("Europe/Dublin", "2027-07-14T23:00:00Z", 2027, 7, 15);
    local_day("Europe/Dublin", "2027-01-14T23:00:00Z", 2027, 1, 14);
    local_day("America/Havana", "2027-03-14T04:59:59Z", 2027, 3, 13);
    local_day("America/Havana", "2027-03-14T05:00:00Z", 2027, 3, 14);
    local_day("America/Havana", "2027-11-07T03:59:59Z", 2027, 11, 6);
    local_day("America/Havana", "2027-11-07T04:00:00Z", 2027, 11, 7);
    local_day("America/Havana", "2027-11-07T05:00:00Z", 2027, 11, 7);
    local_day("Asia/Kolkata", "2027-01-14T18:29:59Z", 2027, 1, 14);
    local_day("Asia/Kolkata", "2027-01-14T18:30:00Z", 2027, 1, 15);
    local_day("Australia/Lord_Howe", "2027-10-02T13:29:59Z", 2027, 10, 2);
    local_day("Australia/Lord_Howe", "2027-10-02T13:30:00Z", 2027, 10, 3);
    local_day("Australia/Lord_Howe", "2027-10-03T12:59:59Z", 2027, 10, 3);
    local_day("Australia/Lord_Howe", "2027-10-03T13:00:00Z", 2027, 10, 4);
    local_day("America/Mexico_City", "2027-07-15T05:59:59Z", 2027, 7, 14);
    local_day("America/Mexico_City", "2027-07-15T06:00:00Z", 2027, 7, 15);
}

Test(tz, shared_between_opens)
{
    /* Two handles of one zone agree, and freeing one leaves the other usable. */
    struct tz *a = open_ok("Europe/Berlin");
    struct tz *b = open_ok("Europe/Berlin");
    cr_assert_eq(tz_wall_to_utc(a, civ(2027, 3, 28), HM(2, 30)), tz_wall_to_utc(b, civ(2027, 3, 28), HM(2, 30)));
    tz_free(a);
    cr_assert_eq(tz_wall_to_utc(b, civ(2027, 3, 28), HM(2, 30)), Z("2027-03-28T01:30:00Z"));
    cr_assert_str_eq(tz_name(b), "Europe/Berlin");
    tz_free(b);
}
