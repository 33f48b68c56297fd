import Foundation

/// A narrowing of a collection: the subset a path names (`/students`, `/terms`) or the parent of a nested
/// collection (`/schools/{id}/classes`, `/classes/{id}/students`), by the parent's `sourcedId`.
public enum OneRosterSubset: Sendable, Equatable {
    /// Users whose role is this OneRoster role (`student`, `teacher`).
    case role(String)
    /// Academic sessions of this type (`term`, `gradingPeriod`).
    case sessionType(String)
    /// Objects of the school with this sourcedId.
    case school(String)
    /// Classes of the course with this sourcedId.
    case course(String)
    /// Users with an active enrolment in the class with this sourcedId; line items and results of that class.
    case inClass(String)
    /// Classes in which the user with this sourcedId has an active enrolment.
    case classesOf(String)
}

/// A list call as the store runs it: the collection, its parameters, the schools the token may read and the
/// narrowings, all applied in the statement (never to rows in memory).
public struct OneRosterListRequest: Sendable, Equatable {
    /// The kind of object.
    public let entity: OneRosterEntity
    /// Paging, sort and filter.
    public let query: OneRosterListQuery
    /// The schools whose objects may be returned; empty returns nothing.
    public let schools: [SchoolID]
    /// Further narrowings.
    public let subsets: [OneRosterSubset]

    /// A request.
    public init(entity: OneRosterEntity, query: OneRosterListQuery, schools: [SchoolID], subsets: [OneRosterSubset] = []) {
        self.entity = entity
        self.query = query
        self.schools = schools
        self.subsets = subsets
    }
}

/// One OneRoster object as the store read it. `values` holds the scalar fields by their wire names (days as
/// `YYYY-MM-DD`; absent when NULL) and the `sourcedId`s of referenced objects by the reference's name (`org`,
/// `course`, `school`, `class`, `user`, `lineItem`, `student`); `lists` the multi-valued references (`terms`, `agents`).
public struct OneRosterRecord: Sendable, Equatable {
    /// The object's identifier.
    public let sourcedID: String
    /// When it last changed.
    public let modified: Date?
    /// Its school.
    public let schoolID: SchoolID
    /// The person whose data it is (a user, an enrolment's or a result's user), for the data-access log.
    public let personID: UserID?
    /// Scalar fields and single references.
    public let values: [String: String]
    /// Multi-valued references.
    public let lists: [String: [String]]

    /// A record.
    public init(
        sourcedID: String, modified: Date?, schoolID: SchoolID, personID: UserID?, values: [String: String], lists: [String: [String]] = [:]
    ) {
        self.sourcedID = sourcedID
        self.modified = modified
        self.schoolID = schoolID
        self.personID = personID
        self.values = values
        self.lists = lists
    }
}

/// OneRoster's reads over the roster and gradebook (CatalystWells' own tables; no copy is kept).
public protocol OneRosterStore {
    /// Every school with its decision about `client` (``SchoolAppPolicyStore/policy(school:client:)``'s answer:
    /// `nil` when it made none, `.blocked` when it requires an agreement the app lacks), by school id. Empty when the
    /// client does not exist.
    func schoolPolicies(client: ClientID) throws -> [(school: SchoolID, policy: SchoolAppPolicy?)]
    /// The page the request asks for and how many objects match in all (for `X-Total-Count`). Filtering,
    /// sorting (then by `sourcedId` and the row's key, so pages are stable) and paging happen in SQL.
    func list(_ request: OneRosterListRequest) throws -> (total: Int, records: [OneRosterRecord])
    /// The object of `entity` with this `sourcedId` in one of `schools` and every subset; the one of the lowest school
    /// id when several schools use the same `sourcedId`; `nil` when there is none.
    func object(_ entity: OneRosterEntity, sourcedID: String, schools: [SchoolID], subsets: [OneRosterSubset]) throws -> OneRosterRecord?
    /// In one transaction: creates or replaces `client`'s line item as an assessment of the class (of the lowest-id
    /// school among `schools` using that class sourcedId), created by the class's first active teacher, a draft or
    /// published as that school chose (``AppResultsPublication``; a replaced line item keeps its state).
    /// `.notFound` for an unknown class; `.refused` when the class has no teacher, the id is the app's line item of
    /// another class, or a held score is above the new maximum. Nothing is written unless it succeeds.
    func putLineItem(_ item: OneRosterLineItemPut, client: ClientID, schools: [SchoolID], now: Date) throws -> OneRosterPutOutcome
    /// In one transaction: creates or replaces `client`'s result as the grade of the student for the app's line item
    /// (saved as the line item's teacher saves grades: the assessment's average and count, the students' record
    /// versions). `.notFound` for a line item of the app not in `schools`, or a student who is not actively enrolled
    /// in its class; `.refused` for a score above the maximum or an id the app used for another result.
    func putResult(_ result: OneRosterResultPut, client: ClientID, schools: [SchoolID], now: Date) throws -> OneRosterPutOutcome
}
