import Foundation

/// A tool a teacher may place in a class: an active LTI tool the class's school does not block.
public struct LTIPlaceableTool: Sendable, Equatable {
    /// The tool's client id.
    public var clientID: ClientID
    /// The app's name.
    public var name: String
    /// Whether it registered a Deep Linking URL (a teacher may add content from it).
    public var supportsDeepLinking: Bool

    /// A tool.
    public init(clientID: ClientID, name: String, supportsDeepLinking: Bool = false) {
        self.clientID = clientID
        self.name = name
        self.supportsDeepLinking = supportsDeepLinking
    }
}

/// A placement of a tool in a class (an LTI resource link, LTI Core 1.3 §3.2): what the class page lists and a
/// launch opens.
public struct LTIResourceLink: Sendable, Equatable {
    /// The opaque, stable `resource_link.id` the tool sees (random, never the row's number).
    public var linkID: String
    /// The class it is placed in.
    public var classID: ClassID
    /// The tool.
    public var clientID: ClientID
    /// The tool's name.
    public var toolName: String
    /// The title the teacher gave it (or the Deep Linking content item's title).
    public var title: String
    /// The content item's `url` (Deep Linking 2.0 §3.1): the launch's `target_link_uri` instead of the tool's default;
    /// `nil` for a placement made on the class page.
    public var targetLinkURI: String?
    /// The content item's `custom` parameters, sent in the launch's `custom` claim (LTI Core 1.3 §5.4.6).
    public var custom: [String: String]

    /// A placement.
    public init(
        linkID: String, classID: ClassID, clientID: ClientID, toolName: String, title: String, targetLinkURI: String? = nil,
        custom: [String: String] = [:]
    ) {
        self.linkID = linkID
        self.classID = classID
        self.clientID = clientID
        self.toolName = toolName
        self.title = title
        self.targetLinkURI = targetLinkURI
        self.custom = custom
    }

    /// The stored form of ``custom``: form-encoded pairs in name order; `nil` when there are none.
    public var customColumn: String? {
        guard !custom.isEmpty else { return nil }
        return custom.sorted { $0.key < $1.key }.map { FormCodec.encode($0.key) + "=" + FormCodec.encode($0.value) }.joined(separator: "&")
    }

    /// ``custom`` read back from ``customColumn`` (empty for `nil` or an unreadable column).
    public static func custom(column: String?) -> [String: String] {
        guard let column, let pairs = try? FormCodec.parsePairs(Substring(column), what: "LTI custom parameters") else { return [:] }
        return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
    }
}

/// Everything a launch of one placement needs, loaded in one read.
public struct LTILaunchTarget: Sendable, Equatable {
    /// The placement.
    public var link: LTIResourceLink
    /// The class's school (whose app policy decides, and whose deployment the launch names).
    public var schoolID: SchoolID
    /// The class's code (the context `label`), if it has one.
    public var classCode: String?
    /// The class's title.
    public var classTitle: String
    /// The (tool, school) deployment's opaque id (`lti_deployment_id`).
    public var deploymentID: String
    /// The tool's registration.
    public var settings: LTIToolSettings

    /// A target.
    public init(
        link: LTIResourceLink, schoolID: SchoolID, classCode: String?, classTitle: String, deploymentID: String, settings: LTIToolSettings
    ) {
        self.link = link
        self.schoolID = schoolID
        self.classCode = classCode
        self.classTitle = classTitle
        self.deploymentID = deploymentID
        self.settings = settings
    }
}

/// Placements, deployments and pending launches (main 0052).
public protocol LTIStore {
    /// The active LTI tools, by name, that `school` has not blocked by an explicit policy (a school that requires
    /// agreements is checked by the caller through ``SchoolAppPolicyStore``).
    func placeableTools(school: SchoolID) throws -> [LTIPlaceableTool]
    /// Places `tool` in `classID`, creating the (tool, school) deployment with `deploymentID` when it has none
    /// (one transaction). `nil` when the tool is not an active LTI tool or the class does not exist.
    func place(
        tool: ClientID, in classID: ClassID, school: SchoolID, title: String, linkID: String, deploymentID: String, by user: UserID, now: Date
    ) throws -> LTIResourceLink?
    /// Removes a placement of `classID` (and its pending launches); `false` when the class has no such placement.
    func removeLink(_ linkID: String, in classID: ClassID) throws -> Bool
    /// The placements of active tools in the classes, by title.
    func links(in classes: [ClassID]) throws -> [LTIResourceLink]
    /// A placement with what its launch needs; `nil` when unknown or its tool is no longer an active LTI tool.
    func launchTarget(linkID: String) throws -> LTILaunchTarget?
    /// `user`'s active enrolment role in the class (`.teacher` or `.student`), or `nil`.
    func enrolment(of user: UserID, in classID: ClassID) throws -> Role?
    /// Records a pending launch under the digest of its `lti_message_hint`.
    func createLaunch(digest: [UInt8], _ launch: LTIPendingLaunch) throws
    /// The pending launch stored under `digest`, used or not; `nil` when there is none.
    func launch(digest: [UInt8]) throws -> LTIPendingLaunch?
    /// Marks the launch used if it is still unused and unexpired at `now`: `true` exactly once per hint (a single
    /// conditional update, so two racing requests cannot both spend it).
    func spendLaunch(digest: [UInt8], now: Date) throws -> Bool
    /// The launch redirect URIs of an active LTI tool, or `nil` when `client` is none.
    func redirectURIs(of client: ClientID) throws -> [String]?
    /// The class as a context of `tool`, when the tool (active) is placed in it; `nil` otherwise.
    func placedContext(tool: ClientID, classID: ClassID) throws -> LTIContext?
    /// The class's active members (active accounts, active enrolments), teachers first, by family and given name.
    func members(of classID: ClassID) throws -> [LTIMember]

    // Deep Linking 2.0 (main 0054).

    /// Records a Deep Linking request of `tool` (an active tool with a Deep Linking URL) for `classID` of `school`, under
    /// the digests of its `lti_message_hint` and its `data`, creating the (tool, school) deployment with `deploymentID`
    /// when it has none (one transaction). The request as stored, or `nil` when the tool or the class does not qualify.
    func startDeepLinking(
        tool: ClientID, in classID: ClassID, school: SchoolID, teacher: UserID, loginHint: String, hintDigest: [UInt8], dataDigest: [UInt8],
        deploymentID: String, expiresAt: Date, now: Date
    ) throws -> LTIDeepLinkingRequest?
    /// The request whose hint digest is `digest`, spent or not; `nil` when there is none or its tool is no longer active.
    func deepLinkingRequest(hintDigest digest: [UInt8]) throws -> LTIDeepLinkingRequest?
    /// The request whose `data` digest is `digest`, answered or not; `nil` when there is none or its tool is no longer
    /// active.
    func deepLinkingRequest(dataDigest digest: [UInt8]) throws -> LTIDeepLinkingRequest?
    /// Marks the hint used if it is still unused and unexpired at `now`: `true` exactly once (one conditional update).
    func spendDeepLinkingHint(digest: [UInt8], now: Date) throws -> Bool
    /// Accepts the response to the request under `dataDigest` and places `links` (their `linkID`, title, url, custom)
    /// in its class under its deployment, created by its teacher, in one transaction: `nil`, and nothing written, when
    /// the request was answered already, its hint never spent, or it expired at `now` (a conditional update decides,
    /// so of two racing responses one wins).
    func completeDeepLinking(dataDigest: [UInt8], links: [LTIResourceLink], now: Date) throws -> [LTIResourceLink]?
}

/// The rules of placing and starting a launch (issue 19 item 2, slice 2).
public enum LTIPlacementRules {
    /// The longest placement title.
    public static let maximumTitleLength = 255
    /// Prefixes of the random values, so a leaked one says what it is.
    public static let linkPrefix = "rl_"
    /// Deployment ids: one per (tool, school).
    public static let deploymentPrefix = "dep_"
    /// `lti_message_hint` values.
    public static let hintPrefix = "cw_lti_"

    /// The title to store: the trimmed input, or the tool's name when empty; `nil` when too long.
    public static func title(_ input: String, toolName: String) -> String? {
        let trimmed = input.trimmingWhitespace()
        if trimmed.isEmpty { return String(toolName.prefix(maximumTitleLength)) }
        return trimmed.count <= maximumTitleLength ? trimmed : nil
    }

    /// Why a person may not start a launch.
    public enum Refusal: String, Error, Sendable, Equatable {
        /// The person is not an active member of the class.
        case notInClass = "not_in_class"
        /// The class's school blocks the tool.
        case blocked = "blocked"
    }

    /// Whether `user` (whose enrolment in the placement's class is `enrolment`) may launch it under the school's
    /// `policy` (`nil`: the school has not decided, which allows). The person's role in the launch is the enrolment's.
    public static func mayLaunch(_ user: UserAccount, enrolment: Role?, schoolID: SchoolID, policy: SchoolAppPolicy?) -> Result<Role, Refusal> {
        guard let enrolment, user.schoolID == schoolID else { return .failure(.notInClass) }
        guard (policy ?? .default).allowsAuthorization else { return .failure(.blocked) }
        return .success(enrolment)
    }
}
