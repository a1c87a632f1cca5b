/* Times bcrypt as appointd runs it (libxcrypt, "$2b$", crypt_rn) on one core.
 *
 *   bcrypt_time [COST [N]]      defaults: cost 12, 10 hashes
 *
 * Prints the mean seconds of one hash, e.g. "0.2103". Built by bench/run.sh. */
#include <crypt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    unsigned long cost = argc > 1 ? strtoul(argv[1], NULL, 10) : 12;
    int n = argc > 2 ? atoi(argv[2]) : 10;
    if (n < 1)
        n = 1;
    struct crypt_data *cd = calloc(1, sizeof *cd);
    if (!cd)
        return 1;
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    double total = 0;
    for (int i = 0; i < n; i++) {
        if (!crypt_gensalt_rn("$2b$", cost, NULL, 0, salt, sizeof salt)) {
            fprintf(stderr, "crypt_gensalt_rn failed\n");
            return 1;
        }
        double t0 = now();
        const char *h = crypt_rn("benchmark-password", salt, cd, sizeof *cd);
        total += now() - t0;
        if (!h || h[0] != '$') {
            fprintf(stderr, "crypt_rn failed\n");
            return 1;
        }
    }
    printf("%.4f\n", total / n);
    free(cd);
    return 0;
}
