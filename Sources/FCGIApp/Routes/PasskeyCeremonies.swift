import Crypto
import Domain
import Foundation

/// The HTTP side of passkeys, shared by the app site (school users, ``PasskeyRoutes``) and the developer portal
/// (developers, ``PortalPasskeyRoutes``): the options a browser asks for, the sealed ceremony cookie between the
/// options and the answer (its challenge answered once), and the checks of an answer (``PasskeyRegistration`` and
/// ``PasskeyAssertion`` decide) up to the stored key. What a site does with a verified passkey stays with it.
struct PasskeyCeremonies<Owner: PasskeyOwnerKind> {
    let store: any PasskeyStore<Owner>
    /// The site's relying party, from the configuration (never from request headers).
    let party: PasskeyRelyingParty
    /// The ceremony cookie of the site.
    let cookie: String
    /// Seals that cookie.
    let key: SymmetricKey
    let now: Date

    /// Creation options for `owner` (ES256 and RS256, attestation "none", a discoverable credential, their existing
    /// passkeys excluded) with the ceremony cookie.
    func registrationOptions(for owner: RecordID<Owner>, name: String, displayName: String, requireVerification: Bool) throws
        -> HTTPResponse
    {
        var generator = SystemRandomNumberGenerator()
        let handle = try store.userHandle(of: owner) { (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        let ceremony = PasskeyCeremony.startRegistration(for: Owner.passkeyAccount(owner), now: now, using: &generator)
        let options: JSONValue = [
            "challenge": .string(ceremony.challengeBase64URL),
            "rp": ["id": .string(party.id), "name": "CatalystWells"],
            "user": ["id": .string(SecretToken.base64URL(handle)), "name": .string(name), "displayName": .string(displayName)],
            "pubKeyCredParams": .array(PasskeyPublicKey.coseAlgorithms.map { ["type": "public-key", "alg": .int(Int($0))] }),
            "timeout": .int(Int(PasskeyCeremony.lifetime * 1000)),
            "attestation": "none",
            "excludeCredentials": .array(
                try store.credentialIDs(of: owner).map { ["type": "public-key", "id": .string(SecretToken.base64URL($0))] }),
            "authenticatorSelection": [
                "residentKey": "required", "requireResidentKey": true,
                "userVerification": .string(requireVerification ? "required" : "preferred"),
            ],
        ]
        return try withCeremony(.json(options), ceremony)
    }

    /// Request options for a sign-in by whoever's discoverable passkey answers, with the ceremony cookie.
    func signInOptions() throws -> HTTPResponse {
        var generator = SystemRandomNumberGenerator()
        let ceremony = PasskeyCeremony.startSignIn(for: nil, now: now, using: &generator)
        let options: JSONValue = [
            "challenge": .string(ceremony.challengeBase64URL), "rpId": .string(party.id),
            "timeout": .int(Int(PasskeyCeremony.lifetime * 1000)), "userVerification": "preferred", "allowCredentials": .array([]),
        ]
        return try withCeremony(.json(options), ceremony)
    }

    /// `response` with the sealed ceremony cookie; throws when the ceremony cannot be sealed, since options without
    /// their cookie could never be answered.
    private func withCeremony(_ response: HTTPResponse, _ ceremony: PasskeyCeremony) throws -> HTTPResponse {
        var generator = SystemRandomNumberGenerator()
        var response = response
        response.headers.set("Cache-Control", "no-store")
        let sealed = try ceremony.sealed(key: key, using: &generator)
        response.headers.add("Set-Cookie", SessionCookie.set(cookie, sealed, maxAge: Int(PasskeyCeremony.lifetime)))
        return response
    }

    /// The browser's ceremony for `purpose`, if its cookie opens and its challenge was not answered before (recorded
    /// now, so a replayed cookie counts once).
    func open(_ request: HTTPRequest, purpose: PasskeyCeremony.Purpose) throws -> PasskeyCeremony? {
        guard let ceremony = PasskeyCeremony.open(request.cookies[cookie], key: key, now: now), ceremony.purpose == purpose,
            try store.consumeChallenge(ceremony.replayKey, expiresAt: ceremony.expiresAt.addingTimeInterval(120))
        else { return nil }
        return ceremony
    }

    /// Why an answer is refused, in words for the page and for the log.
    struct Refusal: Error {
        let message: String
        let reason: String
        /// The owner the answer named, when it got that far (for the audit).
        var owner: RecordID<Owner>?
    }

    /// A registration form's answer verified and stored for `owner`; `requireVerification` for staff. Throws
    /// ``Refusal`` for an answer that does not pass.
    func register(_ form: Parameters, request: HTTPRequest, owner: RecordID<Owner>, requireVerification: Bool) throws -> RegisteredPasskey {
        guard let ceremony = try open(request, purpose: .registration), ceremony.account == Owner.passkeyAccount(owner) else {
            throw Refusal(message: L("passkeys.expired"), reason: "no ceremony")
        }
        guard let attestation = form["attestationObject"].flatMap(Base64URL.decode), let clientData = form["clientDataJSON"].flatMap(Base64URL.decode)
        else { throw Refusal(message: L("passkeys.unreadable"), reason: "malformed form") }
        let verified: RegisteredPasskey
        switch PasskeyRegistration.verify(
            attestationObject: attestation, clientDataJSON: clientData, ceremony: ceremony, relyingParty: party,
            requireUserVerification: requireVerification)
        {
        case .success(let passkey): verified = passkey
        case .failure(let refusal): throw Refusal(message: refusal.message, reason: refusal.logReason)
        }
        let name = (form["name"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard try store.addPasskey(verified, owner: owner, name: name.isEmpty ? "Passkey" : name, now: now) else {
            throw Refusal(message: L("passkeys.duplicate"), reason: "duplicate credential")
        }
        return verified
    }

    /// A sign-in form's answer verified against the stored key, its counter recorded (throws ``Refusal`` otherwise). `verification(owner)` says
    /// whether the owner must have verified themselves to the authenticator, or `nil` when the owner may not sign in
    /// at all (inactive, suspended: refused as an unknown passkey).
    func signIn(_ form: Parameters, request: HTTPRequest, verification: (RecordID<Owner>) throws -> Bool?) throws -> (
        owner: RecordID<Owner>, assertion: VerifiedPasskeyAssertion
    ) {
        guard let ceremony = try open(request, purpose: .signIn) else {
            throw Refusal(message: L("passkeys.expired"), reason: "no ceremony")
        }
        guard let credentialID = form["credentialId"].flatMap(Base64URL.decode),
            let authenticatorData = form["authenticatorData"].flatMap(Base64URL.decode),
            let clientData = form["clientDataJSON"].flatMap(Base64URL.decode), let signature = form["signature"].flatMap(Base64URL.decode),
            !credentialID.isEmpty, credentialID.count <= 1023
        else { throw Refusal(message: L("passkeys.unreadable"), reason: "malformed form") }
        let userHandle = form["userHandle"].flatMap { $0.isEmpty ? nil : Base64URL.decode($0) }
        guard let found = try store.passkey(credentialID: credentialID) else {
            throw Refusal(message: L("passkeys.unknown"), reason: "unknown credential")
        }
        guard let requireVerification = try verification(found.owner) else {
            throw Refusal(message: L("passkeys.unknown"), reason: "owner inactive")
        }
        switch PasskeyAssertion.verify(
            authenticatorData: authenticatorData, clientDataJSON: clientData, signature: signature, userHandle: userHandle,
            credential: found.stored, ceremony: ceremony, relyingParty: party, requireUserVerification: requireVerification)
        {
        case .failure(let refusal):
            throw Refusal(message: refusal.message, reason: refusal.logReason, owner: found.owner)
        case .success(let verified):
            guard try store.recordUse(of: found.id, signCount: verified.signCount, backedUp: verified.backedUp, now: now) else {
                throw Refusal(
                    message: L("passkeys.counter"), reason: "counter raced", owner: found.owner)
            }
            return (found.owner, verified)
        }
    }
}

extension PasskeyRelyingParty {
    /// The relying party of a site whose public URL (from the configuration) is `url`: its host and origin.
    static func site(url: String) -> PasskeyRelyingParty {
        var origin = url
        while origin.hasSuffix("/") { origin.removeLast() }
        return PasskeyRelyingParty(id: URLComponents(string: origin)?.host ?? "localhost", origins: [origin])
    }
}
