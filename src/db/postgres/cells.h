/* One cell of a binary libpq result as the text the rest of db/ reads (what
 * PostgreSQL's text format gives), except timestamptz: its Unix time in whole
 * seconds, rounded half to even as date_part('epoch', ...)::bigint rounds, so
 * both engines' times read alike. Binary costs the server least: its text
 * output functions (date_part, int8out) were 40 % of a 62-day schedule read.
 * Internal to db/. */
#ifndef DB_POSTGRES_CELLS_H
#define DB_POSTGRES_CELLS_H
#include <stdbool.h>
#include <stddef.h>

/* The most text one number cell takes, with its NUL. */
#define PG_CELL_MAX 24

/* Whether a cell of type (an OID) is its own text: text, varchar, bpchar,
 * name, unknown, void. */
bool pg_cell_is_text(unsigned type);
/* Points *value and *len (the cell's bytes, in and out) at its text: itself
 * for text types, or written into buf for bool ("t"/"f"), int2, int4, int8
 * and timestamptz. -1 for any other type, a length that does not fit the
 * type, or an infinite timestamptz. */
int pg_cell_text(unsigned type, char buf[PG_CELL_MAX], const char **value, size_t *len);
#endif
