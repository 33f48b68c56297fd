import Crypto
import Foundation

/// The marker the authorization endpoint puts on its own address when it sends the browser to sign in
/// (`prompt=login`, `max_age`, or no session), so that on the way back it knows the person signed in *during this
/// request* and does not ask again (OIDC Core §3.1.2.1: otherwise `prompt=login` would loop forever).
///
/// It must not be forgeable, or anyone could add it to a link and waive `prompt=login` for a session that signed
/// in earlier: it is `<seconds>.<mac>`, the time the detour began and an HMAC-SHA256 of it and of the request it
/// belongs to (``binding(_:)``: client, redirect URI, state, nonce) under a server key, so a marker taken from one
/// request does nothing on another. It counts only when it is ours, for this request, at most ``lifetime`` old,
/// and the session signed in at or after that time. The
/// consent page carries it on, so its answer is not sent back to sign in again (a small `max_age` would loop).
public enum SignInDetourMarker {
    /// The query parameter.
    public static let parameter = "cw_signed_in"
    /// How long after the detour began a sign-in counts.
    public static let lifetime: TimeInterval = 600

    /// What ties a marker to its authorization request: the client, redirect URI, `state` and `nonce`.
    public static func binding(_ request: AuthorizationRequest) -> String {
        [request.client.clientID.rawValue, request.redirectURI, request.state ?? "", request.nonce ?? ""]
            .map { "\($0.utf8.count):\($0)" }.joined()
    }

    /// A marker for a detour of the request with this `binding` that begins at `now`.
    public static func make(at now: Date, binding: String, key: SymmetricKey) -> String {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        return "\(seconds).\(mac(seconds, binding: binding, key: key))"
    }

    /// Whether `marker` is ours for the request with this `binding`, younger than ``lifetime``, and `authTime`
    /// (the session's sign-in) is at or after it.
    public static func showsSignIn(_ marker: String?, binding: String, authTime: Date?, now: Date, key: SymmetricKey) -> Bool {
        guard let marker, let authTime, marker.utf8.count <= 64 else { return false }
        let parts = marker.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let seconds = Int64(parts[0]),
            SecretToken.constantTimeEquals(Array(parts[1].utf8), Array(mac(seconds, binding: binding, key: key).utf8))
        else { return false }
        let began = Date(timeIntervalSince1970: TimeInterval(seconds))
        return now.timeIntervalSince(began) <= lifetime && now >= began && authTime >= began
    }

    private static func mac(_ seconds: Int64, binding: String, key: SymmetricKey) -> String {
        SecretToken.base64URL(
            Array(HMAC<SHA256>.authenticationCode(for: Array("cw sign-in detour \(seconds) \(binding)".utf8), using: key)))
    }
}
