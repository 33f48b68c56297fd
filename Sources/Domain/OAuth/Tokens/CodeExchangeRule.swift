import Foundation

/// The `authorization_code` grant's checks against the stored code (RFC 6749 §4.1.3, RFC 7636 §4.6,
/// RFC 9700 §2.1.1), run after ``AuthorizationCodeStore/consumeCode(digest:now:)`` returned `.consumed`
/// and the client authenticated:
///
/// 1. the code was issued to this client;
/// 2. it has not expired;
/// 3. `redirect_uri` equals the one the code was issued for. It may be omitted only when the client has
///    exactly one registered URI and the code was issued for that very URI — the one case where the
///    authorization request could have omitted it too (RFC 6749 §4.1.3 requires it when it was sent; the
///    code record does not keep whether it was, and in this case the value is forced anyway);
/// 4. PKCE: a stored challenge needs a matching `code_verifier`; a `code_verifier` without a stored challenge
///    is refused (a PKCE downgrade, RFC 9700 §2.1.1); a public client's code always has a challenge;
/// 5. a code bound to a DPoP key (`dpop_jkt`, RFC 9449 §10) needs a token request with a proof by that key
///    (`dpopThumbprint`): without a proof `invalid_dpop_proof`, by another key `invalid_grant`.
///
/// Every other failure is `invalid_grant`, except a missing `redirect_uri` (`invalid_request`).
public enum CodeExchangeRule {
    /// The first rule the exchange breaks, or `nil` when the code may be exchanged.
    public static func check(
        code: AuthorizationCodeGrant, client: OAuthClient, redirectURI: String?, codeVerifier: String?, now: Date,
        dpopThumbprint: String? = nil
    ) -> OAuthError? {
        let invalid = "The authorization code is invalid or expired."
        guard code.clientID == client.clientID else {
            return .invalidGrant(invalid, logDetail: "code of \(code.clientID) presented by \(client.clientID)")
        }
        guard code.expiresAt > now else { return .invalidGrant(invalid, logDetail: "code expired") }
        if let redirectURI {
            guard redirectURI == code.redirectURI else {
                return .invalidGrant("The redirect_uri does not match the authorization request.")
            }
        } else if !(client.redirectURIs == [code.redirectURI]) {
            return .invalidRequest("The redirect_uri parameter is required.")
        }
        switch (code.codeChallenge, codeVerifier) {
        case (let challenge?, let verifier?):
            guard PKCE.verify(verifier: verifier, challenge: challenge) else {
                return .invalidGrant("The code_verifier does not match the code_challenge.")
            }
        case (.some, nil):
            return .invalidGrant("The code_verifier is required for this code.")
        case (nil, .some):
            return .invalidGrant("A code_verifier was sent but the authorization request had no code_challenge.")
        case (nil, nil):
            guard client.kind == .confidential else {
                return .invalidGrant(invalid, logDetail: "public client code without a challenge")
            }
        }
        if let bound = code.dpopJKT {
            guard let dpopThumbprint else {
                return OAuthError(
                    .invalidDPoPProof, "The authorization request bound this code to a DPoP key (dpop_jkt): send a DPoP proof by that key.")
            }
            guard SecretToken.constantTimeEquals(Array(dpopThumbprint.utf8), Array(bound.utf8)) else {
                return .invalidGrant("The DPoP proof's key is not the one dpop_jkt named in the authorization request.")
            }
        }
        return nil
    }
}
