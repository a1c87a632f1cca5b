#include "api/body.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

#define FIRST_CAP 4096

static atomic_size_t used;
static size_t budget = (size_t)64 * 1024 * 1024;

void body_budget_init(size_t max_bytes)
{
    budget = max_bytes;
}

static bool take(size_t n)
{
    size_t cur = atomic_load(&used);
    do {
        if (n > budget || cur > budget - n)
            return false;
    } while (!atomic_compare_exchange_weak(&used, &cur, cur + n));
    return true;
}

bool body_reserve(struct body *b, size_t n)
{
    if (n <= b->reserved)
        return true;
    if (!take(n - b->reserved))
        return false;
    b->reserved = n;
    return true;
}

/* The next allocation for need bytes: doubling, or all that was reserved
 * at once (a Content-Length is known), never past limit and its NUL. */
static size_t next_cap(const struct body *b, size_t need, size_t limit)
{
    size_t cap = b->cap ? b->cap * 2 : FIRST_CAP;
    if (cap < b->reserved)
        cap = b->reserved;
    if (cap < need)
        cap = need;
    return cap > limit + 1 ? limit + 1 : cap;
}

enum body_result body_append(struct body *b, const char *data, size_t n, size_t limit)
{
    if (n > limit || b->len > limit - n)
        return BODY_TOO_LARGE;
    size_t need = b->len + n + 1;
    if (need > b->cap) {
        size_t cap = next_cap(b, need, limit);
        if (!body_reserve(b, cap))
            return BODY_NO_MEMORY;
        char *p = realloc(b->data, cap);
        if (!p)
            return BODY_NO_MEMORY;
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return BODY_OK;
}

void body_release(struct body *b)
{
    free(b->data);
    atomic_fetch_sub(&used, b->reserved);
    *b = (struct body){0};
}
