/* Fuzzes request routing: router_match (src/api/router.h) against the real
 * route table of src/api/routes.c (so it links with every project object for
 * the handler symbols). The input is "METHOD PATH": the bytes before the first
 * space are the method, the rest the path; with no space the method is GET
 * and the whole input is the path. Both are NUL-terminated copies (an
 * embedded NUL ends them, as in a C string from libmicrohttpd).
 * Invariants (abort when broken): a match names a route of that method (GET
 * for HEAD) whose template, with each {…} replaced by its parameter, spells
 * the path; the parameters are non-empty segments inside the caller's copy;
 * a miss leaves a terminated Allow list that does not offer the method
 * itself; matching is deterministic. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/http.h"
#include "api/router.h"

#include "core/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The size of struct response's allow, which server.c passes. */
#define ALLOW_LEN sizeof(((struct response *)0)->allow)

static char *dup_bytes(const uint8_t *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

/* Does template, with {…} segments replaced in order by params, equal path? */
static bool spells(const char *tmpl, const char *const *params, int nparams, const char *path)
{
    int np = 0;
    const char *t = tmpl, *p = path;
    while (*t) {
        if (*t == '{') {
            const char *close = strchr(t, '}');
            if (!close || np >= nparams)
                return false;
            size_t len = strlen(params[np]);
            if (strncmp(p, params[np], len) != 0)
                return false;
            p += len;
            np++;
            t = close + 1;
        } else {
            if (*p != *t)
                return false;
            p++;
            t++;
        }
    }
    return *p == '\0' && np == nparams;
}

static int count_params(const char *tmpl)
{
    int n = 0;
    for (; *tmpl; tmpl++)
        n += *tmpl == '{';
    return n;
}

/* Is method one whole entry of the ", "-separated list? */
static bool listed(const char *allow, const char *method)
{
    size_t ml = strlen(method);
    const char *p = allow;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == ml && strncmp(p, method, ml) == 0)
            return true;
        p += n;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *sp = size ? memchr(data, ' ', size) : NULL;
    char *method, *path;
    if (sp) {
        method = dup_bytes(data, (size_t)(sp - data));
        path = dup_bytes(sp + 1, size - (size_t)(sp - data) - 1);
    } else {
        method = dup_bytes((const uint8_t *)"GET", 3);
        path = dup_bytes(data, size);
    }
    size_t plen = strlen(path);
    char *copy = dup_bytes((const uint8_t *)path, plen);

    const char *params[REQUEST_MAX_PARAMS] = {0};
    char allow[ALLOW_LEN];
    memset(allow, 0x5a, sizeof allow);
    int r = router_match(method, copy, params, allow, sizeof allow);

    if (r < -1 || r >= (int)n_routes)
        abort();
    if (r >= 0) {
        const struct route *rt = &routes[r];
        /* HEAD is answered by the GET route. */
        const char *served = strcmp(method, "HEAD") == 0 ? "GET" : method;
        if (strcmp(rt->method, served) != 0 || !rt->handler)
            abort();
        int np = count_params(rt->path);
        if (np > REQUEST_MAX_PARAMS)
            abort();
        for (int i = 0; i < np; i++) {
            /* Inside the copy, non-empty, one segment. */
            if (!params[i] || params[i] < copy || params[i] >= copy + plen || !params[i][0] ||
                strchr(params[i], '/'))
                abort();
        }
        if (!spells(rt->path, params, np, path))
            abort();
    } else {
        if (!memchr(allow, '\0', sizeof allow))
            abort();
        /* (An entry cut short by a full buffer could equal a prefix.) */
        if (strlen(allow) < sizeof allow - 1 && listed(allow, method))
            abort();
    }

    /* The same answer a second time, from a fresh copy. */
    char *copy2 = dup_bytes((const uint8_t *)path, plen);
    const char *params2[REQUEST_MAX_PARAMS] = {0};
    char allow2[ALLOW_LEN];
    if (router_match(method, copy2, params2, allow2, sizeof allow2) != r ||
        (r < 0 && strcmp(allow, allow2) != 0))
        abort();

    free(copy2);
    free(copy);
    free(path);
    free(method);
    return 0;
}
