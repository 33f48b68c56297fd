/// One endpoint of CatalystWells' OneRoster 1.2 REST service: a collection or one object by `sourcedId`, as the
/// router registers it and the OpenAPI document describes it.
public struct OneRosterEndpoint: Sendable {
    /// The service a path belongs to.
    public enum Service: String, Sendable {
        case rostering, gradebook

        /// The path prefix (REST binding §3.2).
        public var prefix: String { "/ims/oneroster/\(rawValue)/v1p2" }
        /// The scopes that open it, any one of them.
        public var scopes: [String] { self == .rostering ? OneRosterAccess.rosteringScopes : OneRosterAccess.gradebookScopes }
    }

    /// The parent of a nested collection (`/schools/{id}/classes`): the kind and subsets it must be found in (a
    /// parent the app may not see is 404), and the subset of the collection it makes.
    public struct Parent: Sendable {
        /// The parent's kind.
        public let entity: OneRosterEntity
        /// Where the parent must be found (a student is a user of role student).
        public let subsets: [OneRosterSubset]
        /// The collection's subset for the parent's `sourcedId`.
        public let nest: @Sendable (String) -> OneRosterSubset
    }

    /// The service.
    public let service: Service
    /// The path under the service's prefix, `{id}` marking the `sourcedId`.
    public let path: String
    /// The objects served.
    public let entity: OneRosterEntity
    /// `false` for a collection, `true` for one object (`/users/{id}`).
    public let isObject: Bool
    /// Subsets every answer is narrowed to (`/students` is users of role student).
    public let subsets: [OneRosterSubset]
    /// The parent, for a nested collection.
    public let parent: Parent?
    /// The OpenAPI operation id (also the data-access log's operation).
    public let operationID: String
    /// `GET`, or `PUT` for the gradebook's writes.
    public var method = "GET"

    /// The scopes that open it, any one of them: the service's for reads, gradebook.createput for writes.
    public var scopes: [String] { method == "PUT" ? [OneRosterAccess.gradebookCreatePut] : service.scopes }

    /// The full path.
    public var fullPath: String { service.prefix + path }
}

/// The endpoints, in the order the OpenAPI document lists them.
public enum OneRosterAPI {
    /// Every endpoint.
    public static let endpoints: [OneRosterEndpoint] = {
        var all: [OneRosterEndpoint] = []
        func both(_ service: OneRosterEndpoint.Service, _ name: String, _ entity: OneRosterEntity, _ subsets: [OneRosterSubset] = [], id: String) {
            all.append(
                OneRosterEndpoint(
                    service: service, path: "/\(name)", entity: entity, isObject: false, subsets: subsets, parent: nil,
                    operationID: "getAll\(id == "Class" ? "Classes" : id + "s")"))
            all.append(
                OneRosterEndpoint(
                    service: service, path: "/\(name)/{id}", entity: entity, isObject: true, subsets: subsets, parent: nil, operationID: "get\(id)"))
        }
        func nested(
            _ service: OneRosterEndpoint.Service, _ path: String, _ entity: OneRosterEntity, _ subsets: [OneRosterSubset], parent: OneRosterEntity,
            _ parentSubsets: [OneRosterSubset], _ nest: @escaping @Sendable (String) -> OneRosterSubset, id: String
        ) {
            all.append(
                OneRosterEndpoint(
                    service: service, path: path, entity: entity, isObject: false, subsets: subsets,
                    parent: .init(entity: parent, subsets: parentSubsets, nest: nest), operationID: id))
        }
        both(.rostering, "orgs", .org, id: "Org")
        both(.rostering, "schools", .org, id: "School")
        both(.rostering, "academicSessions", .academicSession, id: "AcademicSession")
        both(.rostering, "terms", .academicSession, [.sessionType("term")], id: "Term")
        both(.rostering, "gradingPeriods", .academicSession, [.sessionType("gradingPeriod")], id: "GradingPeriod")
        both(.rostering, "courses", .course, id: "Course")
        both(.rostering, "classes", .class, id: "Class")
        both(.rostering, "users", .user, id: "User")
        both(.rostering, "students", .user, [.role("student")], id: "Student")
        both(.rostering, "teachers", .user, [.role("teacher")], id: "Teacher")
        both(.rostering, "enrollments", .enrollment, id: "Enrollment")
        let school: @Sendable (String) -> OneRosterSubset = { .school($0) }
        nested(.rostering, "/schools/{id}/courses", .course, [], parent: .org, [], school, id: "getCoursesForSchool")
        nested(.rostering, "/schools/{id}/classes", .class, [], parent: .org, [], school, id: "getClassesForSchool")
        nested(.rostering, "/schools/{id}/terms", .academicSession, [.sessionType("term")], parent: .org, [], school, id: "getTermsForSchool")
        nested(.rostering, "/schools/{id}/enrollments", .enrollment, [], parent: .org, [], school, id: "getEnrollmentsForSchool")
        nested(.rostering, "/schools/{id}/students", .user, [.role("student")], parent: .org, [], school, id: "getStudentsForSchool")
        nested(.rostering, "/schools/{id}/teachers", .user, [.role("teacher")], parent: .org, [], school, id: "getTeachersForSchool")
        nested(.rostering, "/courses/{id}/classes", .class, [], parent: .course, [], { .course($0) }, id: "getClassesForCourse")
        nested(.rostering, "/classes/{id}/students", .user, [.role("student")], parent: .class, [], { .inClass($0) }, id: "getStudentsForClass")
        nested(.rostering, "/classes/{id}/teachers", .user, [.role("teacher")], parent: .class, [], { .inClass($0) }, id: "getTeachersForClass")
        nested(.rostering, "/students/{id}/classes", .class, [], parent: .user, [.role("student")], { .classesOf($0) }, id: "getClassesForStudent")
        nested(.rostering, "/teachers/{id}/classes", .class, [], parent: .user, [.role("teacher")], { .classesOf($0) }, id: "getClassesForTeacher")
        nested(.rostering, "/users/{id}/classes", .class, [], parent: .user, [], { .classesOf($0) }, id: "getClassesForUser")
        both(.gradebook, "lineItems", .lineItem, id: "LineItem")
        both(.gradebook, "results", .result, id: "Result")
        nested(.gradebook, "/classes/{id}/lineItems", .lineItem, [], parent: .class, [], { .inClass($0) }, id: "getLineItemsForClass")
        nested(.gradebook, "/classes/{id}/results", .result, [], parent: .class, [], { .inClass($0) }, id: "getResultsForClass")
        for (name, entity, id) in [("lineItems", OneRosterEntity.lineItem, "putLineItem"), ("results", .result, "putResult")] {
            var put = OneRosterEndpoint(
                service: .gradebook, path: "/\(name)/{id}", entity: entity, isObject: true, subsets: [], parent: nil, operationID: id)
            put.method = "PUT"
            all.append(put)
        }
        return all
    }()
}
