import Crypto
import Domain
import Foundation

/// A SAML "test this provider" result on its way from the assertion consumer service (a cross-site POST, without
/// the admin's session) to the admin's own result page: the verified identity, sealed with AES-256-GCM so it can
/// be neither forged nor read, for five minutes, for the admin who started the test only. Claims are cut to fit a
/// cookie.
struct SAMLTestResult {
    let provider: String
    let admin: UserID
    let identity: UpstreamIdentityValue
    let startedAt: Date
    let checked: String

    static let lifetime: TimeInterval = 300
    private static let associatedData = Array("catalystwells saml test result v1".utf8)

    func sealed(key: SymmetricKey, using generator: inout some RandomNumberGenerator) throws -> String {
        var claims: [(String, JSONValue)] = []
        if case .object(let members) = identity.claims {
            var budget = 2000
            for (name, value) in members.prefix(40) {
                let text: JSONValue = if case .string(let string) = value { .string(String(string.prefix(200))) } else { value }
                let size = name.utf8.count + text.serialized().count
                guard size <= budget else { break }
                budget -= size
                claims.append((String(name.prefix(100)), text))
            }
        }
        let document: JSONValue = [
            "p": .string(provider), "a": .int(Int(admin.rawValue)), "t": .int(Int(startedAt.timeIntervalSince1970)), "s": .string(identity.subject),
            "e": .optional(identity.email), "v": .bool(identity.emailVerified), "c": .object(claims), "k": .string(checked),
        ]
        return SecretToken.base64URL(try KeySealing.seal(document.serialized(), key: key, associatedData: Self.associatedData, using: &generator))
    }

    static func open(_ cookie: String?, key: SymmetricKey, now: Date) -> Self? {
        guard let cookie, cookie.utf8.count <= 4096, let sealed = Base64URL.decode(cookie),
            let plain = try? KeySealing.open(sealed, key: key, associatedData: associatedData), let document = try? JSONParser.parse(plain),
            let provider = document[member: "p"]?.stringValue, let admin = document[member: "a"]?.intValue,
            let seconds = document[member: "t"]?.intValue, let subject = document[member: "s"]?.stringValue,
            let checked = document[member: "k"]?.stringValue
        else { return nil }
        let started = Date(timeIntervalSince1970: TimeInterval(seconds))
        guard now >= started.addingTimeInterval(-60), now.timeIntervalSince(started) <= lifetime else { return nil }
        let identity = UpstreamIdentityValue(
            subject: subject, email: document[member: "e"]?.stringValue, emailVerified: document[member: "v"]?.boolValue ?? false,
            claims: document[member: "c"] ?? .object([]))
        return Self(provider: provider, admin: UserID(Int64(admin)), identity: identity, startedAt: started, checked: checked)
    }
}
