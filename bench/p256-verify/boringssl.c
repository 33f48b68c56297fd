/* The same verification with swift-crypto's vendored BoringSSL (its CCryptoBoringSSL_ symbol prefix), linked from
 * the package's release build: what P256.Signing.PublicKey.isValidSignature runs underneath. */
#include <CCryptoBoringSSL_bn.h>
#include <CCryptoBoringSSL_ec.h>
#include <CCryptoBoringSSL_ec_key.h>
#include <CCryptoBoringSSL_ecdsa.h>
#include <CCryptoBoringSSL_nid.h>
#include <CCryptoBoringSSL_sha2.h>

#include "common.h"

int main(int argc, char **argv) {
    int n = iterations(argc, argv);
    EC_KEY *signer = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    if (!signer || !EC_KEY_generate_key(signer)) return 2;
    unsigned char point[65], digest[32], raw[64];
    size_t length = EC_POINT_point2oct(EC_KEY_get0_group(signer), EC_KEY_get0_public_key(signer),
                                       POINT_CONVERSION_UNCOMPRESSED, point, sizeof point, NULL);
    SHA256((const unsigned char *)MESSAGE, sizeof MESSAGE - 1, digest);
    ECDSA_SIG *made = ECDSA_do_sign(digest, sizeof digest, signer);
    BN_bn2bin_padded(raw, 32, made->r);
    BN_bn2bin_padded(raw + 32, 32, made->s);
    int valid = 0;
    double start = cpu_microseconds();
    for (int i = 0; i < n; i++) {
        EC_KEY *key = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
        EC_POINT *public_point = key ? EC_POINT_new(EC_KEY_get0_group(key)) : NULL;
        ECDSA_SIG *signature = ECDSA_SIG_new();
        if (public_point && EC_POINT_oct2point(EC_KEY_get0_group(key), public_point, point, length, NULL) &&
            EC_KEY_set_public_key(key, public_point) && signature && BN_bin2bn(raw, 32, signature->r) &&
            BN_bin2bn(raw + 32, 32, signature->s))
            valid += ECDSA_do_verify(digest, sizeof digest, signature, key) == 1;
        ECDSA_SIG_free(signature);
        EC_POINT_free(public_point);
        EC_KEY_free(key);
    }
    return report("BoringSSL (swift-crypto 4.5.2)", valid, n, cpu_microseconds() - start);
}
