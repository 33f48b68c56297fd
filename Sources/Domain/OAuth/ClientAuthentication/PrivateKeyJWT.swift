import Foundation

extension ClientAuthentication.Method {
    /// OIDC Core §9, RFC 7523 §2.2: a JWT signed with the client's private key.
    public static let privateKeyJWT = ClientAuthentication.Method(rawValue: ClientKeyRegistration.methodName)
}

/// `private_key_jwt` (OIDC Core §9; RFC 7523 §2.2, RFC 7521 §4.2): `client_assertion_type` =
/// `urn:ietf:params:oauth:client-assertion-type:jwt-bearer` and `client_assertion`, a JWT whose `sub` names the client.
/// A `client_id` field beside it must name the same client. Only clients registered for it may use it
/// (``OAuthClient/privateKeyJWT``); ``ClientAssertionRules`` decides the assertion.
public struct PrivateKeyJWT: ClientAuthenticationMethod {
    public init() {}
    public var name: ClientAuthentication.Method { .privateKeyJWT }
    public var provesIdentity: Bool { true }

    public func isPresent(in request: ClientAuthenticationRequest) -> Bool {
        request.form["client_assertion"] != nil || request.form["client_assertion_type"] != nil
    }

    public func identify(_ request: ClientAuthenticationRequest) -> Result<ClientAuthentication, OAuthError> {
        if request.form.repeatedNames.contains("client_assertion_type") {
            return .failure(.invalidRequest("The client_assertion_type parameter is repeated."))
        }
        guard let type = request.form["client_assertion_type"], let assertion = request.form["client_assertion"] else {
            return .failure(.invalidRequest("client_assertion and client_assertion_type go together (RFC 7521 §4.2)."))
        }
        guard type == ClientAssertionRules.assertionType else {
            return .failure(.invalidClient("client_assertion_type must be \(ClientAssertionRules.assertionType)."))
        }
        guard let jws = try? CompactJWS(assertion), let subject = jws.payload[member: "sub"]?.stringValue,
            ClientAuthentication.isAcceptable(subject)
        else {
            return .failure(.invalidClient("The client assertion is not a JWT with a sub claim."))
        }
        if let formID = request.form["client_id"], formID != subject {
            return .failure(.invalidClient("The client_id field does not match the client assertion's sub."))
        }
        return .success(ClientAuthentication(clientID: ClientID(subject), method: name, secret: assertion))
    }

    public func verify(_ presented: ClientAuthentication, client: OAuthClient, evidence: ClientEvidence) -> Bool {
        guard client.kind == .confidential, client.privateKeyJWT != nil, let assertion = presented.secret,
            let context = evidence.assertion
        else { return false }
        if case .success = ClientAssertionRules.check(assertion, clientID: client.clientID, context: context) { return true }
        return false
    }
}
