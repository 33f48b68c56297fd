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
