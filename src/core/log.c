#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"
#include "core/timeutil.h"

static enum log_level min_level = LOG_INFO;
static _Thread_local const char *context;

void log_set_context(const char *what)
{
    context = what;
}

void log_set_level(const char *name)
{
    static const char *names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0)
            min_level = (enum log_level)i;
}

int log_enabled(enum log_level level)
{
    return level >= min_level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *names[] = {"DEBUG", "INFO", "WARN", "ERROR"};
    if (level < min_level)
        return;
    char ts[21], line[2048];
    rfc3339_format(clock_now(), ts);
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(line, sizeof line, "%s %s %s%s", ts, names[level], context ? context : "",
                     context ? ": " : "");
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    /* One fprintf per line: stdio locks the stream, so lines never interleave. */
    fprintf(stderr, "%s\n", line);
}
