#include "core/tz.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "core/banned.h"
#include "core/log.h"

struct tz {
    GTimeZone *zone;
    char name[64];
};

static const char *zoneinfo_dir(void)
{
    const char *dir = g_getenv("TZDIR");
    return dir && *dir ? dir : "/usr/share/zoneinfo";
}

/* The whitespace-separated field `field` (0: the first) of line, if the
 * first is kind (NULL: any). Returns a new string or NULL. */
static gchar *field_of(const char *line, const char *kind, int field)
{
    gchar **f = g_strsplit_set(line, " \t\r", -1);
    gchar *found = NULL;
    for (int i = 0, seen = 0; f[i] && !found; i++) {
        if (!*f[i])
            continue;
        if (seen == 0 && kind && strcmp(f[i], kind) != 0)
            break;
        if (seen++ == field)
            found = g_strdup(f[i]);
    }
    g_strfreev(f);
    return found;
}

/* tzdata.zi: "Z name offset…" starts a zone, "L target name" is a link. */
static gchar *zi_name(const char *line)
{
    gchar *name = field_of(line, "Z", 1);
    return name ? name : field_of(line, "L", 2);
}

/* zone1970.tab and zone.tab: "codes coordinates name comments". */
static gchar *tab_name(const char *line)
{
    return line[0] == '#' ? NULL : field_of(line, NULL, 2);
}

/* backward: "Link target name". */
static gchar *backward_name(const char *line)
{
    return field_of(line, "Link", 2);
}

/* Adds the name of every line of file (in the zoneinfo directory) that
 * name_of finds one in; returns how many lines named one. */
static int add_file(GHashTable *set, const char *file, gchar *(*name_of)(const char *))
{
    gchar *path = g_build_filename(zoneinfo_dir(), file, NULL), *text = NULL;
    int n = 0;
    if (g_file_get_contents(path, &text, NULL, NULL)) {
        gchar **lines = g_strsplit(text, "\n", -1);
        for (int i = 0; lines[i]; i++) {
            gchar *name = name_of(lines[i]);
            if (name && !g_hash_table_contains(set, name)) {
                g_hash_table_add(set, name);
                n++;
            } else {
                g_free(name);
            }
        }
        g_strfreev(lines);
    }
    g_free(text);
    g_free(path);
    return n;
}

/* The names of the system's zone list: tzdata.zi's zones and links, or
 * without it zone1970.tab, zone.tab and backward's links. A file under
 * zoneinfo is not the test: right/ and posix/ hold zones with other
 * conventions (right/ counts leap seconds), and localtime, posixrules,
 * "Europe//Berlin" are files too. Factory is a zone of tzdata.zi that
 * means "no zone set" (its abbreviation is "-00"). */
static gpointer load_names(gpointer unused)
{
    static const char *const always[] = {"UTC", "Etc/UTC"};
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    (void)unused;
    int n = add_file(set, "tzdata.zi", zi_name);
    if (!n)
        n = add_file(set, "zone1970.tab", tab_name) + add_file(set, "zone.tab", tab_name) +
            add_file(set, "backward", backward_name);
    if (!n)
        log_warn("no zone list (tzdata.zi or zone1970.tab) under %s: only UTC is a zone",
                 zoneinfo_dir());
    g_hash_table_remove(set, "Factory");
    for (size_t i = 0; i < G_N_ELEMENTS(always); i++)
        if (!g_hash_table_contains(set, always[i]))
            g_hash_table_add(set, g_strdup(always[i]));
    return set;
}

static bool iana_name_ok(const char *name)
{
    static GOnce once = G_ONCE_INIT;
    GHashTable *names = g_once(&once, load_names, NULL);
    size_t n = name ? strlen(name) : 0;
    return n > 0 && n < 64 && g_hash_table_contains(names, name);
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
