/// What one verified XML signature covered and how it was made.
public struct SAMLSignatureFacts: Sendable, Equatable {
    /// The `ID` of the element its one `Reference` named (`URI="#<id>"`), which is the element it is enveloped in.
    public let referencedID: String
    public let signatureMethod: String
    public let canonicalization: String
    public let digestMethods: [String]
    /// The `Transform` algorithms of the reference, in order.
    public let transforms: [String]

    public init(referencedID: String, signatureMethod: String, canonicalization: String, digestMethods: [String], transforms: [String]) {
        self.referencedID = referencedID
        self.signatureMethod = signatureMethod
        self.canonicalization = canonicalization
        self.digestMethods = digestMethods
        self.transforms = transforms
    }
}

/// A SAML `Response` after the XML layer parsed it (no DTD, bounded), decrypted its assertion and checked its
/// signatures with the identity provider's keys (libxmlsec1). The layer guarantees, for whatever it hands over:
/// - ``response`` is the document's root, a `samlp:Response`; ``assertion`` is its one `saml:Assertion` child (or
///   the assertion decrypted from its one `saml:EncryptedAssertion` child), and no other `Assertion` and no other
///   `Signature` element exists anywhere in the document;
/// - every `ID` attribute in the document is unique;
/// - ``responseSignature``, when set, is a signature enveloped in the root that verified and whose one reference
///   names the root's `ID`: everything in ``response`` (and so in ``assertion``) is covered by it;
/// - ``assertionSignature``, when set, likewise covers ``assertion``;
/// - a signature that is present but does not verify is never handed over: the whole message was refused.
public struct SAMLVerifiedResponse: Sendable, Equatable {
    public let response: SAMLElement
    public let responseSignature: SAMLSignatureFacts?
    public let assertion: SAMLElement?
    public let assertionSignature: SAMLSignatureFacts?
    /// Whether ``assertion`` arrived as an `EncryptedAssertion`.
    public let assertionWasEncrypted: Bool

    public init(
        response: SAMLElement, responseSignature: SAMLSignatureFacts?, assertion: SAMLElement?, assertionSignature: SAMLSignatureFacts?,
        assertionWasEncrypted: Bool
    ) {
        self.response = response
        self.responseSignature = responseSignature
        self.assertion = assertion
        self.assertionSignature = assertionSignature
        self.assertionWasEncrypted = assertionWasEncrypted
    }
}
