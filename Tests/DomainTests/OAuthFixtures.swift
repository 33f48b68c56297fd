import Domain
import Foundation

/// Clients and helpers shared by the OAuth tests.
enum OAuthFixtures {
    static let issuer = "https://app.catalystwells.test"
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// RFC 7636 Appendix B.
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    static func client(
        _ id: String, kind: OAuthClient.Kind, redirectURIs: [String],
        scopes: Set<String> = ["openid", "profile.read", "profile.email", "offline_access", "student.grades.read", "school.read"],
        status: OAuthClient.Status = .active
    ) -> OAuthClient {
        OAuthClient(
            clientID: ClientID(id), name: id, developerName: "Dev", kind: kind, redirectURIs: redirectURIs,
            allowedScopes: scopes, status: status)
    }

    /// The dev stack's public demo client, plus the IPv6 loopback.
    static let publicClient = client(
        "demo-public", kind: .public, redirectURIs: ["http://127.0.0.1:8765/callback", "http://[::1]:8765/callback"])
    /// A confidential web app with one redirect URI.
    static let webClient = client("demo-web", kind: .confidential, redirectURIs: ["https://app.example/cb"])
    /// A confidential app with two URIs, one carrying a query.
    static let multiClient = client(
        "multi", kind: .confidential, redirectURIs: ["https://app.example/cb", "https://app.example/cb2?x=1"])
    /// Registrations the portal would refuse, to show the request-time rule holds anyway.
    static let localhostClient = client("localhost-app", kind: .public, redirectURIs: ["http://localhost:8765/cb"])
    static let plainHTTPClient = client("plain-http", kind: .confidential, redirectURIs: ["http://app.example/cb"])

    /// A public client registered on 127.0.0.1 only.
    static let v4OnlyClient = client("v4-only", kind: .public, redirectURIs: ["http://127.0.0.1:8765/callback"])

    static let allClients = [publicClient, webClient, multiClient, localhostClient, plainHTTPClient, v4OnlyClient]
    static func lookup(_ id: ClientID?) -> OAuthClient? { allClients.first { $0.clientID == id } }

    /// RFC 4648 §5 decoding for checking what the code under test encoded.
    static func base64URLDecode(_ text: some StringProtocol) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }

    /// A deterministic random source.
    struct CountingGenerator: RandomNumberGenerator {
        var state: UInt64 = 0
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return state
        }
    }
}
