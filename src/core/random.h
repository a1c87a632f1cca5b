/* Random identifiers and secrets from the kernel's CSPRNG. */
#ifndef CORE_RANDOM_H
#define CORE_RANDOM_H
#include <stdbool.h>
#include <stddef.h>

/* Writes 2 × nbytes hex characters and a NUL into out. False if the kernel fails. */
bool random_hex(char *out, size_t nbytes);
#endif
