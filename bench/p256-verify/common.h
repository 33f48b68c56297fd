/* Shared by the P-256 verification programs of bench/p256-verify.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* A DPoP proof's signing input is about this long; only its SHA-256 is verified, computed once. */
static const char MESSAGE[] = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2In0.eyJqdGkiOiJiZW5jaCJ9";

static int iterations(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1;
    return n > 0 ? n : 1;
}

static double cpu_microseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
    return now.tv_sec * 1e6 + now.tv_nsec / 1e3;
}

/* Exits non-zero unless every verification succeeded. */
static int report(const char *library, int valid, int n, double microseconds) {
    printf("%-34s %6d/%d valid  %7.1f us CPU per verification\n", library, valid, n, microseconds / n);
    return valid == n ? 0 : 1;
}
