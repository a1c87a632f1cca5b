/* Binary result cells as text: see cells.h. The type OIDs are PostgreSQL's
 * fixed ones (src/include/catalog/pg_type.dat). */
#include "db/postgres/cells.h"

#include <stdint.h>
#include <string.h>

#include "core/banned.h"

enum {
    OID_BOOL = 16,
    OID_NAME = 19,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_TEXT = 25,
    OID_UNKNOWN = 705,
    OID_BPCHAR = 1042,
    OID_VARCHAR = 1043,
    OID_TIMESTAMPTZ = 1184,
    OID_VOID = 2278,
};

/* Seconds from 1970 to PostgreSQL's epoch, 2000-01-01. */
#define PG_EPOCH_S INT64_C(946684800)

bool pg_cell_is_text(unsigned type)
{
    return type == OID_TEXT || type == OID_VARCHAR || type == OID_BPCHAR || type == OID_NAME ||
           type == OID_UNKNOWN || type == OID_VOID;
}

/* Microseconds from 2000-01-01 to Unix seconds, half to even as rint. The
 * epoch is added last: the latest timestamptz is close to INT64_MAX µs. */
static int64_t unix_seconds(int64_t pg_us)
{
    int64_t q = pg_us / 1000000, rem = pg_us % 1000000;
    if (rem < 0) {
        q--;
        rem += 1000000;
    }
    return (rem > 500000 || (rem == 500000 && (q & 1)) ? q + 1 : q) + PG_EPOCH_S;
}

/* A big-endian two's-complement integer of len bytes (1 to 8). */
static int64_t big_endian(const char *v, size_t len)
{
    uint64_t u = 0;
    for (size_t i = 0; i < len; i++)
        u = u << 8 | (unsigned char)v[i];
    unsigned shift = 64 - 8 * (unsigned)len;
    return shift ? (int64_t)(u << shift) >> shift : (int64_t)u;
}

/* n in decimal, ending at the end of buf; returns where it starts.
 * snprintf took a third of a big read's client time. */
static char *decimal(int64_t n, char buf[PG_CELL_MAX])
{
    uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    char *p = buf + PG_CELL_MAX - 1;
    *p = '\0';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (n < 0)
        *--p = '-';
    return p;
}

static size_t width(unsigned type)
{
    switch (type) {
    case OID_BOOL:
        return 1;
    case OID_INT2:
        return 2;
    case OID_INT4:
        return 4;
    case OID_INT8:
    case OID_TIMESTAMPTZ:
        return 8;
    default:
        return 0;
    }
}

int pg_cell_text(unsigned type, char buf[PG_CELL_MAX], const char **value, size_t *len)
{
    if (pg_cell_is_text(type))
        return 0;
    if (!width(type) || *len != width(type))
        return -1;
    int64_t n = big_endian(*value, *len);
    if (type == OID_BOOL) {
        *value = n ? "t" : "f";
        *len = 1;
        return 0;
    }
    if (type == OID_TIMESTAMPTZ) {
        if (n == INT64_MAX || n == INT64_MIN) /* infinity, -infinity */
            return -1;
        n = unix_seconds(n);
    }
    *value = decimal(n, buf);
    *len = strlen(*value);
    return 0;
}
