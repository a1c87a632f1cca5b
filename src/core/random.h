/* Random identifiers and secrets from the kernel's CSPRNG. */
#ifndef CORE_RANDOM_H
#define CORE_RANDOM_H
#include <stdbool.h>
#include <stddef.h>

/* Writes 2 × nbytes hex characters and a NUL into out. False if the kernel fails. */
bool random_hex(char *out, size_t nbytes);
/* Writes 32 hex characters and a NUL: an identifier unique in practice (request
 * ids), from a per-thread generator seeded once from the kernel. Not a secret:
 * it costs no system call, which /health at 60 000 requests/s notices. */
void random_id(char *out);
#endif
