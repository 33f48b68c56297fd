import CXMLSec
import Domain

/// Checks a SAML `Response`'s XML signatures with libxmlsec1 and hands the SAML rules only what they cover
/// (``SAMLVerifiedResponse``). Signature wrapping (XSW) is ruled out by structure, before and after verification:
/// - the root must be a `samlp:Response`; it may hold one `saml:Assertion` or one `saml:EncryptedAssertion` as a
///   direct child, and there may be no other `Assertion` anywhere (not in `Extensions`, `Advice`, `ds:Object`…);
/// - every `ID` attribute in the document is unique (a clone under the same `ID` is refused), and the `ID`s are
///   registered with xmlsec here, so a `Reference` can only resolve to one element;
/// - a `ds:Signature` may only be a direct child of the root or of that assertion, one per element;
/// - a signature is verified with the identity provider's configured keys only (anything the message says about
///   keys is ignored), same-document references only, allowed algorithms only (SHA-1 is not even enabled), no
///   manifests; it must have exactly one `Reference`, whose `URI` is `#` + the `ID` of the element the signature
///   is enveloped in, and xmlsec's resolution of that `ID` must be that very element;
/// - what is handed over is copied from those elements, after verification.
/// An encrypted assertion is decrypted with our key (AES content encryption, RSA-OAEP key transport only) after the
/// response's signature (which covers the ciphertext) and before the assertion's own.
public enum SAMLResponseVerifier {
    /// The largest response read (a signed, encrypted assertion with a dozen attributes is under 20 KiB).
    public static let sizeLimit = 256 * 1024

    /// The verified response. `identityProviderCertificates`: PEM certificates whose keys may sign;
    /// `decryptionKey`: our PEM private key, for encrypted assertions.
    public static func verify(_ bytes: [UInt8], identityProviderCertificates: [String], decryptionKey: String?) throws(SAMLXMLError)
        -> SAMLVerifiedResponse
    {
        let document = try SAMLXMLDocument(parsing: bytes, sizeLimit: sizeLimit)
        let root = document.root
        guard SAMLXMLDocument.isElement(root, SAMLNamespace.samlProtocol, "Response") else { throw SAMLXMLError("the root is not a samlp:Response") }
        let keys = try certificates(identityProviderCertificates)
        defer { for key in keys { xmlSecKeyDestroy(key) } }

        let direct = SAMLXMLDocument.childElements(root).filter {
            SAMLXMLDocument.isElement($0, SAMLNamespace.assertion, "Assertion")
                || SAMLXMLDocument.isElement($0, SAMLNamespace.assertion, "EncryptedAssertion")
        }
        guard direct.count <= 1 else { throw SAMLXMLError("the response holds \(direct.count) assertions") }
        try checkStructure(document, root: root, assertion: direct.first)
        registerIDs(document, under: root)

        var responseFacts: SAMLSignatureFacts?
        if let signature = try signature(of: root) {
            responseFacts = try verifySignature(signature, envelopedIn: root, document: document, keys: keys)
        }

        var assertion = direct.first
        var encrypted = false
        if let container = assertion, SAMLXMLDocument.isElement(container, SAMLNamespace.assertion, "EncryptedAssertion") {
            guard let decryptionKey else { throw SAMLXMLError("the assertion is encrypted but this provider has no key of ours") }
            assertion = try decrypt(container, key: decryptionKey)
            encrypted = true
            try checkStructure(document, root: root, assertion: assertion, container: container)
            registerIDs(document, under: assertion!)
        }

        var assertionFacts: SAMLSignatureFacts?
        if let assertion, let signature = try signature(of: assertion) {
            assertionFacts = try verifySignature(signature, envelopedIn: assertion, document: document, keys: keys)
        }
        return SAMLVerifiedResponse(
            response: try SAMLXMLDocument.element(root), responseSignature: responseFacts,
            assertion: try assertion.map { node throws(SAMLXMLError) in try SAMLXMLDocument.element(node) },
            assertionSignature: assertionFacts, assertionWasEncrypted: encrypted)
    }

    // MARK: Structure

    /// The rules on the whole tree: unique IDs, no assertion but the one, signatures only in their two places.
    /// `container`: the `EncryptedAssertion` the (decrypted) `assertion` sits in.
    static func checkStructure(_ document: SAMLXMLDocument, root: xmlNodePtr, assertion: xmlNodePtr?, container: xmlNodePtr? = nil)
        throws(SAMLXMLError)
    {
        var ids = Set<String>()
        for node in try SAMLXMLDocument.allElements(root) {
            if let id = SAMLXMLDocument.attribute(node, "ID") {
                guard ids.insert(id).inserted else { throw SAMLXMLError("the ID \(id.prefix(80)) appears twice") }
            }
            if SAMLXMLDocument.isElement(node, SAMLNamespace.assertion, "Assertion")
                || SAMLXMLDocument.isElement(node, SAMLNamespace.assertion, "EncryptedAssertion")
            {
                guard node == assertion || node == container else {
                    throw SAMLXMLError("an assertion is out of place (\(SAMLXMLDocument.name(node.pointee.parent ?? root)))")
                }
            }
            if SAMLXMLDocument.isElement(node, SAMLNamespace.signature, "Signature") {
                guard let parent = node.pointee.parent, parent == root || parent == assertion else {
                    throw SAMLXMLError("a signature is out of place (in \(SAMLXMLDocument.name(node.pointee.parent ?? root)))")
                }
            }
            if SAMLXMLDocument.isElement(node, SAMLNamespace.signature, "Manifest")
                || SAMLXMLDocument.isElement(node, SAMLNamespace.encryption, "CipherReference")
            {
                throw SAMLXMLError("\(SAMLXMLDocument.name(node)) elements are not accepted")
            }
            if SAMLXMLDocument.isElement(node, SAMLNamespace.signature, "RetrievalMethod"),
                !(SAMLXMLDocument.attribute(node, "URI") ?? "").hasPrefix("#")
            {
                throw SAMLXMLError("a RetrievalMethod points outside the document")
            }
        }
    }

    /// Registers the `ID` attributes below `node` with libxml2, so references resolve to exactly those elements.
    static func registerIDs(_ document: SAMLXMLDocument, under node: xmlNodePtr) {
        let name: [xmlChar] = Array("ID".utf8) + [0]
        name.withUnsafeBufferPointer { buffer in
            var names: [UnsafePointer<xmlChar>?] = [buffer.baseAddress, nil]
            names.withUnsafeMutableBufferPointer { xmlSecAddIDs(document.document, node, $0.baseAddress) }
        }
    }

    /// The element's one enveloped `ds:Signature` child, if any.
    static func signature(of node: xmlNodePtr) throws(SAMLXMLError) -> xmlNodePtr? {
        let signatures = SAMLXMLDocument.childElements(node).filter { SAMLXMLDocument.isElement($0, SAMLNamespace.signature, "Signature") }
        guard signatures.count <= 1 else { throw SAMLXMLError("\(SAMLXMLDocument.name(node)) carries \(signatures.count) signatures") }
        return signatures.first
    }

    // MARK: Signatures

    /// The configured certificates' keys (each loaded from PEM; a certificate that does not load is an error in
    /// our configuration, not in the message).
    static func certificates(_ pems: [String]) throws(SAMLXMLError) -> [xmlSecKeyPtr] {
        var keys: [xmlSecKeyPtr] = []
        for pem in pems {
            let bytes = Array(pem.utf8)
            guard
                let key = bytes.withUnsafeBufferPointer({ cw_xmlsec_key_load_pem($0.baseAddress, UInt32($0.count), 1) })
            else {
                for loaded in keys { xmlSecKeyDestroy(loaded) }
                throw SAMLXMLError("a configured certificate of the identity provider does not load")
            }
            keys.append(key)
        }
        guard !keys.isEmpty else { throw SAMLXMLError("the identity provider has no certificate configured") }
        return keys
    }

    /// Verifies `signature` (a direct child of `target`) with each key in turn; the facts of the first that verifies.
    static func verifySignature(_ signature: xmlNodePtr, envelopedIn target: xmlNodePtr, document: SAMLXMLDocument, keys: [xmlSecKeyPtr])
        throws(SAMLXMLError) -> SAMLSignatureFacts
    {
        guard let targetID = SAMLXMLDocument.attribute(target, "ID"), !targetID.isEmpty else {
            throw SAMLXMLError("a signed \(SAMLXMLDocument.name(target)) has no ID")
        }
        var lastProblem = "did not verify"
        for key in keys {
            guard let context = xmlSecDSigCtxCreate(nil) else { throw SAMLXMLError("xmlSecDSigCtxCreate failed") }
            defer { xmlSecDSigCtxDestroy(context) }
            try configure(context)
            guard let copy = xmlSecKeyDuplicate(key) else { throw SAMLXMLError("xmlSecKeyDuplicate failed") }
            context.pointee.signKey = copy
            guard xmlSecDSigCtxVerify(context, signature) == 0 else {
                lastProblem = "could not be processed (an algorithm or transform that is not allowed, or malformed)"
                continue
            }
            guard context.pointee.status == xmlSecDSigStatusSucceeded else {
                lastProblem = "did not verify with the provider's keys"
                continue
            }
            let references = cw_xmlsec_dsig_references(context)
            guard cw_xmlsec_list_size(references) == 1, let raw = cw_xmlsec_list_item(references, 0) else {
                throw SAMLXMLError("the signature has more than one reference")
            }
            let reference = raw.assumingMemoryBound(to: xmlSecDSigReferenceCtx.self)
            let uri = reference.pointee.uri.map { String(cString: $0) } ?? ""
            guard reference.pointee.status == xmlSecDSigStatusSucceeded, uri == "#" + targetID else {
                throw SAMLXMLError("the signature does not reference the element it is in")
            }
            let resolved = Array(targetID.utf8 + [0]).withUnsafeBufferPointer { xmlGetID(document.document, $0.baseAddress) }
            guard let resolved, resolved.pointee.parent == target else {
                throw SAMLXMLError("the signature's reference resolves to another element")
            }
            return try facts(of: signature, referencedID: targetID)
        }
        throw SAMLXMLError("the signature on \(SAMLXMLDocument.name(target)) \(lastProblem)")
    }

    /// Same-document references, allowed algorithms, no manifests, no keys from the message.
    static func configure(_ context: xmlSecDSigCtxPtr) throws(SAMLXMLError) {
        context.pointee.enabledReferenceUris = cw_xmlsec_uri_same_document()
        context.pointee.flags |= UInt32(XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS)
        let canonicalizations = [cw_xmlsec_exc_c14n(), cw_xmlsec_exc_c14n_comments(), cw_xmlsec_c14n(), cw_xmlsec_c14n11()]
        let signatureMethods = [
            cw_xmlsec_rsa_sha256(), cw_xmlsec_rsa_sha384(), cw_xmlsec_rsa_sha512(), cw_xmlsec_ecdsa_sha256(), cw_xmlsec_ecdsa_sha384(),
            cw_xmlsec_ecdsa_sha512(),
        ]
        let digests = [cw_xmlsec_sha256(), cw_xmlsec_sha384(), cw_xmlsec_sha512()]
        for transform in canonicalizations + signatureMethods {
            guard xmlSecDSigCtxEnableSignatureTransform(context, transform) == 0 else { throw SAMLXMLError("cannot enable a signature algorithm") }
        }
        for transform in canonicalizations + digests + [cw_xmlsec_enveloped()] {
            guard xmlSecDSigCtxEnableReferenceTransform(context, transform) == 0 else { throw SAMLXMLError("cannot enable a reference transform") }
        }
        guard cw_xmlsec_enable_key_data(cw_xmlsec_dsig_key_info(context), cw_xmlsec_key_data_name()) == 0 else {
            throw SAMLXMLError("cannot restrict key info")
        }
    }

    /// The algorithms the verified `SignedInfo` names (read from the element xmlsec just processed).
    static func facts(of signature: xmlNodePtr, referencedID: String) throws(SAMLXMLError) -> SAMLSignatureFacts {
        let tree = try SAMLXMLDocument.element(signature)
        guard let signedInfo = tree.child(SAMLNamespace.signature, "SignedInfo"),
            let c14n = signedInfo.child(SAMLNamespace.signature, "CanonicalizationMethod")?.attributes["Algorithm"],
            let method = signedInfo.child(SAMLNamespace.signature, "SignatureMethod")?.attributes["Algorithm"],
            let reference = signedInfo.child(SAMLNamespace.signature, "Reference")
        else { throw SAMLXMLError("the signature's SignedInfo is incomplete") }
        let digests = reference.children(SAMLNamespace.signature, "DigestMethod").compactMap { $0.attributes["Algorithm"] }
        let transforms = (reference.child(SAMLNamespace.signature, "Transforms")?.children(SAMLNamespace.signature, "Transform") ?? []).map {
            $0.attributes["Algorithm"] ?? ""
        }
        return SAMLSignatureFacts(
            referencedID: referencedID, signatureMethod: method, canonicalization: c14n, digestMethods: digests, transforms: transforms)
    }

    // MARK: Decryption

    /// Decrypts the `EncryptedAssertion`'s `EncryptedData` in place; returns the assertion it held.
    static func decrypt(_ container: xmlNodePtr, key pem: String) throws(SAMLXMLError) -> xmlNodePtr {
        let children = SAMLXMLDocument.childElements(container)
        let data = children.filter { SAMLXMLDocument.isElement($0, SAMLNamespace.encryption, "EncryptedData") }
        guard data.count == 1 else { throw SAMLXMLError("the EncryptedAssertion holds \(data.count) EncryptedData") }
        try checkEncryptionAlgorithms(container)
        guard let manager = xmlSecKeysMngrCreate() else { throw SAMLXMLError("xmlSecKeysMngrCreate failed") }
        defer { xmlSecKeysMngrDestroy(manager) }
        guard cw_xmlsec_keys_mngr_init(manager) == 0 else { throw SAMLXMLError("cannot set up the keys manager") }
        let bytes = Array(pem.utf8)
        guard let key = bytes.withUnsafeBufferPointer({ cw_xmlsec_key_load_pem($0.baseAddress, UInt32($0.count), 0) }) else {
            throw SAMLXMLError("our decryption key does not load")
        }
        guard cw_xmlsec_keys_mngr_adopt(manager, key) == 0 else {
            xmlSecKeyDestroy(key)
            throw SAMLXMLError("cannot adopt our decryption key")
        }
        guard let context = xmlSecEncCtxCreate(manager) else { throw SAMLXMLError("xmlSecEncCtxCreate failed") }
        defer { xmlSecEncCtxDestroy(context) }
        context.pointee.transformCtx.enabledUris = cw_xmlsec_uri_same_document()
        let info = cw_xmlsec_enc_key_info(context)!
        guard cw_xmlsec_enable_key_data(info, cw_xmlsec_key_data_encrypted_key()) == 0,
            cw_xmlsec_enable_key_data(info, cw_xmlsec_key_data_name()) == 0
        else { throw SAMLXMLError("cannot restrict key info") }
        guard xmlSecEncCtxDecrypt(context, data[0]) == 0, context.pointee.result != nil, context.pointee.resultReplaced != 0 else {
            throw SAMLXMLError("the assertion could not be decrypted with our key")
        }
        let decrypted = SAMLXMLDocument.childElements(container)
        guard
            decrypted.count == 1
                || (decrypted.count > 1
                    && decrypted.dropFirst().allSatisfy { SAMLXMLDocument.isElement($0, SAMLNamespace.encryption, "EncryptedKey") }),
            SAMLXMLDocument.isElement(decrypted[0], SAMLNamespace.assertion, "Assertion")
        else { throw SAMLXMLError("the encrypted assertion did not hold one saml:Assertion") }
        return decrypted[0]
    }

    /// AES content encryption and RSA-OAEP key transport only (``SAMLAlgorithms``).
    static func checkEncryptionAlgorithms(_ container: xmlNodePtr) throws(SAMLXMLError) {
        for node in try SAMLXMLDocument.allElements(container) where SAMLXMLDocument.isElement(node, SAMLNamespace.encryption, "EncryptionMethod") {
            let algorithm = SAMLXMLDocument.attribute(node, "Algorithm") ?? ""
            let parent = node.pointee.parent.map(SAMLXMLDocument.name) ?? ""
            let allowed = parent == "EncryptedKey" ? SAMLAlgorithms.keyTransport : SAMLAlgorithms.contentEncryption
            guard allowed.contains(algorithm) else { throw SAMLXMLError("encryption algorithm \(algorithm.prefix(100)) is not allowed") }
            for digest in SAMLXMLDocument.childElements(node) where SAMLXMLDocument.isElement(digest, SAMLNamespace.signature, "DigestMethod") {
                guard SAMLAlgorithms.oaepDigests.contains(SAMLXMLDocument.attribute(digest, "Algorithm") ?? "") else {
                    throw SAMLXMLError("an OAEP digest is not allowed")
                }
            }
        }
    }
}
