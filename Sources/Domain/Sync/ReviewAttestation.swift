import Crypto
import Foundation

/// What a platform admin decided about an app, recorded in the main database when the decision is made, so
/// sync carries into main only what an admin approved (DESIGN §8).
///
/// The developers database is written by the developers pool, which faces every developer on the internet. If
/// it were the only record of approval, a flaw there (or a hand edit) that set an app to `approved`, or
/// changed an approved app's redirect URIs or scopes, would reach the OAuth server with the next sync. The
/// review panel runs on the app site against main, so it records a digest of the exact reviewed content and
/// granted scopes there, and sync applies an approved app only when its content has that digest.
///
/// Suspension needs no attestation: it only takes access away, so it is applied whatever main holds.
public struct ReviewAttestation: Sendable, Equatable {
    /// The app in the developers database.
    public let application: ApplicationID
    /// Its public client id.
    public let clientID: ClientID
    /// ``digest(clientID:live:grantedScopes:)`` of the content the admin let run.
    public let digest: [UInt8]
    /// Whether the latest decision suspended the app.
    public let suspended: Bool

    /// Creates the value.
    public init(application: ApplicationID, clientID: ClientID, digest: [UInt8], suspended: Bool) {
        self.application = application
        self.clientID = clientID
        self.digest = digest
        self.suspended = suspended
    }

    /// The attestation a decision leaves behind: the app's reviewed state after the decision, or `nil` when
    /// the app has no live version (rejected before approval, draft, submitted).
    public init?(application: ApplicationID, clientID: ClientID, after review: ApplicationReview) {
        switch review.state {
        case .approved(let app):
            self.init(
                application: application, clientID: clientID,
                digest: Self.digest(clientID: clientID, live: app.live, grantedScopes: app.grantedScopes), suspended: false)
        case .suspended(let app, _):
            self.init(
                application: application, clientID: clientID,
                digest: Self.digest(clientID: clientID, live: app.live, grantedScopes: app.grantedScopes), suspended: true)
        case .draft, .submitted, .rejected:
            return nil
        }
    }

    /// Whether sync may make `app` run as it describes itself: a suspension always; an approval only when the
    /// latest decision was not a suspension and the content and scopes are exactly the attested ones.
    public func permits(_ app: SyncedApplication) -> Bool {
        guard app.id == application, app.clientID == clientID else { return false }
        switch app.status {
        case .suspended: return true
        case .approved:
            return !suspended
                && SecretToken.constantTimeEquals(
                    digest, Self.digest(clientID: app.clientID, live: app.live, grantedScopes: app.grantedScopes))
        case .draft, .submitted, .rejected: return false
        }
    }

    /// SHA-256 over an unambiguous encoding of everything review decides about an app: its client id and type,
    /// the content the consent page shows, the redirect URIs, the granted scopes and the data declarations; each field
    /// length-prefixed, in a fixed order, after a version label. Scopes are sorted (they are a set to the OAuth
    /// server); redirect URIs keep their order (it is shown to the admin). The developer's name, which the
    /// consent page also shows, is the developer's account setting, not reviewed content, and is not covered.
    public static func digest(clientID: ClientID, live: ApplicationDraft, grantedScopes: [String]) -> [UInt8] {
        var encoder = Encoder()
        encoder.field("catalystwells-review-attestation-v1")
        encoder.field(clientID.rawValue)
        encoder.field(live.clientType.rawValue)
        encoder.field(live.name)
        encoder.field(live.description)
        encoder.optional(live.homepageURL)
        encoder.optional(live.privacyPolicyURL)
        encoder.optional(live.termsURL)
        encoder.optional(live.logoSHA256)
        encoder.list(live.redirectURIs)
        encoder.list(grantedScopes.sorted())
        // Data declarations (issue 23) follow only when there are any, so the digest of content without them is
        // the one recorded before they existed, and those decisions stay valid. The part above is self-delimiting,
        // so content with declarations never digests like content without.
        if !live.dataDeclarations.isEmpty {
            encoder.field("data-declarations-v1")
            withUnsafeBytes(of: UInt32(live.dataDeclarations.count).bigEndian) { encoder.bytes += $0 }
            for declaration in live.dataDeclarations {
                encoder.field(declaration.scope)
                encoder.field(declaration.purpose)
                encoder.field(declaration.retention.kind)
                encoder.field(declaration.retention.customDays.map(String.init) ?? "")
                encoder.list(declaration.subProcessors.flatMap { [$0.name, $0.country] })
            }
        }
        // Client authentication (issue 20: private_key_jwt keys, PAR) follows only when it is not the default, for the
        // same reason: earlier decisions keep their digests, and a change of keys needs a new decision.
        if let column = live.clientAuthentication.column {
            encoder.field("client-authentication-v1")
            encoder.field(column)
        }
        // OpenID Connect settings (issue 20: logout registration, ID token algorithm), likewise only when set.
        if let column = live.openID.column {
            encoder.field("openid-settings-v1")
            encoder.field(column)
        }
        // The LTI tool registration (issue 19 item 2), likewise only for a tool.
        if let lti = live.lti {
            encoder.field("lti-tool-v1")
            encoder.field(lti.column)
        }
        return Array(SHA256.hash(data: encoder.bytes))
    }

    private struct Encoder {
        var bytes: [UInt8] = []

        mutating func field(_ text: String) {
            let utf8 = Array(text.utf8)
            withUnsafeBytes(of: UInt32(utf8.count).bigEndian) { bytes += $0 }
            bytes += utf8
        }

        mutating func optional(_ text: String?) {
            if let text {
                bytes.append(1)
                field(text)
            } else {
                bytes.append(0)
            }
        }

        mutating func list(_ items: [String]) {
            withUnsafeBytes(of: UInt32(items.count).bigEndian) { bytes += $0 }
            for item in items { field(item) }
        }
    }
}
