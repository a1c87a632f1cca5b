#include "api/router.h"

#include <glib.h>
#include <string.h>

#include "core/banned.h"

#define MAX_SEGMENTS 12

static int split(char *path, char **seg)
{
    int n = 0;
    if (path[0] != '/')
        return -1;
    char *p = path + 1;
    while (n < MAX_SEGMENTS) {
        seg[n++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            return n;
        *slash = '\0';
        p = slash + 1;
    }
    return -1;
}

/* Does the template match the segments? Collects {…} values into params. */
static bool template_match(const char *tmpl, char **seg, int nseg, const char **params)
{
    const char *t = tmpl + 1;
    int np = 0;
    for (int i = 0; i < nseg; i++) {
        if (i > 0) {
            if (*t != '/')
                return false;
            t++;
        }
        size_t len = strcspn(t, "/");
        if (t[0] == '{') {
            if (seg[i][0] == '\0')
                return false;
            if (params && np < REQUEST_MAX_PARAMS)
                params[np++] = seg[i];
        } else if (strlen(seg[i]) != len || strncmp(t, seg[i], len) != 0) {
            return false;
        }
        t += len;
    }
    return *t == '\0';
}

static bool method_listed(const char *allow, const char *method)
{
    char **names = g_strsplit(allow, ", ", 0);
    bool found = g_strv_contains((const char *const *)names, method);
    g_strfreev(names);
    return found;
}

static void allow_add(char *allow, size_t allow_len, const char *method)
{
    if (method_listed(allow, method))
        return;
    if (allow[0])
        g_strlcat(allow, ", ", allow_len);
    g_strlcat(allow, method, allow_len);
}

int router_match(const char *method, char *path_copy, const char **params, char *allow,
                 size_t allow_len)
{
    char *seg[MAX_SEGMENTS];
    int nseg = split(path_copy, seg);
    /* HEAD is GET without the body, which libmicrohttpd leaves out. */
    const char *wanted = strcmp(method, "HEAD") == 0 ? "GET" : method;
    allow[0] = '\0';
    if (nseg < 0)
        return -1;
    for (size_t i = 0; i < n_routes; i++) {
        if (!template_match(routes[i].path, seg, nseg, NULL))
            continue;
        if (strcmp(routes[i].method, wanted) == 0) {
            template_match(routes[i].path, seg, nseg, params);
            return (int)i;
        }
        /* "/users/me" also fits "/users/{id}": name each method once. */
        allow_add(allow, allow_len, routes[i].method);
        if (strcmp(routes[i].method, "GET") == 0)
            allow_add(allow, allow_len, "HEAD");
    }
    return -1;
}

int router_path_route(const char *path)
{
    char *copy = g_strdup(path), *seg[MAX_SEGMENTS];
    int nseg = split(copy, seg), found = -1;
    for (size_t i = 0; nseg > 0 && found < 0 && i < n_routes; i++)
        if (template_match(routes[i].path, seg, nseg, NULL))
            found = (int)i;
    g_free(copy);
    return found;
}
