/// The checks of `clientDataJSON` (WebAuthn §5.8.1; §7.1 steps 7–10 and §7.2 steps 11–14), read with the strict
/// ``JSONParser`` (a duplicate member is refused, so no reader can see another `origin` than ours):
/// - `type` is the ceremony's, exactly;
/// - `challenge` is the base64url (strict, unpadded) of the challenge we issued, compared in constant time;
/// - `origin` is exactly one of the relying party's origins (no prefix or case folding);
/// - `crossOrigin` is absent or `false`: our pages never run a ceremony inside another site's frame;
/// - `tokenBinding.status` is not `present`: nginx does not do Token Binding, so a binding could not be checked.
/// Other members are ignored, as §5.8.1 requires (browsers add some).
enum CollectedClientData {
    /// Longest client data accepted (a browser's is a few hundred bytes).
    static let maximumLength = 8192

    static let createType = "webauthn.create"
    static let getType = "webauthn.get"

    /// Checks `bytes` for a ceremony of `type` that issued `challenge`.
    static func check(_ bytes: [UInt8], type: String, challenge: [UInt8], origins: Set<String>) throws(PasskeyRefusal) {
        guard bytes.count <= maximumLength else { throw .malformed("client data longer than \(maximumLength) bytes") }
        let document: JSONValue
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw .malformed("client data: \(error.reason)")
        }
        guard case .object = document else { throw .malformed("client data is not a JSON object") }
        guard let received = document[member: "type"]?.stringValue else { throw .malformed("client data without a type") }
        guard received == type else { throw .wrongType }
        guard let encoded = document[member: "challenge"]?.stringValue, let sent = Base64URL.decode(encoded),
            SecretToken.constantTimeEquals(sent, challenge)
        else { throw .challengeMismatch }
        guard let origin = document[member: "origin"]?.stringValue else { throw .malformed("client data without an origin") }
        guard origins.contains(origin) else { throw .wrongOrigin(String(origin.prefix(100))) }
        switch document[member: "crossOrigin"] {
        case nil, .bool(false): break
        case .bool(true): throw .crossOrigin
        default: throw .malformed("crossOrigin is not a boolean")
        }
        if let binding = document[member: "tokenBinding"] {
            switch binding[member: "status"]?.stringValue {
            case "supported": break
            case "present": throw .tokenBindingNotSupported
            default: throw .malformed("tokenBinding without a known status")
            }
        }
    }
}
