#include "api/cors.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

/* scheme://host[:port], nothing after: what a browser sends as Origin. */
static bool origin_ok(const char *e)
{
    const char *host = NULL;
    if (g_ascii_strncasecmp(e, "https://", 8) == 0)
        host = e + 8;
    else if (g_ascii_strncasecmp(e, "http://", 7) == 0)
        host = e + 7;
    if (!host || !*host || *host == ':')
        return false;
    for (const char *p = host; *p; p++)
        if (strchr("/?#@ \t\\", *p) || (unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
            return false;
    const char *colon = strrchr(host, ':');
    const char *bracket = strrchr(host, ']');
    if (host[0] == '[' && (!bracket || (bracket[1] && bracket[1] != ':')))
        return false;
    if (colon && (!bracket || colon > bracket))
        return colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1) && strlen(colon + 1) <= 5;
    return true;
}

bool cors_parse(const char *spec, struct cors_origins *o, char *err, size_t errlen)
{
    char **entries = g_strsplit(spec ? spec : "", ",", -1);
    guint n = g_strv_length(entries);
    bool blank = n == 1 && !*g_strstrip(entries[0]);
    bool ok = true;
    memset(o, 0, sizeof *o);
    o->list = g_new0(char *, blank ? 1 : n + 1);
    for (guint i = 0; ok && !blank && i < n; i++) {
        char *e = g_strstrip(entries[i]);
        ok = origin_ok(e);
        if (ok)
            o->list[o->n++] = g_ascii_strdown(e, -1);
        else
            snprintf(err, errlen, "CORS_ORIGINS: \"%.80s\" is not an origin (http[s]://host[:port], no path)",
                     e);
    }
    g_strfreev(entries);
    if (!ok)
        cors_release(o);
    return ok;
}

void cors_release(struct cors_origins *o)
{
    g_strfreev(o->list);
    o->list = NULL;
    o->n = 0;
}

bool cors_allowed(const struct cors_origins *o, const char *origin)
{
    for (size_t i = 0; origin && i < o->n; i++)
        if (g_ascii_strcasecmp(o->list[i], origin) == 0)
            return true;
    return false;
}
