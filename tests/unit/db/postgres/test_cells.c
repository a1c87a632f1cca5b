/* Unit tests of src/db/postgres/cells.c: binary result cells read as the
 * text format's text, and timestamptz as the Unix seconds that
 * date_part('epoch', ...)::bigint gives. The timestamptz bytes and their
 * expected seconds were read off PostgreSQL 15 (timestamptz_send and
 * date_part on the same values). */
#include <criterion/criterion.h>
#include <string.h>

#include "db/postgres/cells.h"

/* The text of a binary cell of type, or NULL when refused. */
static const char *text_of(unsigned type, const char *bytes, size_t len, char buf[PG_CELL_MAX])
{
    const char *v = bytes;
    size_t n = len;
    if (pg_cell_text(type, buf, &v, &n) != 0)
        return NULL;
    cr_assert_eq(n, strlen(v), "length %zu for \"%s\"", n, v);
    return v;
}

static const char *ts(const char hex8[8], char buf[PG_CELL_MAX])
{
    return text_of(1184, hex8, 8, buf);
}

Test(cells, integers_of_each_width_keep_their_sign)
{
    char buf[PG_CELL_MAX];
    cr_assert_str_eq(text_of(20, "\x00\x00\x00\x00\x00\x00\x00\x2a", 8, buf), "42");
    cr_assert_str_eq(text_of(20, "\xff\xff\xff\xff\xff\xff\xff\xfe", 8, buf), "-2");
    cr_assert_str_eq(text_of(20, "\x80\x00\x00\x00\x00\x00\x00\x00", 8, buf),
                     "-9223372036854775808");
    cr_assert_str_eq(text_of(20, "\x7f\xff\xff\xff\xff\xff\xff\xff", 8, buf),
                     "9223372036854775807");
    cr_assert_str_eq(text_of(23, "\xff\xff\xff\xff", 4, buf), "-1");
    cr_assert_str_eq(text_of(23, "\x00\x01\x00\x00", 4, buf), "65536");
    cr_assert_str_eq(text_of(21, "\x80\x00", 2, buf), "-32768");
    cr_assert_str_eq(text_of(20, "\x00\x00\x00\x00\x00\x00\x00\x00", 8, buf), "0");
}

Test(cells, booleans_read_as_the_text_format_writes_them)
{
    char buf[PG_CELL_MAX];
    cr_assert_str_eq(text_of(16, "\x01", 1, buf), "t");
    cr_assert_str_eq(text_of(16, "\x00", 1, buf), "f");
}

Test(cells, timestamptz_is_unix_seconds_rounded_half_to_even)
{
    char buf[PG_CELL_MAX];
    /* 2000-01-01 00:00:00.5 and 00:00:01.5: half to even */
    cr_assert_str_eq(ts("\x00\x00\x00\x00\x00\x07\xa1\x20", buf), "946684800");
    cr_assert_str_eq(ts("\x00\x00\x00\x00\x00\x16\xe3\x60", buf), "946684802");
    /* 1999-12-31 23:59:59.5, before PostgreSQL's epoch */
    cr_assert_str_eq(ts("\xff\xff\xff\xff\xff\xf8\x5e\xe0", buf), "946684800");
    /* 1969-12-31 23:59:59.5 and 23:59:58.5, before Unix's */
    cr_assert_str_eq(ts("\xff\xfc\xa2\xfe\xc4\xc0\x7e\xe0", buf), "0");
    cr_assert_str_eq(ts("\xff\xfc\xa2\xfe\xc4\xb1\x3c\xa0", buf), "-2");
    /* 2026-12-03 10:00:00.499999 and .500001 */
    cr_assert_str_eq(ts("\x00\x03\x04\xb6\x97\x62\x69\x1f", buf), "1796292000");
    cr_assert_str_eq(ts("\x00\x03\x04\xb6\x97\x62\x69\x21", buf), "1796292001");
}

Test(cells, text_types_are_their_own_text)
{
    char buf[PG_CELL_MAX];
    const char *v = "confirmed";
    size_t n = 9;
    for (unsigned t = 0; t < 3000; t++) {
        bool is_text = t == 25 || t == 1043 || t == 1042 || t == 19 || t == 705 || t == 2278;
        cr_assert_eq(pg_cell_is_text(t), is_text, "type %u", t);
    }
    cr_assert_eq(pg_cell_text(25, buf, &v, &n), 0);
    cr_assert_str_eq(v, "confirmed");
    cr_assert_eq(n, 9);
}

Test(cells, other_types_wrong_lengths_and_infinity_are_refused)
{
    char buf[PG_CELL_MAX];
    cr_assert_null(text_of(1700, "\x00\x01", 2, buf), "numeric");
    cr_assert_null(text_of(701, "\x00\x00\x00\x00\x00\x00\x00\x00", 8, buf), "float8");
    cr_assert_null(text_of(1114, "\x00\x00\x00\x00\x00\x00\x00\x00", 8, buf), "timestamp");
    cr_assert_null(text_of(20, "\x00\x00\x00\x2a", 4, buf), "int8 of 4 bytes");
    cr_assert_null(text_of(23, "\x00\x00\x00\x00\x00\x00\x00\x2a", 8, buf), "int4 of 8 bytes");
    cr_assert_null(text_of(16, "", 0, buf), "empty bool");
    cr_assert_null(ts("\x7f\xff\xff\xff\xff\xff\xff\xff", buf), "infinity");
    cr_assert_null(ts("\x80\x00\x00\x00\x00\x00\x00\x00", buf), "-infinity");
}

Test(cells, the_latest_timestamptz_does_not_overflow)
{
    char buf[PG_CELL_MAX];
    /* 294276-12-31 23:59:59.999999, PostgreSQL's last */
    cr_assert_str_eq(ts("\x7f\xff\xff\x5b\xb3\xb2\x9f\xff", buf), "9224318016000");
}
