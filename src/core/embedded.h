/* Files built into the binary by tools/embed.c (migrations, API docs assets). */
#ifndef CORE_EMBEDDED_H
#define CORE_EMBEDDED_H
#include <stddef.h>

struct embedded_file {
    const char *name; /* file name without directories; NULL ends a table */
    const char *data; /* len bytes and a NUL */
    size_t len;
    const char *etag; /* a strong HTTP entity tag of the bytes, quotes included */
};
#endif
