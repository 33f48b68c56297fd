/// The namespaces and fixed URIs of SAML 2.0 (saml-core-2.0-os, saml-bindings-2.0-os) and XML Signature/Encryption.
public enum SAMLNamespace {
    public static let assertion = "urn:oasis:names:tc:SAML:2.0:assertion"
    public static let samlProtocol = "urn:oasis:names:tc:SAML:2.0:protocol"
    public static let metadata = "urn:oasis:names:tc:SAML:2.0:metadata"
    public static let signature = "http://www.w3.org/2000/09/xmldsig#"
    public static let encryption = "http://www.w3.org/2001/04/xmlenc#"

    /// saml-core §3.2.2.2: the top-level status code of a successful response.
    public static let statusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success"
    /// saml-profiles §4.1.4.1: the only subject confirmation method of the Web Browser SSO profile.
    public static let bearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
    /// saml-bindings §3.4 and §3.5.
    public static let httpRedirectBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
    public static let httpPostBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    /// saml-core §8.3.
    public static let nameIDPersistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    public static let nameIDTransient = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
    public static let nameIDEmail = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    public static let nameIDUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
    /// saml-core §8.3.6: an entity identifier (the `Format` of an `Issuer`).
    public static let entityFormat = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity"
}

/// The signature and encryption algorithms a SAML message may use: RSA or ECDSA with SHA-256 or better, SHA-256
/// or better digests, exclusive canonicalisation (inclusive too, which some IdPs still use), the
/// enveloped-signature transform; AES content encryption and RSA-OAEP key transport (never RSA PKCS#1 v1.5, open to
/// Bleichenbacher-style oracles). SHA-1 and MD5 appear nowhere: a message naming one is refused.
public enum SAMLAlgorithms {
    public static let signatureMethods: Set<String> = [
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384",
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512",
    ]
    public static let digestMethods: Set<String> = [
        "http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2001/04/xmldsig-more#sha384",
        "http://www.w3.org/2001/04/xmlenc#sha512",
    ]
    public static let canonicalizations: Set<String> = [
        "http://www.w3.org/2001/10/xml-exc-c14n#", "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
        "http://www.w3.org/TR/2001/REC-xml-c14n-20010315", "http://www.w3.org/2006/12/xml-c14n11",
    ]
    public static let envelopedSignature = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    public static let contentEncryption: Set<String> = [
        "http://www.w3.org/2001/04/xmlenc#aes128-cbc", "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
        "http://www.w3.org/2009/xmlenc11#aes128-gcm", "http://www.w3.org/2009/xmlenc11#aes256-gcm",
    ]
    public static let keyTransport: Set<String> = [
        "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p", "http://www.w3.org/2009/xmlenc11#rsa-oaep",
    ]
    /// Digests an OAEP key transport may name for its mask (inside `EncryptionMethod`); SHA-1 is OAEP's default and,
    /// used there as a mask function only, is not a signature weakness.
    public static let oaepDigests: Set<String> = Set(["http://www.w3.org/2000/09/xmldsig#sha1"]).union(digestMethods)
}
