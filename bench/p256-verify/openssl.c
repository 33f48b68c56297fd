/* One P-256 ECDSA verification per iteration with Debian's OpenSSL 3 libcrypto, as a DPoP proof's would be:
 * the public key from its uncompressed point, the signature from raw r || s, then ECDSA_do_verify (the EC_KEY
 * API goes straight to the curve's method, without the provider layer's fetches). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>
#include <openssl/sha.h>

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
    const BIGNUM *r, *s;
    ECDSA_SIG_get0(made, &r, &s);
    BN_bn2binpad(r, raw, 32);
    BN_bn2binpad(s, raw + 32, 32);
    int valid = 0;
    double start = cpu_microseconds();
    for (int i = 0; i < n; i++) {
        EC_KEY *key = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
        const unsigned char *cursor = point;
        ECDSA_SIG *signature = ECDSA_SIG_new();
        if (key && o2i_ECPublicKey(&key, &cursor, (long)length) && signature &&
            ECDSA_SIG_set0(signature, BN_bin2bn(raw, 32, NULL), BN_bin2bn(raw + 32, 32, NULL)))
            valid += ECDSA_do_verify(digest, sizeof digest, signature, key) == 1;
        ECDSA_SIG_free(signature);
        EC_KEY_free(key);
    }
    return report(OpenSSL_version(OPENSSL_VERSION), valid, n, cpu_microseconds() - start);
}
