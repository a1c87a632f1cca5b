#include "core/log.h"

#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"

static enum log_level min_level = LOG_INFO;
static bool json_format;
static _Thread_local const char *context;
static const char *const level_names[] = {"debug", "info", "warn", "error"};
static const char *const level_upper[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void log_set_context(const char *what)
{
    context = what;
}

void log_set_level(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, level_names[i]) == 0)
            min_level = (enum log_level)i;
}

bool log_set_format(const char *name)
{
    bool known = strcmp(name, "text") == 0 || strcmp(name, "json") == 0;
    if (known)
        json_format = strcmp(name, "json") == 0;
    return known;
}

int log_enabled(enum log_level level)
{
    return level >= min_level;
}

/* The escape of byte c, or NULL when it goes out as it is. */
static const char *escape_of(unsigned char c, bool json, bool high_bytes, char buf[8])
{
    if (json && (c == '"' || c == '\\')) {
        buf[0] = '\\';
        buf[1] = (char)c;
        buf[2] = '\0';
        return buf;
    }
    if (c < 0x20 || c == 0x7f || (high_bytes && c >= 0x80)) {
        g_snprintf(buf, 8, json ? "\\u%04x" : "\\x%02x", c);
        return buf;
    }
    return NULL;
}

size_t log_escape(char *dst, size_t dst_len, const char *src, bool json)
{
    /* JSON must be UTF-8: when src is not, its high bytes are escaped too. */
    bool high_bytes = json && !g_utf8_validate(src, -1, NULL);
    size_t n = 0;
    if (!dst_len)
        return 0;
    for (const unsigned char *p = (const unsigned char *)src; *p; p++) {
        char buf[8];
        const char *esc = escape_of(*p, json, high_bytes, buf);
        size_t len = esc ? strlen(esc) : 1;
        if (n + len >= dst_len)
            break;
        if (esc)
            memcpy(dst + n, esc, len);
        else
            dst[n] = (char)*p;
        n += len;
    }
    dst[n] = '\0';
    return n;
}

/* One write per line: stdio locks the stream, so lines never interleave. */
static void write_line(enum log_level level, const char *message, const char *fields)
{
    char ts[21], msg[4096], ctx[256] = "";
    rfc3339_format(clock_now(), ts);
    log_escape(msg, sizeof msg, message, json_format);
    if (context)
        log_escape(ctx, sizeof ctx, context, json_format);
    if (!json_format)
        fprintf(stderr, "%s %s %s%s%s\n", ts, level_upper[level], ctx, context ? ": " : "", msg);
    else
        fprintf(stderr, "{\"time\":\"%s\",\"level\":\"%s\",\"message\":\"%s\"%s%s%s%s}\n", ts,
                level_names[level], msg, context ? ",\"context\":\"" : "", ctx,
                context ? "\"" : "", fields ? fields : "");
}

void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
    char line[2048];
    if (level < min_level)
        return;
    vsnprintf(line, sizeof line, fmt, ap);
    write_line(level, line, NULL);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, fmt, ap);
    va_end(ap);
}

/* The access line's own JSON members, after the common ones. */
static void access_fields(const struct log_access *a, char *out, size_t len)
{
    char method[64], route[256], id[160], client[160], user[32] = "";
    log_escape(method, sizeof method, a->method, true);
    log_escape(route, sizeof route, a->route, true);
    log_escape(id, sizeof id, a->request_id, true);
    log_escape(client, sizeof client, a->client, true);
    if (a->user_id)
        g_snprintf(user, sizeof user, ",\"user_id\":%" PRId64, a->user_id);
    g_snprintf(out, len,
               ",\"request_id\":\"%s\",\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,"
               "\"duration_ms\":%.3f,\"client\":\"%s\"%s",
               id, method, route, a->status, (double)a->duration_us / 1000.0, client, user);
}

void log_access(const struct log_access *a)
{
    char line[1024], fields[1024];
    if (LOG_INFO < min_level)
        return;
    /* An unknown path is named: the route template says nothing then. */
    const char *path = a->path && strcmp(a->route, "unmatched") == 0 ? a->path : NULL;
    if (!json_format) {
        g_snprintf(line, sizeof line, "%s %s %d %.3fms %s %s%s%s", a->method, a->route, a->status,
                   (double)a->duration_us / 1000.0, a->request_id, a->client, path ? " " : "",
                   path ? path : "");
        write_line(LOG_INFO, line, NULL);
        return;
    }
    g_snprintf(line, sizeof line, "%s %s %d", a->method, path ? path : a->route, a->status);
    access_fields(a, fields, sizeof fields);
    write_line(LOG_INFO, line, fields);
}
