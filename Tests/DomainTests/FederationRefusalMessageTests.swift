import Domain
import Foundation
import Testing

/// Every refusal of an upstream sign-in after the provider answered (the token endpoint's, the ID token's) and of a
/// SAML response is a keyed ``Message`` whose English is the sentence the page said before it was keyed; the log
/// reasons are unchanged.
@Suite struct FederationRefusalMessageTests {
    /// Each ID token refusal, its key and the English the page has always said.
    static let idTokenRefusals: [(UpstreamSignInRefusal, String, String)] = [
        (.malformed("not three parts"), "upstream.refusal.malformed", "The provider's answer could not be read."),
        (
            .algorithmNotAllowed(""), "upstream.refusal.no_algorithm",
            "The provider signed its answer with no algorithm, which is not accepted (RS256 or ES256 only)."
        ),
        (
            .algorithmNotAllowed("HS256"), "upstream.refusal.algorithm",
            "The provider signed its answer with HS256, which is not accepted (RS256 or ES256 only)."
        ),
        (.unknownKey, "upstream.refusal.unknown_key", "The provider's answer was signed with a key it does not publish."),
        (.badSignature, "upstream.refusal.bad_signature", "The provider's answer has a signature that does not verify."),
        (.wrongIssuer, "upstream.refusal.wrong_issuer", "The answer came from another issuer than the one configured."),
        (.wrongAudience, "upstream.refusal.wrong_audience", "The answer was meant for another application."),
        (.expired, "upstream.refusal.expired", "The provider's answer has expired; try again."),
        (.issuedInTheFuture, "upstream.refusal.issued_in_future", "The provider's answer is dated in the future; check the server clocks."),
        (.nonceMismatch, "upstream.refusal.nonce", "The answer does not belong to this sign-in (nonce); start again."),
        (.missingSubject, "upstream.refusal.no_subject", "The provider's answer names no account."),
        (.emailNotVerified, "upstream.refusal.email_not_verified", "The provider has not verified this account's email address."),
        (.wrongDomain, "upstream.refusal.wrong_domain", "This account is not in one of the school's domains."),
        (.wrongTenant, "upstream.refusal.wrong_tenant", "This account is not in the school's Microsoft tenant."),
    ]

    @Test func everyIDTokenRefusalHasAKeyAndKeepsItsEnglish() {
        for (refusal, key, english) in Self.idTokenRefusals {
            #expect(refusal.problem.key == key, "\(refusal)")
            #expect(refusal.message == english && refusal.problem.english == english, "\(refusal)")
            let failure = UpstreamSignInFailure.refused(refusal)
            #expect(failure.problem == refusal.problem && failure.message == english && failure.logReason == refusal.logReason)
        }
        #expect(Set(Self.idTokenRefusals.map(\.1)).count == Self.idTokenRefusals.count, "one key per reason")
        // The provider's algorithm is an argument, as it sent it; the log keeps its short words.
        #expect(UpstreamSignInRefusal.algorithmNotAllowed("HS256").problem.arguments == ["algorithm": "HS256"])
        #expect(UpstreamSignInRefusal.algorithmNotAllowed("HS256").logReason == "algorithm HS256 not allowed")
        #expect(UpstreamSignInRefusal.malformed("not three parts").logReason == "malformed (not three parts)")
        #expect(UpstreamSignInRefusal.wrongTenant.logReason == "wrongTenant")
    }

    @Test func everyTokenEndpointFailureHasAKeyKeepsItsEnglishAndItsLogReason() {
        let cases: [(UpstreamTokenEndpointFailure, String, String, [String: String])] = [
            (.unreachable("connection refused"), "upstream.refusal.token_unreachable", "connection refused", ["detail": "connection refused"]),
            (.status(500, error: nil), "upstream.refusal.token_status", "it answered HTTP 500", ["status": "500"]),
            (
                .status(400, error: "invalid_grant"), "upstream.refusal.token_status_error", "it answered HTTP 400: invalid_grant",
                ["status": "400", "error": "invalid_grant"]
            ),
            (.noIDToken, "upstream.refusal.token_no_id_token", "its answer has no ID token", [:]),
        ]
        for (endpoint, key, reason, arguments) in cases {
            let failure = UpstreamSignInFailure.tokenEndpoint(endpoint)
            #expect(failure.problem.key == key && failure.problem.arguments == arguments, "\(endpoint)")
            #expect(failure.message == "The provider could not be reached or refused the code: \(reason).")
            #expect(failure.problem.english == failure.message)
            #expect(failure.logReason == "token endpoint: \(reason)")
        }
    }

    @Test func theUnavailableProviderKeepsItsKeyAndEnglish() {
        let reason = Message("signin_settings.problem.keys_document", "its signing keys are not a JWKS document")
        let failure = UpstreamSignInFailure.unavailable(reason)
        #expect(failure.problem.key == "signin_settings.problem.unavailable" && failure.problem.nested == ["reason": reason])
        #expect(failure.message == "The provider is not available right now: its signing keys are not a JWKS document.")
        #expect(failure.logReason == "unavailable: its signing keys are not a JWKS document")
    }

    @Test func everySAMLRefusalHasAKeyAndKeepsItsEnglish() {
        let cases: [(Message, String, String)] = [
            (SAMLRefusal.untrusted, "saml.untrusted", "The answer from your school's sign-in service could not be trusted."),
            (
                SAMLRefusal.unsolicited, "saml.refusal.unsolicited",
                "Start the sign-in from this site's sign-in page: answers we did not ask for are refused."
            ),
            (SAMLRefusal.otherRequest, "saml.refusal.other_request", "This answer belongs to another sign-in. Start again."),
            (
                SAMLRefusal.encryptedNameID, "saml.refusal.encrypted_name_id",
                "Your school's sign-in service sent an encrypted NameID: ask it to send a plain one."
            ),
            (
                SAMLRefusal.transientNameID, "saml.refusal.transient_name_id",
                "Your school's sign-in service sent a one-time (transient) NameID: ask it for a persistent one or an email address."
            ),
            (SAMLRefusal.expired, "saml.refusal.expired", "This sign-in answer has expired. Start again."),
            (SAMLRefusal.notYetValid, "saml.refusal.not_yet_valid", "This sign-in answer is not valid yet: check the clocks, then start again."),
            (
                SAMLRefusal.providerStatus("Responder / AuthnFailed", statusMessage: nil), "saml.refusal.status",
                "Your school's sign-in service did not sign you in (Responder / AuthnFailed)."
            ),
            (
                SAMLRefusal.providerStatus("Responder", statusMessage: "Locked out"), "saml.refusal.status_message",
                "Your school's sign-in service did not sign you in (Responder): Locked out."
            ),
        ]
        for (message, key, english) in cases {
            #expect(message.key == key && message.english == english, "\(key)")
        }
        #expect(Set(cases.map(\.1)).count == cases.count)
        let refusal = SAMLRefusal("the assertion has no Subject")
        #expect(refusal.problem == SAMLRefusal.untrusted && refusal.message == SAMLRefusal.untrusted.english)
        #expect(refusal.logReason == "the assertion has no Subject")
        #expect(
            SAMLRefusal.providerStatus("Responder", statusMessage: "Locked out").arguments == ["status": "Responder", "message": "Locked out"])
    }
}
