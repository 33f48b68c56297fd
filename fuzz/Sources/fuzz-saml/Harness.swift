import Domain
import Foundation
import FuzzSupport
import Native

/// What the SAML service provider (issue 15) reads from outside: an identity provider's `SAMLResponse` (after
/// base64) and its metadata.
///
/// Input: `response XML \0 metadata XML`. Properties:
/// - the verifier either refuses the response or hands it over without any signature: nothing the fuzzer writes is
///   signed by the identity provider's key below (its private key exists nowhere), so no signature verifies;
/// - the rules never accept what the verifier handed over unsigned;
/// - the metadata parser and the rules never crash, and accepted metadata has an https single sign-on URL.
/// The certificate and the SP key below were made for this harness only (openssl, 2048-bit RSA); the SP key lets
/// the fuzzer reach the decryption path.
let idpCertificate = """
    -----BEGIN CERTIFICATE-----
    MIIDCTCCAfGgAwIBAgIUTBzyVLTBzH+s4Um1UoKjyqCMGv8wDQYJKoZIhvcNAQEL
    BQAwEzERMA8GA1UEAwwIZnV6eiBpZHAwIBcNMjYxMjA3MDI0NDAzWhgPMjEyNjEx
    MTMwMjQ0MDNaMBMxETAPBgNVBAMMCGZ1enogaWRwMIIBIjANBgkqhkiG9w0BAQEF
    AAOCAQ8AMIIBCgKCAQEAiJwWrRxatViRJ/q0vpUXQh8MI1ldeSYEjffkw4OGfOGK
    CVIADsDeIGbnzkuIO7SK9y+SGsVtQg4LN6fLYOFCXevA4w0yS/EXLAOOaIjdbZjJ
    eSaQaRTsd3DGewHjYCyKL/S4McwgECZYlBYoX5piXjon0qa7GljjptwktZGe20/T
    7fL0uvNSi6qRtum005+nGr/zA4gKKPmdLRlds08a8rB8lhYo3wv/xGcsB0//uw9j
    uy892dpY4iriL2T9OOyj5i6rDeeNlIOZeHaONgc2fdQpCPfKyB3s+GAJ6iaPjEIE
    eXszWyuvL47A19DvCkRl9zUwpampYJL5DYQpWdgvwwIDAQABo1MwUTAdBgNVHQ4E
    FgQUB9Dur3Wwy52kw60k8TLynBbxVdYwHwYDVR0jBBgwFoAUB9Dur3Wwy52kw60k
    8TLynBbxVdYwDwYDVR0TAQH/BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAVbTn
    D2t9n8+IW2zzI07+CFcceZAXkPK6vrE74ZSUdsJTYjNzaWICeOVXRUUsZtFpKqOM
    GUCQSwvSsaKeDx3fT4jXbPDWCxob+XlpP0dFVwftub6Dp0fq5ibHLKFf/UhJvK4o
    dQNLNXu1ok62XVXGjzlxt91obXe8e31HTpPm26CeNh9M9PWtwjjbTKtkpa2mlpuD
    mvNxgdiwU9vzNKezWrTuhwX0F3IkGmTgtfA9DJm6gqUDb64DVeIrSzc326rpGeC1
    RL9CLExfWfg8lA4QUc5M6NVe0MOaJjRJARX9z5tYasmnk8kzmdICRV7iWf7/OH5n
    dp7mgqy+c7NINlwk4w==
    -----END CERTIFICATE-----
    """
let spKey = """
    -----BEGIN PRIVATE KEY-----
    MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDRy/Mt5uN5qKNo
    Lz+pdOM5FyTUJZK4GQq7dovtdsbYlJ2doWqpYNNZ3dO0601Qu5gB6/9flVDIcm4Q
    SI4DRytjGy/B5wjJKGaXIYMb0RDl1KM0wNcOlKLE3DZWSEb+9bzmitvdPYTpULsC
    ZIquwXLVevAMUCIT+xSQLvaIQCSPAgYb/Ct7wgM9AZ9/xv7MG/bLGLCAZb4BPn7x
    s0TM61M2E0V+NbALf5AMw7aWg4hkA/N+1Q/ZZLTVUluVqc8n8m7WZZQ1uvb7h3ET
    Xtk3z+sdK22Ds0eM/r2KGWOdtHFhHvkdVIwzvUqwYM2Kg+GK62s3hvQloaTYf2HX
    AxayJHPZAgMBAAECggEAF5fB7yWJ60KFrc+ybxIQA3mQ0LKw/zcBt/cq4Td8QRrl
    ZraiUg3rdq21gyD6/ts5yu2JOGyIOyJzMi2WmtPEE08ZXcrneAetEc3Y+qXWKqJx
    ABu3k5Ivg8fn7GgQY9equJphA05JxhsoDKrV1bU3fr5mhFv2mRyhQV2mp8fe1J4H
    WOKZZ0l6O/x80gZ8mzbGB5MFChlNUFGANerB1XPXitsi1g1tn9qNPSFFUPbLbsIF
    CnKVjAU7NeOXnADRy1Rq3axoKfGLH1SLNFZznacvAYkAAlDeTh9UlKMnxTK3tIAV
    8H0MYAROGFmEUqDm4BnaRIQjtN0WPDs0KCFwDNYRaQKBgQD7oz1xyRFDurhlxOX/
    9x/rNdDssCvHWRgTaCuYvQsM4XfIH0QBKcmeivIMBMoXDqu2ei2ASfpufIR/0RGt
    MI500KDb3xIrCKHi2IR3vdce5vEPUgOvNaF15pahhFDH5zGYmVfEJ5GDRmJjBz3Q
    0W8RDyAI2UmA+efAs8vjR+iWGwKBgQDVbwVeAB6q5QxpF15eS5fBchd2Gyxv5Yiz
    8jBbHwgvltvmXpZo4Umrfddqt6bPjSYWYEyxcOPx5qK8CKko+k0LYxfQFdpuaSXM
    KtE2VNi/rp7odvzBbv9C6nMc9Gnz1lSqNEUj2dm64vS8e7pyOg0MD08VOUgfp8yf
    SPPOz8vNGwKBgQD4ekbQNuVvZc9z3qvmx1WjYu686XExVc6qSzDRj8p7m6A14nm6
    VFMc1MMSDyCnB/uTIq4Pgf1iYF5OAFpeFBZ3TxOoSWudRtbkMz0LKFBl2VGr+SZe
    Oq0GyP1w3EEQRED7GGBL925+nF/GvX3S1xu/UpolYrpsO1kXNfNcqMMIhQKBgQDN
    rsj4Vps3S7aTDC8oJicgCEgtzHAdgZElAM+y8Ivd+L8AGcVPW1S4jHRtZoC94aOD
    ytf94/H3q7DGDn6ee+CFicBoCrdO0cvYHqcxecDLsId5NTnNW59pKDE5BR2aG8HJ
    qMe8jfOyk4cQoRgDfogWSCaJKIOl5fpewloawsv/YwKBgQDaeApCPUXvNOVXUwNN
    9PdAXeEp5H7NeJuBmZkz4CJuB5zXL4ESNo5TS9SzE+KpAtyaEn1zezcEGhPeBbtl
    lLCFpxIlgIBgAHbLBNpq7MBIHmICfravOCRGkVGHUuLccWbTwc09TB2xXXJpplMs
    L/IYDOIMnZmA6kRMOkGTAU42Lw==
    -----END PRIVATE KEY-----
    """
let expectations = SAMLResponseExpectations(
    serviceProviderEntityID: "https://app.example/login/saml/s/metadata", assertionConsumerURL: "https://app.example/login/saml/s/acs",
    identityProviderEntityID: "https://idp.example/metadata", requestID: "_cwREQ", signing: .either, now: Date(timeIntervalSince1970: 1_900_000_000))

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let fields = FuzzInput.fields(FuzzInput.bytes(data, size), count: 2)
    if let verified = try? SAMLResponseVerifier.verify(fields[0], identityProviderCertificates: [idpCertificate], decryptionKey: spKey) {
        fuzzRequire(verified.responseSignature == nil && verified.assertionSignature == nil, "a signature the fuzzer wrote verified")
        if case .success = SAMLResponseRules.check(verified, expecting: expectations) {
            fuzzRequire(false, "an unsigned response was accepted")
        }
    }
    if let tree = try? SAMLXML.parse(fields[1], sizeLimit: SAMLIdentityProviderMetadata.sizeLimit),
        case .success(let metadata) = SAMLIdentityProviderMetadata.parse(tree, entityID: nil, now: expectations.now, allowLoopbackHTTP: false)
    {
        fuzzRequire(metadata.singleSignOnURL.lowercased().hasPrefix("https://"), "a non-https single sign-on URL accepted")
        fuzzRequire(!metadata.signingCertificates.isEmpty, "metadata without a signing certificate accepted")
    }
    return 0
}
