/* The same verification with Debian's Nettle 3 (libhogweed): the point set from its coordinates, then ecdsa_verify. */
#include <gmp.h>
#include <nettle/ecc-curve.h>
#include <nettle/ecc.h>
#include <nettle/ecdsa.h>
#include <nettle/sha2.h>
#include <nettle/version.h>
#include <nettle/yarrow.h>
#include <string.h>

#include "common.h"

int main(int argc, char **argv) {
    int n = iterations(argc, argv);
    const struct ecc_curve *curve = nettle_get_secp_256r1();
    struct yarrow256_ctx random;
    uint8_t seed[32];
    memset(seed, 7, sizeof seed); /* a benchmark's key, not a secret */
    yarrow256_init(&random, 0, NULL);
    yarrow256_seed(&random, sizeof seed, seed);
    struct ecc_point public_key;
    struct ecc_scalar private_key;
    ecc_point_init(&public_key, curve);
    ecc_scalar_init(&private_key, curve);
    ecdsa_generate_keypair(&public_key, &private_key, &random, (nettle_random_func *)yarrow256_random);
    uint8_t digest[32];
    struct sha256_ctx hash;
    sha256_init(&hash);
    sha256_update(&hash, sizeof MESSAGE - 1, (const uint8_t *)MESSAGE);
    sha256_digest(&hash, sizeof digest, digest);
    struct dsa_signature signature;
    dsa_signature_init(&signature);
    ecdsa_sign(&private_key, &random, (nettle_random_func *)yarrow256_random, sizeof digest, digest, &signature);
    mpz_t x, y;
    mpz_inits(x, y, NULL);
    ecc_point_get(&public_key, x, y);
    int valid = 0;
    double start = cpu_microseconds();
    for (int i = 0; i < n; i++) {
        struct ecc_point key;
        ecc_point_init(&key, curve);
        if (ecc_point_set(&key, x, y)) valid += ecdsa_verify(&key, sizeof digest, digest, &signature);
        ecc_point_clear(&key);
    }
    char name[32];
    snprintf(name, sizeof name, "Nettle %d.%d", nettle_version_major(), nettle_version_minor());
    return report(name, valid, n, cpu_microseconds() - start);
}
