import Foundation

/// Which signatures a school's SAML provider must put on its answers.
public enum SAMLSigningRequirement: String, Sendable, Equatable, CaseIterable {
    /// The assertion signed, or the response signed (with its one assertion inside): the default, what ADFS,
    /// Shibboleth and SimpleSAMLphp all do in one configuration or another.
    case either
    /// The assertion itself signed (whatever the response carries).
    case assertion
    /// The response signed.
    case response
    /// Both.
    case both

    /// How the settings page names it.
    public var summary: String {
        switch self {
        case .either: "assertion or response signed"
        case .assertion: "assertion signed"
        case .response: "response signed"
        case .both: "response and assertion signed"
        }
    }
}

/// What a response must match: our side of the exchange and the request it answers.
public struct SAMLResponseExpectations: Sendable {
    /// Our entity id, the one `Audience` that must be named.
    public let serviceProviderEntityID: String
    /// Our assertion consumer service URL: `Destination` and `Recipient`.
    public let assertionConsumerURL: String
    /// The identity provider's entity id: every `Issuer`.
    public let identityProviderEntityID: String
    /// The `ID` of our `AuthnRequest`: `InResponseTo`.
    public let requestID: String
    public let signing: SAMLSigningRequirement
    public let now: Date
    /// The clock skew allowed on every time window.
    public let skew: TimeInterval

    /// The skew used unless a test asks for another.
    public static let defaultSkew: TimeInterval = 120

    public init(
        serviceProviderEntityID: String, assertionConsumerURL: String, identityProviderEntityID: String, requestID: String,
        signing: SAMLSigningRequirement, now: Date, skew: TimeInterval = defaultSkew
    ) {
        self.serviceProviderEntityID = serviceProviderEntityID
        self.assertionConsumerURL = assertionConsumerURL
        self.identityProviderEntityID = identityProviderEntityID
        self.requestID = requestID
        self.signing = signing
        self.now = now
        self.skew = skew
    }
}

/// A person as a SAML assertion vouches for them, after every rule passed.
public struct SAMLAssertedIdentity: Sendable, Equatable {
    /// The identity as the linking rules read it: `subject` is the `NameID`, the claims are the attributes.
    public let identity: UpstreamIdentityValue
    /// The assertion's `ID`, for the replay cache.
    public let assertionID: String
    /// Until when the assertion could be presented (the latest of its time limits, skew added): how long the replay
    /// cache must remember it.
    public let presentableUntil: Date
}

/// ``UpstreamIdentity`` is not `Equatable` (its claims are); this twin makes the rules' results comparable in tests.
public struct UpstreamIdentityValue: Sendable, Equatable {
    public let subject: String
    public let email: String?
    public let emailVerified: Bool
    public let claims: JSONValue

    public init(subject: String, email: String?, emailVerified: Bool, claims: JSONValue) {
        self.subject = subject
        self.email = email
        self.emailVerified = emailVerified
        self.claims = claims
    }

    /// The identity the linking rules take.
    public var upstreamIdentity: UpstreamIdentity {
        UpstreamIdentity(subject: subject, email: email, emailVerified: emailVerified, claims: claims)
    }
}

/// Why a SAML response was refused: what the person is told (keyed, `saml.refusal.*`; a rule broken by the answer
/// itself is ``untrusted`` (`saml.untrusted`, as an unverifiable signature), its detail only in the log), and the log line's reason.
public struct SAMLRefusal: Error, Sendable, Equatable {
    public let logReason: String
    /// What the page says.
    public let problem: Message
    /// What the page says, in English (logs, tests).
    public var message: String { problem.english }

    public init(_ logReason: String, problem: Message = Self.untrusted) {
        self.logReason = logReason
        self.problem = problem
    }

    /// The answer broke a rule of the profile (its detail is the log's).
    public static let untrusted = Message("saml.untrusted", "The answer from your school's sign-in service could not be trusted.")
    /// There was no request for this answer.
    public static let unsolicited = Message(
        "saml.refusal.unsolicited", "Start the sign-in from this site's sign-in page: answers we did not ask for are refused.")
    /// The answer is for another browser's request.
    public static let otherRequest = Message("saml.refusal.other_request", "This answer belongs to another sign-in. Start again.")
    /// The NameID is encrypted.
    public static let encryptedNameID = Message(
        "saml.refusal.encrypted_name_id", "Your school's sign-in service sent an encrypted NameID: ask it to send a plain one.")
    /// The NameID is transient.
    public static let transientNameID = Message(
        "saml.refusal.transient_name_id",
        "Your school's sign-in service sent a one-time (transient) NameID: ask it for a persistent one or an email address.")
    /// The answer (or its subject confirmation) has expired.
    public static let expired = Message("saml.refusal.expired", "This sign-in answer has expired. Start again.")
    /// The answer is not valid yet.
    public static let notYetValid = Message(
        "saml.refusal.not_yet_valid", "This sign-in answer is not valid yet: check the clocks, then start again.")

    /// The provider did not sign the person in: its status codes (`status`, without the SAML prefix) and its
    /// `StatusMessage`, if any, as it sent them.
    public static func providerStatus(_ status: String, statusMessage: String?) -> Message {
        guard let statusMessage else {
            return Message("saml.refusal.status", "Your school's sign-in service did not sign you in (\(status)).", ["status": status])
        }
        return Message(
            "saml.refusal.status_message", "Your school's sign-in service did not sign you in (\(status)): \(statusMessage).",
            ["status": status, "message": statusMessage])
    }
}

/// The checks of a SAML 2.0 Web Browser SSO response at a service provider (saml-profiles-2.0-os §4.1.4.2-3,
/// saml-core-2.0-os §2-3, saml-bindings-2.0-os §3.5.5.2), on a ``SAMLVerifiedResponse``, in this order:
/// 1. the response: version 2.0, `Status` Success (otherwise the provider's own status is reported), a
///    `Destination` equal to our ACS URL, `InResponseTo` equal to our request's `ID` (no unsolicited responses), an
///    `Issuer`, if any, equal to the provider's entity id;
/// 2. signatures as the provider's ``SAMLSigningRequirement`` says, each with allowed algorithms only (``SAMLAlgorithms``);
/// 3. the assertion: version 2.0, an `ID`, the provider's `Issuer`;
/// 4. its subject: a plain `NameID` (not encrypted, not transient, printable ASCII of at most 255 characters, no
///    comment inside it) and a bearer `SubjectConfirmationData` with our ACS as `Recipient`, our request as
///    `InResponseTo` and a `NotOnOrAfter` not passed (and a `NotBefore`, if any, reached);
/// 5. its `Conditions`: `NotBefore`/`NotOnOrAfter` (required) around now within the skew, and at least one
///    `AudienceRestriction`, each naming our entity id;
/// 6. an `AuthnStatement` whose `SessionNotOnOrAfter`, if any, has not passed.
/// Every value read comes from ``SAMLVerifiedResponse/response`` or ``SAMLVerifiedResponse/assertion``, which the
/// XML layer guarantees are the elements the signatures covered. The replay cache is the caller's (by
/// ``SAMLAssertedIdentity/assertionID``).
public enum SAMLResponseRules {
    /// The identity the response vouches for, or the first rule it breaks.
    public static func check(_ verified: SAMLVerifiedResponse, expecting: SAMLResponseExpectations) -> Result<SAMLAssertedIdentity, SAMLRefusal> {
        do {
            try checkResponse(verified.response, expecting)
            try checkSignatures(verified, expecting.signing)
            guard let assertion = verified.assertion else { throw SAMLRefusal("no assertion in a successful response") }
            let assertionID = try checkAssertion(assertion, expecting)
            let (nameID, format, confirmedUntil) = try checkSubject(assertion, expecting)
            let conditionsUntil = try checkConditions(assertion, expecting)
            try checkAuthnStatement(assertion, expecting)
            let identity = identity(nameID: nameID, format: format, assertion: assertion)
            return .success(
                SAMLAssertedIdentity(
                    identity: identity, assertionID: assertionID,
                    presentableUntil: max(confirmedUntil, conditionsUntil).addingTimeInterval(expecting.skew)))
        } catch let refusal as SAMLRefusal {
            return .failure(refusal)
        } catch {
            return .failure(SAMLRefusal("unexpected: \(error)"))
        }
    }

    // MARK: 1. The response

    static func checkResponse(_ response: SAMLElement, _ expecting: SAMLResponseExpectations) throws {
        guard response.is(SAMLNamespace.samlProtocol, "Response") else { throw SAMLRefusal("the document is not a samlp:Response") }
        guard response.attributes["Version"] == "2.0" else { throw SAMLRefusal("response version is not 2.0") }
        guard let status = response.child(SAMLNamespace.samlProtocol, "Status"), let code = status.child(SAMLNamespace.samlProtocol, "StatusCode"),
            let value = code.attributes["Value"]
        else { throw SAMLRefusal("the response has no status") }
        guard value == SAMLNamespace.statusSuccess else {
            let second = code.child(SAMLNamespace.samlProtocol, "StatusCode")?.attributes["Value"].map { " / " + $0 } ?? ""
            let message = status.child(SAMLNamespace.samlProtocol, "StatusMessage")?.value.map { String($0.prefix(200)) }
            let short = String((value + second).replacingOccurrences(of: "urn:oasis:names:tc:SAML:2.0:status:", with: "").prefix(200))
            throw SAMLRefusal("status \(short)", problem: SAMLRefusal.providerStatus(short, statusMessage: message))
        }
        guard let destination = response.attributes["Destination"] else { throw SAMLRefusal("the response names no Destination") }
        guard destination == expecting.assertionConsumerURL else {
            throw SAMLRefusal("Destination \(destination.prefix(200)) is not our ACS URL")
        }
        guard let inResponseTo = response.attributes["InResponseTo"] else {
            throw SAMLRefusal(
                "unsolicited response (no InResponseTo)",
                problem: SAMLRefusal.unsolicited)
        }
        guard inResponseTo == expecting.requestID else {
            throw SAMLRefusal("InResponseTo does not name this browser's request", problem: SAMLRefusal.otherRequest)
        }
        if let issuer = response.child(SAMLNamespace.assertion, "Issuer") {
            try checkIssuer(issuer, expecting, of: "response")
        } else if !response.children(SAMLNamespace.assertion, "Issuer").isEmpty {
            throw SAMLRefusal("the response has several Issuers")
        }
    }

    static func checkIssuer(_ issuer: SAMLElement, _ expecting: SAMLResponseExpectations, of what: String) throws {
        if let format = issuer.attributes["Format"], format != SAMLNamespace.entityFormat { throw SAMLRefusal("the \(what) Issuer is not an entity") }
        guard issuer.value == expecting.identityProviderEntityID else {
            throw SAMLRefusal("the \(what) Issuer \(String((issuer.value ?? "(split)").prefix(200))) is not the provider's entity id")
        }
    }

    // MARK: 2. Signatures

    static func checkSignatures(_ verified: SAMLVerifiedResponse, _ requirement: SAMLSigningRequirement) throws {
        let response = verified.responseSignature != nil
        let assertion = verified.assertionSignature != nil
        let met: Bool =
            switch requirement {
            case .either: response || assertion
            case .assertion: assertion
            case .response: response
            case .both: response && assertion
            }
        guard met else { throw SAMLRefusal("not signed as required (\(requirement.summary))") }
        for facts in [verified.responseSignature, verified.assertionSignature].compactMap({ $0 }) {
            try checkAlgorithms(facts)
        }
    }

    /// RSA or ECDSA with SHA-256 or better, SHA-256 or better digests, known canonicalisations, no other transform.
    public static func checkAlgorithms(_ facts: SAMLSignatureFacts) throws(SAMLRefusal) {
        guard SAMLAlgorithms.signatureMethods.contains(facts.signatureMethod) else {
            throw SAMLRefusal("signature method \(facts.signatureMethod.prefix(120)) is not allowed")
        }
        guard SAMLAlgorithms.canonicalizations.contains(facts.canonicalization) else {
            throw SAMLRefusal("canonicalization \(facts.canonicalization.prefix(120)) is not allowed")
        }
        guard !facts.digestMethods.isEmpty, facts.digestMethods.allSatisfy({ SAMLAlgorithms.digestMethods.contains($0) }) else {
            throw SAMLRefusal("digest method \(facts.digestMethods.joined(separator: " ").prefix(120)) is not allowed")
        }
        for transform in facts.transforms
        where transform != SAMLAlgorithms.envelopedSignature && !SAMLAlgorithms.canonicalizations.contains(transform) {
            throw SAMLRefusal("transform \(transform.prefix(120)) is not allowed")
        }
    }

    // MARK: 3. The assertion

    static func checkAssertion(_ assertion: SAMLElement, _ expecting: SAMLResponseExpectations) throws -> String {
        guard assertion.is(SAMLNamespace.assertion, "Assertion") else { throw SAMLRefusal("the assertion is not a saml:Assertion") }
        guard assertion.attributes["Version"] == "2.0" else { throw SAMLRefusal("assertion version is not 2.0") }
        guard let id = assertion.attributes["ID"], (1...256).contains(id.utf8.count) else { throw SAMLRefusal("the assertion has no usable ID") }
        guard let issuer = assertion.child(SAMLNamespace.assertion, "Issuer") else { throw SAMLRefusal("the assertion has no Issuer") }
        try checkIssuer(issuer, expecting, of: "assertion")
        if let issued = assertion.attributes["IssueInstant"].flatMap(SAMLTime.parse), issued > expecting.now.addingTimeInterval(expecting.skew) {
            throw SAMLRefusal("the assertion was issued in the future")
        }
        return id
    }

    // MARK: 4. The subject

    static func checkSubject(_ assertion: SAMLElement, _ expecting: SAMLResponseExpectations) throws -> (String, String?, Date) {
        guard let subject = assertion.child(SAMLNamespace.assertion, "Subject") else { throw SAMLRefusal("the assertion has no Subject") }
        if subject.child(SAMLNamespace.assertion, "EncryptedID") != nil {
            throw SAMLRefusal(
                "encrypted NameIDs are not supported", problem: SAMLRefusal.encryptedNameID)
        }
        guard let nameIDElement = subject.child(SAMLNamespace.assertion, "NameID") else { throw SAMLRefusal("the subject has no NameID") }
        guard let nameID = nameIDElement.value else { throw SAMLRefusal("the NameID is split by a comment or markup") }
        let format = nameIDElement.attributes["Format"]
        guard format != SAMLNamespace.nameIDTransient else {
            throw SAMLRefusal(
                "transient NameID",
                problem: SAMLRefusal.transientNameID)
        }
        guard (1...255).contains(nameID.utf8.count), nameID.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw SAMLRefusal("the NameID is empty, too long or not printable ASCII")
        }
        var reasons: [String] = []
        for confirmation in subject.children(SAMLNamespace.assertion, "SubjectConfirmation") {
            guard confirmation.attributes["Method"] == SAMLNamespace.bearer else {
                reasons.append("not bearer")
                continue
            }
            guard let data = confirmation.child(SAMLNamespace.assertion, "SubjectConfirmationData") else {
                reasons.append("no SubjectConfirmationData")
                continue
            }
            guard data.attributes["Recipient"] == expecting.assertionConsumerURL else {
                reasons.append("Recipient is not our ACS URL")
                continue
            }
            guard data.attributes["InResponseTo"] == expecting.requestID else {
                reasons.append("InResponseTo is not our request")
                continue
            }
            guard let until = data.attributes["NotOnOrAfter"].flatMap(SAMLTime.parse) else {
                reasons.append("no NotOnOrAfter")
                continue
            }
            guard expecting.now < until.addingTimeInterval(expecting.skew) else {
                reasons.append("expired")
                continue
            }
            if let notBefore = data.attributes["NotBefore"] {
                guard let start = SAMLTime.parse(notBefore), expecting.now >= start.addingTimeInterval(-expecting.skew) else {
                    reasons.append("not yet valid")
                    continue
                }
            }
            return (nameID, format, until)
        }
        let why = reasons.isEmpty ? "none" : Array(Set(reasons)).sorted().joined(separator: ", ")
        if reasons.contains("expired") {
            throw SAMLRefusal("subject confirmation expired", problem: SAMLRefusal.expired)
        }
        throw SAMLRefusal("no bearer subject confirmation fits (\(why))")
    }

    // MARK: 5. Conditions

    static func checkConditions(_ assertion: SAMLElement, _ expecting: SAMLResponseExpectations) throws -> Date {
        guard let conditions = assertion.child(SAMLNamespace.assertion, "Conditions") else { throw SAMLRefusal("the assertion has no Conditions") }
        guard let notBefore = conditions.attributes["NotBefore"].flatMap(SAMLTime.parse),
            let notOnOrAfter = conditions.attributes["NotOnOrAfter"].flatMap(SAMLTime.parse)
        else { throw SAMLRefusal("the Conditions lack NotBefore or NotOnOrAfter") }
        guard expecting.now >= notBefore.addingTimeInterval(-expecting.skew) else {
            throw SAMLRefusal("the assertion is not valid yet", problem: SAMLRefusal.notYetValid)
        }
        guard expecting.now < notOnOrAfter.addingTimeInterval(expecting.skew) else {
            throw SAMLRefusal("the assertion has expired", problem: SAMLRefusal.expired)
        }
        let restrictions = conditions.children(SAMLNamespace.assertion, "AudienceRestriction")
        guard !restrictions.isEmpty else { throw SAMLRefusal("the assertion has no AudienceRestriction") }
        for restriction in restrictions {
            let audiences = restriction.children(SAMLNamespace.assertion, "Audience").compactMap(\.value)
            guard audiences.contains(expecting.serviceProviderEntityID) else {
                throw SAMLRefusal("the assertion is for another audience (\(audiences.joined(separator: " ").prefix(200)))")
            }
        }
        return notOnOrAfter
    }

    // MARK: 6. The authentication statement

    static func checkAuthnStatement(_ assertion: SAMLElement, _ expecting: SAMLResponseExpectations) throws {
        let statements = assertion.children(SAMLNamespace.assertion, "AuthnStatement")
        guard !statements.isEmpty else { throw SAMLRefusal("the assertion has no AuthnStatement") }
        for statement in statements {
            if let end = statement.attributes["SessionNotOnOrAfter"] {
                guard let date = SAMLTime.parse(end), expecting.now < date.addingTimeInterval(expecting.skew) else {
                    throw SAMLRefusal("the provider's session has ended")
                }
            }
        }
    }

    // MARK: The identity

    /// Attribute names that carry an email address (LDAP `mail`, its OID, ADFS's claim type).
    public static let emailAttributes = [
        "mail", "email", "urn:oid:0.9.2342.19200300.100.1.3", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
    ]

    /// The claims: every attribute by `Name` (and by `FriendlyName` when no other attribute has that name), a single
    /// value as a string, several as an array; `NameID` and `NameIDFormat` too. The email: the NameID when its
    /// format is emailAddress, else the first email attribute; the school's own provider vouches for it.
    static func identity(nameID: String, format: String?, assertion: SAMLElement) -> UpstreamIdentityValue {
        var claims: [String: JSONValue] = [:]
        var friendly: [String: JSONValue] = [:]
        for statement in assertion.children(SAMLNamespace.assertion, "AttributeStatement") {
            for attribute in statement.children(SAMLNamespace.assertion, "Attribute").prefix(200) {
                guard let name = attribute.attributes["Name"], (1...256).contains(name.utf8.count) else { continue }
                // A value split by a comment is left out: no half value is ever compared.
                let values = attribute.children(SAMLNamespace.assertion, "AttributeValue").prefix(50).compactMap(\.value).map {
                    String($0.prefix(1000))
                }
                guard !values.isEmpty else { continue }
                let value: JSONValue = values.count == 1 ? .string(values[0]) : .array(values.map { .string($0) })
                claims[name] = value
                if let short = attribute.attributes["FriendlyName"], (1...64).contains(short.utf8.count) { friendly[short] = value }
            }
        }
        for (name, value) in friendly where claims[name] == nil { claims[name] = value }
        claims["NameID"] = .string(nameID)
        if let format { claims["NameIDFormat"] = .string(format) }
        var email: String?
        if format == SAMLNamespace.nameIDEmail, nameID.contains("@") {
            email = nameID.lowercased()
        } else {
            email = emailAttributes.lazy.compactMap { claims[$0]?.stringValue }.first { $0.contains("@") && $0.utf8.count <= 254 }?.lowercased()
        }
        return UpstreamIdentityValue(
            subject: nameID, email: email, emailVerified: email != nil, claims: .object(claims.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }))
    }
}

/// SAML's `xs:dateTime` values (saml-core §1.3.3: UTC, `Z`, optional fractional seconds).
public enum SAMLTime {
    /// The date of `text`; `nil` unless it is a UTC `xs:dateTime`.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40, bytes.last == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, bytes[range].allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            return bytes[range].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        guard bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A,
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), (1...12).contains(month), (1...31).contains(day), hour < 24,
            minute < 60, second < 61
        else { return nil }
        var fraction = 0.0
        if bytes.count > 20 {
            guard bytes[19] == 0x2E, bytes.count > 21, let digits = number(20..<(bytes.count - 1)) else { return nil }
            fraction = Double(digits) / pow(10, Double(bytes.count - 21))
        } else if bytes[19] != UInt8(ascii: "Z") {
            return nil
        }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.hour = hour
        components.minute = minute
        components.second = second
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: components) else { return nil }
        return date.addingTimeInterval(fraction)
    }

    /// `date` as SAML writes it (whole seconds, UTC).
    public static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return "\(String(format: "%04d", c.year ?? 0))-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))Z"
    }
}
