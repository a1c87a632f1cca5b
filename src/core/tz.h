/* IANA time zones from the system's zoneinfo, through GLib's GTimeZone.
 * A struct tz is immutable and may be shared between threads. */
#ifndef CORE_TZ_H
#define CORE_TZ_H
#include <stdint.h>

struct tz;

/* Opens an IANA zone name ("Europe/Berlin", "UTC"). Returns NULL when the name
 * is not one of the system's zone list (tzdata.zi's zones and links, read
 * once from $TZDIR or /usr/share/zoneinfo): offsets such as "+05:00", paths,
 * right/ and posix/ variants, localtime, posixrules and Factory are refused.
 * UTC and Etc/UTC always open. The caller owns the result: tz_free it. */
struct tz *tz_open(const char *name);
void tz_free(struct tz *tz);
const char *tz_name(const struct tz *tz);

/* UTC offset in seconds in force at the instant utc. */
int32_t tz_offset_at(const struct tz *tz, int64_t utc);

/* The instant of wall time (local date `days`, `minute` of that day; 1440 is
 * the next day's 00:00). A wall time inside a spring-forward gap moves forward
 * by the length of the gap; one that occurs twice takes the earlier instant. */
int64_t tz_wall_to_utc(const struct tz *tz, int64_t days, int minute);

/* The local date (days since 1970-01-01) of the instant utc. */
int64_t tz_local_days(const struct tz *tz, int64_t utc);
#endif
