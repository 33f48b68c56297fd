import Foundation

/// The id_token of an LTI 1.3 launch (LTI Core 1.3 §5, 1EdTech Security Framework 1.0 §5.1.2): the OIDC claims plus
/// the LTI claims for one person opening one placement of a tool in one class. Services' endpoint claims are present
/// only when the tool was granted their scopes, so a tool never learns of a service it cannot call.
public struct LTILaunchClaims: Sendable, Equatable {
    /// `iss`: the app site's URL, as in discovery.
    public var issuer: String
    /// `aud` and `azp`: the tool's client id.
    public var audience: ClientID
    /// `sub`: the person's subject for this tool (as its OIDC ID tokens name them).
    public var subject: String
    /// `nonce` from the tool's authentication request.
    public var nonce: String
    /// `iat`.
    public var issuedAt: Date
    /// `exp`.
    public var expiresAt: Date
    /// The message.
    public var messageType: LTIMessageType
    /// The school's deployment of the tool.
    public var deploymentID: String
    /// Where the tool should take the person.
    public var targetLinkURI: String
    /// The placement (resource link launches only): id and title.
    public var resourceLink: (id: String, title: String)?
    /// The person's role in the class.
    public var role: Role
    /// The class: id, label (its code) and title.
    public var context: (id: String, label: String, title: String)
    /// The person's names, sent when the tool may see them: given, family, full.
    public var names: (given: String, family: String, full: String)?
    /// NRPS: the context memberships URL, when the tool holds the memberships scope.
    public var membershipsURL: String?
    /// AGS: the scopes the tool holds and the class's line items URL, when it holds any AGS scope.
    public var gradeService: (scopes: [String], lineItemsURL: String)?
    /// AGS: the placement's default line item URL (the claim's `lineitem`), when there is one and the claim is sent.
    public var defaultLineItemURL: String?
    /// Deep Linking 2.0 §4.4.1 settings (deep-linking launches only): where to return and the opaque `data`.
    public var deepLinkingReturnURL: String?
    /// The `data` value the tool must echo in its deep-linking response.
    public var deepLinkingData: String?
    /// The placement's custom parameters (resource link launches of a Deep Linking content item).
    public var custom: [String: String] = [:]

    /// How long a launch token lives: the tool checks it at once, in the same browser round trip.
    public static let lifetime: TimeInterval = 300

    /// Claims for a launch; `exp` is `issuedAt` plus ``lifetime``.
    public init(
        issuer: String, audience: ClientID, subject: String, nonce: String, issuedAt: Date, messageType: LTIMessageType, deploymentID: String,
        targetLinkURI: String, role: Role, context: (id: String, label: String, title: String)
    ) {
        self.issuer = issuer
        self.audience = audience
        self.subject = subject
        self.nonce = nonce
        self.issuedAt = issuedAt
        self.expiresAt = issuedAt.addingTimeInterval(Self.lifetime)
        self.messageType = messageType
        self.deploymentID = deploymentID
        self.targetLinkURI = targetLinkURI
        self.role = role
        self.context = context
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.json == rhs.json }

    /// The claims as compact JSON in a fixed order.
    public var json: String {
        var members: [(String, JSONValue)] = [
            ("iss", .string(issuer)), ("sub", .string(subject)), ("aud", .string(audience.rawValue)), ("azp", .string(audience.rawValue)),
            ("exp", .int(Self.numericDate(expiresAt))), ("iat", .int(Self.numericDate(issuedAt))), ("nonce", .string(nonce)),
        ]
        if let names {
            members += [("given_name", .string(names.given)), ("family_name", .string(names.family)), ("name", .string(names.full))]
        }
        members += [
            (LTIClaims.messageType, .string(messageType.rawValue)), (LTIClaims.version, .string(LTIClaims.versionValue)),
            (LTIClaims.deploymentID, .string(deploymentID)), (LTIClaims.targetLinkURI, .string(targetLinkURI)),
            (LTIClaims.roles, .array(LTIClaims.roles(of: role).map(JSONValue.string))),
            (
                LTIClaims.context,
                .object([
                    ("id", .string(context.id)), ("label", .string(context.label)), ("title", .string(context.title)),
                    ("type", .array([.string(LTIClaims.courseSection)])),
                ])
            ),
        ]
        if let resourceLink {
            members.append((LTIClaims.resourceLink, .object([("id", .string(resourceLink.id)), ("title", .string(resourceLink.title))])))
        }
        if !custom.isEmpty {
            members.append((LTIClaims.custom, .object(custom.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) })))
        }
        if let membershipsURL {
            members.append(
                (
                    LTIClaims.namesRoleService,
                    .object([("context_memberships_url", .string(membershipsURL)), ("service_versions", .array(["2.0"]))])
                ))
        }
        if let gradeService {
            members.append(
                (
                    LTIClaims.gradeServiceEndpoint,
                    .object(
                        [("scope", .array(gradeService.scopes.map(JSONValue.string))), ("lineitems", .string(gradeService.lineItemsURL))]
                            + (defaultLineItemURL.map { [("lineitem", JSONValue.string($0))] } ?? []))
                ))
        }
        if messageType == .deepLinking, let deepLinkingReturnURL {
            var settings: [(String, JSONValue)] = [
                ("deep_link_return_url", .string(deepLinkingReturnURL)), ("accept_types", .array(["ltiResourceLink"])),
                ("accept_presentation_document_targets", .array(["iframe", "window"])), ("accept_multiple", .bool(true)),
            ]
            if let deepLinkingData { settings.append(("data", .string(deepLinkingData))) }
            members.append((LTIClaims.deepLinkingSettings, .object(settings)))
        }
        return JSONValue.object(members).text
    }

    /// The signed launch token: a compact JWS with header `alg`, `kid`, `typ=JWT`, under the platform's current key.
    public func signed(with key: SigningKey) throws -> String {
        try JWS.compact(payload: json, key: key)
    }

    private static func numericDate(_ date: Date) -> Int {
        Int(date.timeIntervalSince1970.rounded(.down))
    }
}
