/* Civil dates and RFC 3339 times as plain integers: no libc time zone state. */
#ifndef CORE_TIMEUTIL_H
#define CORE_TIMEUTIL_H
#include <stdbool.h>
#include <stdint.h>

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t days_from_civil(int y, int m, int d);
/* Inverse of days_from_civil. */
void civil_from_days(int64_t days, int *y, int *m, int *d);
/* 0 = monday … 6 = sunday. */
int weekday_from_days(int64_t days);

/* Parses "YYYY-MM-DD" exactly; false on anything else or an invalid date. */
bool date_parse(const char *s, int64_t *days);
/* Writes "YYYY-MM-DD" and a NUL into buf (at least 11 bytes). */
void date_format(int64_t days, char *buf);

/* Parses "HH:MM" (00:00–23:59, and 24:00 when allow_24 is set) into minutes. */
bool hhmm_parse(const char *s, bool allow_24, int *minutes);
/* Writes "HH:MM" and a NUL into buf (at least 6 bytes). */
void hhmm_format(int minutes, char *buf);

/* Parses an RFC 3339 date-time with a mandatory offset ("Z" or ±HH:MM);
 * fractional seconds are accepted and truncated. False on anything else. */
bool rfc3339_parse(const char *s, int64_t *unix_seconds);
/* Writes "YYYY-MM-DDTHH:MM:SSZ" and a NUL into buf (at least 21 bytes). */
void rfc3339_format(int64_t unix_seconds, char *buf);

/* Current Unix time in seconds (CLOCK_REALTIME). */
int64_t clock_now(void);
/* Monotonic time in microseconds, for durations. */
int64_t clock_mono_us(void);
#endif
