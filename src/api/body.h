/* Request bodies held in memory until their handler runs, and the budget
 * they share (APPOINTD_MAX_BODY_MEMORY): without it, 300 clients each sending
 * just under 1 MiB held 300 MiB. */
#ifndef API_BODY_H
#define API_BODY_H
#include <stdbool.h>
#include <stddef.h>

/* One body; zero-initialised is empty. */
struct body {
    char *data;      /* NUL-terminated when not NULL; malloc'd */
    size_t len;
    size_t cap;      /* bytes allocated */
    size_t reserved; /* bytes counted against the budget (>= cap) */
};

enum body_result { BODY_OK, BODY_TOO_LARGE, BODY_NO_MEMORY };

/* Sets the budget; call once before serving. */
void body_budget_init(size_t max_bytes);
/* Counts n bytes against the budget for b before its upload (a known
 * Content-Length, plus its NUL). False, and nothing counted, when the budget
 * would be exceeded. */
bool body_reserve(struct body *b, size_t n);
/* Appends n bytes. BODY_TOO_LARGE when the body would pass limit bytes,
 * BODY_NO_MEMORY when the budget (or malloc) refuses more; b is unchanged
 * then. */
enum body_result body_append(struct body *b, const char *data, size_t n, size_t limit);
/* Frees the bytes and gives their budget back; b is empty again. */
void body_release(struct body *b);
#endif
