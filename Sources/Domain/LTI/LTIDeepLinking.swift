import Crypto
import Foundation

/// A Deep Linking 2.0 request a teacher started from a class page ("Add content from <tool>"): what its
/// `lti_message_hint` (for the launch) and its `data` (for the tool's answer) refer to. Both values are random and
/// stored as digests; the hint is spent by the authentication request, the request by the one response it accepts.
public struct LTIDeepLinkingRequest: Sendable, Equatable {
    /// The tool.
    public var clientID: ClientID
    /// The tool's name.
    public var toolName: String
    /// The class the content is for.
    public var classID: ClassID
    /// The class's school.
    public var schoolID: SchoolID
    /// The class's code (the context `label`), if it has one.
    public var classCode: String?
    /// The class's title.
    public var classTitle: String
    /// The teacher who started it.
    public var teacher: UserID
    /// The `login_hint` of the login initiation (the teacher's `sub` for the tool).
    public var loginHint: String
    /// The (tool, school) deployment's `deployment_id`.
    public var deploymentID: String
    /// The tool's Deep Linking URL (the request's `target_link_uri`).
    public var deepLinkingURL: String
    /// The tool's login initiation URL.
    public var loginInitiationURL: String
    /// When the hint, and the request, stop being valid.
    public var expiresAt: Date
    /// Whether an authentication request spent the hint.
    public var hintUsed: Bool
    /// Whether a response was accepted for it.
    public var returned: Bool

    /// A request.
    public init(
        clientID: ClientID, toolName: String, classID: ClassID, schoolID: SchoolID, classCode: String?, classTitle: String, teacher: UserID,
        loginHint: String, deploymentID: String, deepLinkingURL: String, loginInitiationURL: String, expiresAt: Date, hintUsed: Bool = false,
        returned: Bool = false
    ) {
        self.clientID = clientID
        self.toolName = toolName
        self.classID = classID
        self.schoolID = schoolID
        self.classCode = classCode
        self.classTitle = classTitle
        self.teacher = teacher
        self.loginHint = loginHint
        self.deploymentID = deploymentID
        self.deepLinkingURL = deepLinkingURL
        self.loginInitiationURL = loginInitiationURL
        self.expiresAt = expiresAt
        self.hintUsed = hintUsed
        self.returned = returned
    }

    /// How long a teacher has to choose content in the tool and come back.
    public static let lifetime: TimeInterval = 900

    /// The request as the authentication request's rules see it (``LTIAuthenticationRules``).
    public var pendingLaunch: LTIPendingLaunch {
        LTIPendingLaunch(
            clientID: clientID, resourceLink: "", user: teacher, loginHint: loginHint, expiresAt: expiresAt, used: hintUsed,
            deepLinkingClass: classID)
    }
}

/// A content item of a Deep Linking response this platform places: an `ltiResourceLink` (Deep Linking 2.0 §3.1).
public struct LTIDeepLinkingItem: Sendable, Equatable {
    /// `title`, or the tool's name when the item has none.
    public var title: String
    /// `url`: the placement's launch address; `nil` for the tool's default target link URI.
    public var url: String?
    /// `custom`: string parameters sent back in the placement's launches.
    public var custom: [String: String]

    /// An item.
    public init(title: String, url: String?, custom: [String: String]) {
        self.title = title
        self.url = url
        self.custom = custom
    }
}

/// The rules of a Deep Linking response (1EdTech Deep Linking 2.0 §4.5, Security Framework 1.0 §5.2), posted by the
/// browser from the tool to the request's `deep_link_return_url` as the form field `JWT`, in order:
///
/// | # | rule | refusal |
/// |---|------|---------|
/// | 1 | a compact JWS whose `alg` is RS256, PS256 or ES256, with no `crit` header | `malformed` |
/// | 2 | the signature verifies with a key the tool registered for `private_key_jwt` (`kid` matched when named) | `bad_signature` |
/// | 3 | `iss` (and `azp`, when present) is the tool's client id | `wrong_issuer` |
/// | 4 | `aud` (string or array) contains the platform's issuer | `wrong_audience` |
/// | 5 | `exp` present and not past, at most ``maximumLifetime`` ahead; `iat` present, not in the future (30 s of skew) | `expired` |
/// | 6 | `message_type` `LtiDeepLinkingResponse`, `version` `1.3.0` | `wrong_message` |
/// | 7 | a `nonce` of 1–255 bytes (its single use is recorded by the caller after these rules) | `malformed` |
/// | 8 | `data` echoed: it names a request of this tool (``LTIDeepLinkingRequest``) | `unknown_request` |
/// | 9 | `deployment_id` is the request's deployment | `wrong_deployment` |
/// | 10 | the request's hint was spent by a launch, no response was accepted for it, and it has not expired | `request_spent`, `request_expired` |
/// | 11 | posted to the return URL of the request's class | `wrong_class` |
/// | 12 | the person signed in in this browser, if any, is the teacher who started it, and that teacher still teaches the class | `wrong_teacher` |
/// | 13 | `content_items` an array of at most ``maximumItems`` `ltiResourceLink` items, each with a title of at most 255 characters, an optional `url` that passes the redirect-URI rule, string `custom` values | `unsupported_type`, `bad_item` |
///
/// Any refusal writes nothing.
public enum LTIDeepLinkingRules {
    /// `lti_message_hint` values of Deep Linking requests (distinct from resource-link launch hints).
    public static let hintPrefix = "cw_ltidl_"
    /// `data` values.
    public static let dataPrefix = "cw_ltidd_"
    /// The one content item type placed.
    public static let resourceLinkType = "ltiResourceLink"
    /// The most items one response may place.
    public static let maximumItems = 20
    /// Longest time a response may still be valid for (pylti1p3 sends 10 minutes).
    public static let maximumLifetime: TimeInterval = 3600
    /// Clock difference tolerated between tool and platform.
    public static let clockSkew: TimeInterval = 30
    /// Longest `nonce`.
    public static let maximumNonceLength = 255
    /// Longest custom parameter name or value.
    public static let maximumCustomLength = 1000

    /// Why a response is refused (the error page words it in the person's language).
    public enum Reason: String, Sendable, Equatable, CaseIterable {
        /// Not a readable signed JWT, an algorithm not accepted, or a missing nonce.
        case malformed
        /// The signature does not verify with the tool's keys (or they are unavailable).
        case badSignature = "bad_signature"
        /// `iss` is not the tool.
        case wrongIssuer = "wrong_issuer"
        /// `aud` does not name this platform.
        case wrongAudience = "wrong_audience"
        /// The token expired, or its times are implausible.
        case expired
        /// Not a Deep Linking response of LTI 1.3.
        case wrongMessage = "wrong_message"
        /// `data` names no request of this tool.
        case unknownRequest = "unknown_request"
        /// `deployment_id` is not the request's.
        case wrongDeployment = "wrong_deployment"
        /// The request was already answered (a replay), or never launched.
        case requestSpent = "request_spent"
        /// The request is too old.
        case requestExpired = "request_expired"
        /// The response came back for another class.
        case wrongClass = "wrong_class"
        /// Another person is signed in, or the teacher no longer teaches the class.
        case wrongTeacher = "wrong_teacher"
        /// A content item of a type this platform does not place.
        case unsupportedType = "unsupported_type"
        /// A resource link item with a bad title, url or custom parameters, or too many items.
        case badItem = "bad_item"
    }

    /// A refusal: its reason and, for the page, what it concerns (the item type refused), and a detail for the log.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// Why.
        public let reason: Reason
        /// A value the page may show (the refused item type); empty otherwise.
        public let subject: String
        /// For the log only.
        public let detail: String
        /// A refusal.
        public init(_ reason: Reason, subject: String = "", detail: String = "") {
            self.reason = reason
            self.subject = subject
            self.detail = detail
        }
        public var description: String { "\(reason.rawValue): \(detail)" }
    }

    /// What the response is checked against.
    public struct Expectation: Sendable {
        /// The tool whose keys verify the signature: the unverified `iss` looked up (``peek(_:)``).
        public var clientID: ClientID
        /// The tool's keys; `nil` refuses (unregistered, or its `jwks_uri` unreachable).
        public var keys: ClientKeySet?
        /// The platform's issuer.
        public var issuer: String
        /// The request the echoed `data` names, if any.
        public var request: LTIDeepLinkingRequest?
        /// The class whose return URL received the response.
        public var returnClass: ClassID?
        /// The person signed in in the browser that posted it, if its cookie came along.
        public var signedIn: UserID?
        /// Whether the request's teacher still teaches its class (an active teacher enrolment).
        public var teacherStillTeaches: Bool
        /// Now.
        public var now: Date

        /// An expectation.
        public init(
            clientID: ClientID, keys: ClientKeySet?, issuer: String, request: LTIDeepLinkingRequest?, returnClass: ClassID?, signedIn: UserID?,
            teacherStillTeaches: Bool, now: Date
        ) {
            self.clientID = clientID
            self.keys = keys
            self.issuer = issuer
            self.request = request
            self.returnClass = returnClass
            self.signedIn = signedIn
            self.teacherStillTeaches = teacherStillTeaches
            self.now = now
        }
    }

    /// A response that passed every rule.
    public struct Accepted: Sendable, Equatable {
        /// The request it answers.
        public let request: LTIDeepLinkingRequest
        /// The items to place, in the response's order (possibly none: the teacher chose nothing).
        public let items: [LTIDeepLinkingItem]
        /// The replay cache's key of its nonce (``nonceDigest(clientID:nonce:)``).
        public let nonceDigest: [UInt8]
        /// Until when the nonce must be remembered.
        public let rememberUntil: Date
    }

    /// The unverified `iss` and `data` of a response, to find the tool's keys and the request before checking it;
    /// `nil` when it is not a readable JWT with both.
    public static func peek(_ jwt: String) -> (issuer: String, data: String)? {
        guard let jws = try? CompactJWS(jwt), let issuer = jws.payload[member: "iss"]?.stringValue,
            let data = jws.payload[member: LTIClaims.deepLinkingData]?.stringValue
        else { return nil }
        return (issuer, data)
    }

    /// Runs every rule.
    public static func check(_ jwt: String, _ expected: Expectation) -> Result<Accepted, Refusal> {
        // 1.
        let jws: CompactJWS
        do { jws = try CompactJWS(jwt) } catch { return .failure(Refusal(.malformed, detail: error.description)) }
        guard let algorithm = jws.algorithm, ClientKeySet.algorithms.contains(algorithm), jws.header[member: "crit"] == nil else {
            return .failure(Refusal(.malformed, detail: "alg \(jws.algorithm ?? "missing") or a crit header"))
        }
        // 2.
        guard let keys = expected.keys else { return .failure(Refusal(.badSignature, detail: "the tool's keys are not available")) }
        guard
            keys.candidates(kid: jws.keyID, algorithm: algorithm).contains(where: {
                $0.verifies(jws.signature, over: jws.signingInput, algorithm: algorithm)
            })
        else { return .failure(Refusal(.badSignature, detail: "no registered key verifies the signature (kid \(jws.keyID ?? "none"))")) }
        let claims = jws.payload
        // 3.
        guard claims[member: "iss"]?.stringValue == expected.clientID.rawValue,
            claims[member: "azp"].map({ $0.stringValue == expected.clientID.rawValue }) ?? true
        else { return .failure(Refusal(.wrongIssuer, detail: "iss or azp is not the tool's client id")) }
        // 4.
        let audiences: [String]
        switch claims[member: "aud"] {
        case .string(let one): audiences = [one]
        case .array(let many): audiences = many.compactMap(\.stringValue)
        default: audiences = []
        }
        guard audiences.contains(expected.issuer) else { return .failure(Refusal(.wrongAudience, detail: "aud \(audiences)")) }
        // 5.
        let now = expected.now.timeIntervalSince1970
        guard let exp = claims[member: "exp"]?.intValue, let iat = claims[member: "iat"]?.intValue else {
            return .failure(Refusal(.expired, detail: "exp or iat is missing"))
        }
        guard Double(exp) > now - clockSkew else { return .failure(Refusal(.expired, detail: "the response expired")) }
        guard Double(exp) <= now + maximumLifetime + clockSkew, Double(iat) <= now + clockSkew, Double(iat) > now - maximumLifetime else {
            return .failure(Refusal(.expired, detail: "exp or iat out of range"))
        }
        // 6.
        guard claims[member: LTIClaims.messageType]?.stringValue == LTIMessageType.deepLinkingResponse.rawValue,
            claims[member: LTIClaims.version]?.stringValue == LTIClaims.versionValue
        else { return .failure(Refusal(.wrongMessage, detail: "message_type or version")) }
        // 7.
        guard let nonce = claims[member: "nonce"]?.stringValue, !nonce.isEmpty, nonce.utf8.count <= maximumNonceLength else {
            return .failure(Refusal(.malformed, detail: "nonce missing or too long"))
        }
        // 8.
        guard let request = expected.request, request.clientID == expected.clientID,
            claims[member: LTIClaims.deepLinkingData]?.stringValue != nil
        else { return .failure(Refusal(.unknownRequest, detail: "data names no request of this tool")) }
        // 9.
        guard claims[member: LTIClaims.deploymentID]?.stringValue == request.deploymentID else {
            return .failure(Refusal(.wrongDeployment, detail: "deployment_id"))
        }
        // 10.
        guard request.hintUsed, !request.returned else { return .failure(Refusal(.requestSpent, detail: "answered before, or never launched")) }
        guard expected.now < request.expiresAt else { return .failure(Refusal(.requestExpired, detail: "request expired")) }
        // 11.
        guard expected.returnClass == request.classID else { return .failure(Refusal(.wrongClass, detail: "return URL of another class")) }
        // 12.
        guard expected.signedIn.map({ $0 == request.teacher }) ?? true, expected.teacherStillTeaches else {
            return .failure(Refusal(.wrongTeacher, detail: "another person signed in, or the teacher left the class"))
        }
        // 13.
        let items: [LTIDeepLinkingItem]
        switch self.items(claims[member: LTIClaims.contentItems], toolName: request.toolName) {
        case .success(let found): items = found
        case .failure(let refusal): return .failure(refusal)
        }
        return .success(
            Accepted(
                request: request, items: items, nonceDigest: nonceDigest(clientID: expected.clientID, nonce: nonce),
                rememberUntil: Date(timeIntervalSince1970: Double(exp) + clockSkew)))
    }

    /// Rule 13: the content items (absent means none).
    static func items(_ value: JSONValue?, toolName: String) -> Result<[LTIDeepLinkingItem], Refusal> {
        guard let value, value != .null else { return .success([]) }
        guard let elements = value.arrayValue else { return .failure(Refusal(.badItem, detail: "content_items is not an array")) }
        guard elements.count <= maximumItems else { return .failure(Refusal(.badItem, detail: "\(elements.count) items")) }
        var items: [LTIDeepLinkingItem] = []
        for element in elements {
            guard let type = element[member: "type"]?.stringValue else { return .failure(Refusal(.badItem, detail: "an item without a type")) }
            guard type == resourceLinkType else {
                return .failure(Refusal(.unsupportedType, subject: String(type.prefix(100)), detail: "item type \(type)"))
            }
            var title = element[member: "title"]?.stringValue?.trimmingWhitespace() ?? ""
            if title.isEmpty { title = String(toolName.prefix(LTIPlacementRules.maximumTitleLength)) }
            guard title.count <= LTIPlacementRules.maximumTitleLength else { return .failure(Refusal(.badItem, detail: "title too long")) }
            var url: String?
            // Absent and `null` mean the same (pylti1p3 writes `null` for what a tool did not set).
            if let given = element[member: "url"], given != .null {
                guard let text = given.stringValue, ApplicationForm.redirectURIProblem(text) == nil else {
                    return .failure(Refusal(.badItem, detail: "url not https (or http on loopback)"))
                }
                url = text
            }
            var custom: [String: String] = [:]
            if let given = element[member: "custom"], given != .null {
                guard case .object(let members) = given else { return .failure(Refusal(.badItem, detail: "custom is not an object")) }
                for (name, member) in members {
                    guard let text = member.stringValue, !name.isEmpty, name.utf8.count <= maximumCustomLength,
                        text.utf8.count <= maximumCustomLength
                    else { return .failure(Refusal(.badItem, detail: "custom \(name) is not a short string")) }
                    custom[name] = text
                }
            }
            items.append(LTIDeepLinkingItem(title: title, url: url, custom: custom))
        }
        return .success(items)
    }

    /// The replay cache's key of a response's nonce (``ClientAssertionUseStore``, shared with client assertions under
    /// a distinct label): SHA-256 of the label, the client id and the nonce.
    public static func nonceDigest(clientID: ClientID, nonce: String) -> [UInt8] {
        var input = Array("lti-deep-linking-nonce\u{0}".utf8)
        input += Array(clientID.rawValue.utf8) + [0] + Array(nonce.utf8)
        return Array(SHA256.hash(data: input))
    }

    /// The `data` of the request whose `lti_message_hint` is `hint`: derived from the hint (which only the browser
    /// round trip carries; its digest is stored), so neither value is stored and one cannot be had from the other's
    /// digest. The request is stored under ``SecretToken/digest(_:)`` of both.
    public static func data(forHint hint: String) -> String {
        dataPrefix + SecretToken.base64URL(Array(SHA256.hash(data: Array("lti-deep-linking-data\u{0}".utf8) + Array(hint.utf8))))
    }

    /// The return URL of a class's Deep Linking requests (`deep_link_return_url`).
    public static func returnURL(base: String, classID: ClassID) -> String {
        (base.hasSuffix("/") ? String(base.dropLast()) : base) + "/lti/deep-linking/\(classID)/return"
    }
}
