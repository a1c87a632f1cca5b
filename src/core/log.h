/* One line per event on stderr, with a level filter and a format (text or
 * JSON) set once at start-up. Control bytes in anything logged are escaped,
 * so a client's path or header cannot forge or break a line. */
#ifndef CORE_LOG_H
#define CORE_LOG_H
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the lowest level written ("debug", "info", "warn", "error"). */
void log_set_level(const char *name);
/* Sets the line format: "text" (the default) or "json" (one object a line).
 * False, changing nothing, for any other name. */
bool log_set_format(const char *name);
int log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap);

/* Names what this thread is doing ("request 3f2a…", "job audit_seal"; NULL:
 * nothing): every line it writes carries it. */
void log_set_context(const char *what);

/* The line of one finished request, at level info. Strings are borrowed;
 * user_id 0: no user. */
struct log_access {
    const char *method;
    const char *route;
    int status;
    int64_t duration_us;
    const char *request_id;
    const char *client;
    int64_t user_id;
    const char *path; /* as asked; logged only when route is "unmatched" (NULL: never) */
};
void log_access(const struct log_access *a);

/* Copies src into dst (dst_len bytes, NUL included, cut when short) with
 * every control byte as \xNN and, when json, as a JSON string's body
 * (quotes, backslashes and bytes that are not UTF-8 escaped too).
 * Returns the length written. */
size_t log_escape(char *dst, size_t dst_len, const char *src, bool json);

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#endif
