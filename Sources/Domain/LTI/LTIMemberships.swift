import Foundation

/// A member of a class as Names and Role Provisioning Services 2.0 lists it (§2.2).
public struct LTIMember: Sendable, Equatable {
    /// The person.
    public var user: UserID
    /// Their enrolment role (`.teacher` or `.student`).
    public var role: Role
    /// Given name.
    public var givenName: String
    /// Family name.
    public var familyName: String

    /// A member.
    public init(user: UserID, role: Role, givenName: String, familyName: String) {
        self.user = user
        self.role = role
        self.givenName = givenName
        self.familyName = familyName
    }
}

/// A class in which a tool is placed, as the NRPS context (and the launch's `context` claim) describes it.
public struct LTIContext: Sendable, Equatable {
    /// The class.
    public var classID: ClassID
    /// Its school.
    public var schoolID: SchoolID
    /// Its code, if any.
    public var classCode: String?
    /// Its title.
    public var title: String

    /// A context.
    public init(classID: ClassID, schoolID: SchoolID, classCode: String?, title: String) {
        self.classID = classID
        self.schoolID = schoolID
        self.classCode = classCode
        self.title = title
    }

    /// The `context` object of LTI Core §5.4.1 and NRPS §2.2: id, label (the code, or the title), title.
    public var json: JSONValue {
        .object([
            ("id", .string(String(classID.rawValue))), ("label", .string(classCode ?? title)), ("title", .string(title)),
            ("type", .array([.string(LTIClaims.courseSection)])),
        ])
    }
}

/// The rules of the NRPS context memberships endpoint (NRPS 2.0 §2; issue 19 item 2, slice 4).
public enum LTIMembershipRules {
    /// The media type of the answer (NRPS 2.0 §2.2).
    public static let mediaType = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"

    /// The memberships URL of a class, as the launch's NRPS claim and the endpoint name it.
    public static func url(base: String, classID: ClassID) -> String { base + "/api/lti/contexts/\(classID.rawValue)/memberships" }

    /// Whether the school lends the tool the memberships scope: allowed (or undecided), and, when the school limits
    /// the app's scopes, the limit includes it.
    public static func schoolLends(_ policy: SchoolAppPolicy?) -> Bool {
        let policy = policy ?? .default
        return policy.allowsAuthorization && (policy.scopeLimit?.contains(LTIScopes.contextMembershipRead) ?? true)
    }

    /// The membership container: `id` (the URL called), `context`, and each member with `status`, `user_id` (the
    /// person's `sub` for the tool, as its launches name them), `roles` and, when `names` is true, the names.
    public static func container(
        url: String, context: LTIContext, members: [LTIMember], names: Bool, subject: (UserID) -> String
    ) -> JSONValue {
        let entries = members.map { member -> JSONValue in
            var fields: [(String, JSONValue)] = [
                ("status", .string("Active")), ("user_id", .string(subject(member.user))),
                ("roles", .array(LTIClaims.roles(of: member.role).map(JSONValue.string))),
            ]
            if names {
                fields += [
                    ("name", .string("\(member.givenName) \(member.familyName)")), ("given_name", .string(member.givenName)),
                    ("family_name", .string(member.familyName)),
                ]
            }
            return .object(fields)
        }
        return .object([("id", .string(url)), ("context", context.json), ("members", .array(entries))])
    }
}

/// A `role` filter of the memberships endpoint (NRPS 2.0 §2.4.1): an LTI Core Appendix A.2.3 context role, as its full
/// URI (`http://purl.imsglobal.org/vocab/lis/v2/membership#Learner`, or a sub-role such as `…/membership/Instructor#
/// TeachingAssistant`) or its short name (`Learner`).
public struct LTIRoleFilter: Sendable, Equatable {
    /// The prefix of the context role URIs.
    public static let membershipPrefix = "http://purl.imsglobal.org/vocab/lis/v2/membership"
    /// The context roles of LTI Core Appendix A.2.3.
    public static let contextRoles: Set<String> = [
        "Administrator", "ContentDeveloper", "Instructor", "Learner", "Mentor", "Manager", "Member", "Officer",
    ]

    /// The full URI the filter matches, as ``LTIClaims/roles(of:)`` writes it.
    public var uri: String

    /// The filter `value` names; `nil` when it is neither a context role URI nor a context role's short name (a 400).
    /// A context role no member holds (`Mentor`, a sub-role) is a filter with no match: the answer is empty. Case is
    /// ignored, as some clients (pylti1p3) lower-case the whole `Link` header before following its `next` URL.
    public init?(_ value: String) {
        guard value.utf8.count <= 200 else { return nil }
        let lowered = value.lowercased()
        let canonical = Dictionary(uniqueKeysWithValues: Self.contextRoles.map { ($0.lowercased(), $0) })
        if let role = canonical[lowered] {
            uri = Self.membershipPrefix + "#" + role
        } else if lowered.hasPrefix(Self.membershipPrefix + "#") {
            guard let role = canonical[String(lowered.dropFirst(Self.membershipPrefix.count + 1))] else { return nil }
            uri = Self.membershipPrefix + "#" + role
        } else if lowered.hasPrefix(Self.membershipPrefix + "/") {
            // A sub-role, `…/membership/{Role}#{SubRole}`: valid, and held by no one here.
            let rest = lowered.dropFirst(Self.membershipPrefix.count + 1).split(separator: "#", omittingEmptySubsequences: false)
            guard rest.count == 2, let role = canonical[String(rest[0])], !rest[1].isEmpty,
                rest[1].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
            else { return nil }
            uri = Self.membershipPrefix + "/" + role + "#" + rest[1]
        } else {
            return nil
        }
    }

    /// Whether a member holds the role.
    public func matches(_ member: LTIMember) -> Bool { LTIClaims.roles(of: member.role).contains(uri) }
}

/// The query of one memberships call (NRPS 2.0 §2.4): `limit` (default and most ``maximumLimit``; more is lowered to
/// it), `page` (1-based, the page number the `next` link carries), `role` and `rlid`.
public struct LTIMembershipQuery: Sendable, Equatable {
    /// The default and largest `limit`.
    public static let maximumLimit = 1000

    /// The page asked for.
    public var page: LTIPage
    /// The role filter, if any.
    public var role: LTIRoleFilter?
    /// The resource link filter, if any.
    public var resourceLinkID: String?

    /// A query.
    public init(page: LTIPage, role: LTIRoleFilter? = nil, resourceLinkID: String? = nil) {
        self.page = page
        self.role = role
        self.resourceLinkID = resourceLinkID
    }

    /// The query the parameters name, or why they are refused (each reason a 400 `invalid_request`).
    public static func parse(limit: String?, page: String?, role: String?, rlid: String?) -> Result<LTIMembershipQuery, LTIServiceFailure> {
        var size = maximumLimit
        if let limit {
            guard limit.utf8.count <= 9, limit.allSatisfy(\.isASCII), let value = Int(limit), value > 0 else {
                return .failure(.invalid("limit must be a positive integer."))
            }
            size = min(value, maximumLimit)
        }
        var number = 1
        if let page {
            guard page.utf8.count <= 6, page.allSatisfy(\.isASCII), let value = Int(page), value > 0 else {
                return .failure(.invalid("page must be a positive integer (follow the Link header's rel=\"next\")."))
            }
            number = value
        }
        var filter: LTIRoleFilter?
        if let role {
            guard let parsed = LTIRoleFilter(role) else {
                return .failure(.invalid("role must be an LTI context role: a membership role URI, or a short name such as Learner."))
            }
            filter = parsed
        }
        if let rlid, rlid.isEmpty || rlid.utf8.count > 255 {
            return .failure(.invalid("rlid must be a resource link id of this context."))
        }
        return .success(LTIMembershipQuery(page: LTIPage(offset: (number - 1) * size, limit: size), role: filter, resourceLinkID: rlid))
    }

    /// The members of this page (of `members` filtered by role), and whether a next page exists.
    public func select(_ members: [LTIMember]) -> (members: [LTIMember], more: Bool) {
        let kept = role.map { filter in members.filter(filter.matches) } ?? members
        guard page.offset < kept.count else { return ([], false) }
        let end = min(kept.count, page.offset + page.limit)
        return (Array(kept[page.offset..<end]), end < kept.count)
    }

    /// The `next` link: `url` with this query's parameters, in order, and `page` set to the next page.
    public func nextURL(base url: String, parameters: [(name: String, value: String)]) -> String {
        var pairs = parameters.filter { $0.name != "page" }.map { FormCodec.encode($0.name) + "=" + FormCodec.encode($0.value) }
        pairs.append("page=\(page.nextPageNumber)")
        return url + "?" + pairs.joined(separator: "&")
    }
}
