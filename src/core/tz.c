#include "core/tz.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include "core/banned.h"

struct tz {
    GTimeZone *zone;
    char name[64];
};

/* Only names that are files under the system's zoneinfo: GLib would also take
 * offsets ("+05:00") and POSIX TZ strings, which are not IANA names. */
static bool iana_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= 64 || name[0] == '/' || name[0] == '.' || strstr(name, ".."))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '/' || c == '_' || c == '-' || c == '+';
        if (!ok)
            return false;
    }
    if (strcmp(name, "UTC") == 0)
        return true;
    const char *dir = g_getenv("TZDIR");
    char path[256];
    g_snprintf(path, sizeof path, "%s/%s", dir ? dir : "/usr/share/zoneinfo", name);
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Parsed zones by name, shared by every thread: reading a zoneinfo file costs
 * far more than a slot list. A GTimeZone is immutable; entries live as long as
 * the process (there are a few hundred names at most). */
static GMutex cache_lock;
static GHashTable *cache;

static GTimeZone *zone_lookup(const char *name)
{
    g_mutex_lock(&cache_lock);
    if (!cache)
        cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)g_time_zone_unref);
    GTimeZone *zone = g_hash_table_lookup(cache, name);
    if (!zone) {
        zone = iana_name_ok(name) ? g_time_zone_new_identifier(name) : NULL;
        if (zone)
            g_hash_table_insert(cache, g_strdup(name), zone);
    }
    if (zone)
        g_time_zone_ref(zone);
    g_mutex_unlock(&cache_lock);
    return zone;
}

struct tz *tz_open(const char *name)
{
    if (!name)
        return NULL;
    GTimeZone *zone = zone_lookup(name);
    if (!zone)
        return NULL;
    struct tz *tz = g_new0(struct tz, 1);
    tz->zone = zone;
    g_strlcpy(tz->name, name, sizeof tz->name);
    return tz;
}

void tz_free(struct tz *tz)
{
    if (!tz)
        return;
    g_time_zone_unref(tz->zone);
    g_free(tz);
}

const char *tz_name(const struct tz *tz)
{
    return tz->name;
}

int32_t tz_offset_at(const struct tz *tz, int64_t utc)
{
    gint iv = g_time_zone_find_interval(tz->zone, G_TIME_TYPE_UNIVERSAL, utc);
    return g_time_zone_get_offset(tz->zone, iv);
}

/* wall = utc + offset(utc). The offsets in force 15 h either side of the wall
 * time bracket every instant that can show it (offsets lie within ±14 h), so
 * each valid reading is wall - one of them. Two readings: the wall time occurs
 * twice, take the earlier. None: it is in a gap; reading it with the offset from
 * before the gap lands exactly "gap length" later, which is the contract's rule. */
int64_t tz_wall_to_utc(const struct tz *tz, int64_t days, int minute)
{
    int64_t wall = days * 86400 + (int64_t)minute * 60;
    int32_t before = tz_offset_at(tz, wall - 15 * 3600);
    int32_t after = tz_offset_at(tz, wall + 15 * 3600);
    int64_t u1 = wall - before, u2 = wall - after;
    bool ok1 = tz_offset_at(tz, u1) == before;
    bool ok2 = tz_offset_at(tz, u2) == after;
    if (ok1 && ok2)
        return u1 < u2 ? u1 : u2;
    if (ok1)
        return u1;
    if (ok2)
        return u2;
    return u1;
}

int64_t tz_local_days(const struct tz *tz, int64_t utc)
{
    int64_t wall = utc + tz_offset_at(tz, utc);
    return wall >= 0 ? wall / 86400 : -((-wall + 86399) / 86400);
}
