import Foundation

/// Keys made by the openssl command for one run, and SAML responses signed (and encrypted) by the xmlsec1 command
/// (Debian's `xmlsec1`, the tool pysaml2 signs with): real XML signatures made by another program than the one
/// under test, which the tests then take apart.
final class SAMLFixture {
    let directory: URL
    /// The identity provider's certificate and key; another ("attacker") pair; our SP pair for encryption.
    let idpCertificate: String
    let attackerCertificate: String
    let spKey: String
    let spCertificate: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cw-saml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in ["idp", "attacker", "sp"] {
            try Self.run(
                "/usr/bin/openssl",
                [
                    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=\(name)", "-keyout",
                    directory.appendingPathComponent("\(name).key").path, "-out", directory.appendingPathComponent("\(name).crt").path,
                ])
        }
        idpCertificate = try String(contentsOf: directory.appendingPathComponent("idp.crt"), encoding: .utf8)
        attackerCertificate = try String(contentsOf: directory.appendingPathComponent("attacker.crt"), encoding: .utf8)
        spKey = try String(contentsOf: directory.appendingPathComponent("sp.key"), encoding: .utf8)
        spCertificate = try String(contentsOf: directory.appendingPathComponent("sp.crt"), encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError("\(tool) \(arguments.first ?? ""): \(String(decoding: message, as: UTF8.self))")
        }
    }

    struct FixtureError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static let assertionNS = "urn:oasis:names:tc:SAML:2.0:assertion"

    /// An enveloped signature template for the element `id`.
    static func signatureTemplate(
        id: String, method: String = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        digest: String = "http://www.w3.org/2001/04/xmlenc#sha256"
    ) -> String {
        """
        <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>\
        <ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="\(method)"/>\
        <ds:Reference URI="#\(id)"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>\
        <ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="\(digest)"/>\
        <ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/><ds:KeyInfo><ds:X509Data/></ds:KeyInfo></ds:Signature>
        """
    }

    /// An assertion for `nameID`, its signature template (if `signed`) after the issuer.
    static func assertion(id: String = "A1", nameID: String = "ada@school.example", signed: Bool = true, method: String? = nil, digest: String? = nil)
        -> String
    {
        let signature =
            signed
            ? signatureTemplate(
                id: id, method: method ?? "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                digest: digest ?? "http://www.w3.org/2001/04/xmlenc#sha256")
            : ""
        return """
            <saml:Assertion xmlns:saml="\(assertionNS)" ID="\(id)" Version="2.0" IssueInstant="2030-01-01T00:00:00Z">\
            <saml:Issuer>https://idp.example/metadata</saml:Issuer>\(signature)<saml:Subject>\
            <saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">\(nameID)</saml:NameID>\
            </saml:Subject><saml:Conditions NotBefore="2030-01-01T00:00:00Z" NotOnOrAfter="2030-01-01T00:05:00Z">\
            <saml:AudienceRestriction><saml:Audience>https://sp.example/metadata</saml:Audience></saml:AudienceRestriction></saml:Conditions>\
            </saml:Assertion>
            """
    }

    /// A response around `inner` (assertions, extensions…), with the response's own signature template if `signed`.
    static func response(id: String = "R1", inner: String, signed: Bool = false) -> String {
        """
        <samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="\(assertionNS)" ID="\(id)" Version="2.0" \
        IssueInstant="2030-01-01T00:00:00Z" Destination="https://sp.example/acs" InResponseTo="_req"><saml:Issuer>https://idp.example/metadata</saml:Issuer>\
        \(signed ? signatureTemplate(id: id) : "")<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>\
        \(inner)</samlp:Response>
        """
    }

    /// `template` signed by xmlsec1 with `key` (`idp` or `attacker`): every signature in it, innermost first.
    func sign(_ template: String, key: String = "idp") throws -> String {
        let input = directory.appendingPathComponent("in-\(UUID().uuidString).xml")
        let output = directory.appendingPathComponent("out-\(UUID().uuidString).xml")
        try template.write(to: input, atomically: true, encoding: .utf8)
        try Self.run(
            "/usr/bin/xmlsec1",
            [
                "--sign", "--privkey-pem",
                "\(directory.appendingPathComponent("\(key).key").path),\(directory.appendingPathComponent("\(key).crt").path)",
                "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:protocol:Response", "--id-attr:ID", "\(Self.assertionNS):Assertion", "--output",
                output.path, input.path,
            ])
        return try String(contentsOf: output, encoding: .utf8)
    }

    /// The assertion of `response` (already signed) encrypted to our SP certificate, inside an EncryptedAssertion.
    func encryptAssertion(_ response: String, keyTransport: String = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p") throws -> String {
        let wrapped = response.replacingOccurrences(of: "<saml:Assertion ", with: "<saml:EncryptedAssertion><saml:Assertion ")
            .replacingOccurrences(of: "</saml:Assertion>", with: "</saml:Assertion></saml:EncryptedAssertion>")
        let data = directory.appendingPathComponent("data-\(UUID().uuidString).xml")
        let template = directory.appendingPathComponent("enc-\(UUID().uuidString).xml")
        let output = directory.appendingPathComponent("encout-\(UUID().uuidString).xml")
        try wrapped.write(to: data, atomically: true, encoding: .utf8)
        try """
        <xenc:EncryptedData xmlns:xenc="http://www.w3.org/2001/04/xmlenc#" Type="http://www.w3.org/2001/04/xmlenc#Element">\
        <xenc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes256-cbc"/><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">\
        <xenc:EncryptedKey><xenc:EncryptionMethod Algorithm="\(keyTransport)"/><xenc:CipherData><xenc:CipherValue/></xenc:CipherData>\
        </xenc:EncryptedKey></ds:KeyInfo><xenc:CipherData><xenc:CipherValue/></xenc:CipherData></xenc:EncryptedData>
        """.write(to: template, atomically: true, encoding: .utf8)
        try Self.run(
            "/usr/bin/xmlsec1",
            [
                "--encrypt", "--pubkey-cert-pem", directory.appendingPathComponent("sp.crt").path, "--session-key", "aes-256", "--xml-data",
                data.path,
                "--node-name", "\(Self.assertionNS):Assertion", "--output", output.path, template.path,
            ])
        return try String(contentsOf: output, encoding: .utf8)
    }
}
