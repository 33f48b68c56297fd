import Domain
import Foundation

/// The people endpoints of the education API: `/me`, `/students/{id}…`, `/parents/me/children`, `/schools/{id}`.
enum StudentAPI {
    static func me(_ call: inout APICall) throws -> JSONValue {
        let user = try call.user
        call.concerns([user.id])
        var members: [(String, JSONValue)] = [
            ("id", .int(Int(user.id.rawValue))), ("role", .string(user.role.rawValue)), ("given_name", .string(user.givenName)),
            ("family_name", .string(user.familyName)), ("username", .optional(user.username)),
            ("school_id", user.schoolID.map { .int(Int($0.rawValue)) } ?? .null),
        ]
        if call.caller.scopes.contains("profile.email") { members.append(("email", .optional(user.email))) }
        return .object(members)
    }

    /// The student of the `{id}` segment, once the caller's user may see them (``SchoolAccess/mayViewStudent(_:_:)``);
    /// otherwise 404. Records the student as the call's data subject.
    static func visibleStudent(_ call: inout APICall) throws -> StudentRelationship {
        let user = try call.user
        let student: UserID = try call.id()
        guard let facts = try call.context.services.schoolwork.students.relationship(of: user, toStudent: student),
            SchoolAccess.mayViewStudent(user, facts)
        else { throw APIFailure.notFound }
        call.concerns([student])
        call.school = facts.schoolID
        return facts
    }

    /// A list about the student, from the worker's cache while their record version is unchanged. The answer
    /// is the same for everyone allowed to ask (checked just before), so it is keyed by student and page only.
    private static func cachedList(
        _ call: APICall, _ facts: StudentRelationship, page: String, build: () throws -> JSONValue
    ) throws -> JSONValue {
        try call.context.services.api.listCache.value(
            for: APIListKey(student: facts.studentID, operation: call.endpoint.operation, page: page), version: facts.recordVersion
        ) { .preserialized(try build().serialized()) }
    }

    /// The page parameters as a cache key.
    private static func pageKey(_ page: APIPage, _ extra: String = "") -> String {
        "\(page.limit)|\(page.after?.token ?? "")|\(extra)"
    }

    static func student(_ call: inout APICall) throws -> JSONValue {
        let id = try visibleStudent(&call).studentID
        guard let person = try call.context.services.schoolwork.students.student(id) else { throw APIFailure.notFound }
        return APIJSON.person(person)
    }

    /// A page of a list about the student of the `{id}` segment, once the caller may see them: `fetch` gets the
    /// student and returns up to `page.limit + 1` rows (through the worker's cache).
    private static func studentList<Row>(
        _ call: inout APICall, _ page: APIPage, list: String, filters: String = "", fetch: (UserID) throws -> [Row],
        keys: (Row) -> [Int64], item: (Row) -> JSONValue
    ) throws -> JSONValue {
        let facts = try visibleStudent(&call)
        return try cachedList(call, facts, page: pageKey(page, filters)) {
            APIJSON.page(try fetch(facts.studentID), page, list: list, keys: keys, item: item)
        }
    }

    static func classes(_ call: inout APICall) throws -> JSONValue {
        let page = try call.page(list: "classes")
        let store = call.context.services.api.store
        return try studentList(
            &call, page, list: "classes",
            fetch: { try store.classes(ofStudent: $0, after: page.after.map { ClassID($0.keys[0]) }, limit: page.limit + 1) },
            keys: { [$0.id.rawValue] }, item: APIJSON.classSummary)
    }

    static func grades(_ call: inout APICall) throws -> JSONValue {
        let page = try call.page(list: "grades")
        let store = call.context.services.api.store
        return try studentList(
            &call, page, list: "grades",
            fetch: { try store.publishedGrades(ofStudent: $0, before: page.after.map { AssessmentID($0.keys[0]) }, limit: page.limit + 1) },
            keys: { [$0.assessmentID.rawValue] }, item: APIJSON.grade)
    }

    static func attendance(_ call: inout APICall) throws -> JSONValue {
        var errors: [String: String] = [:]
        func day(_ name: String) -> CalendarDate? {
            guard let text = call.request.query[name] else { return nil }
            guard let day = CalendarDate(text) else {
                errors[name] = "Use a real day written as YYYY-MM-DD."
                return nil
            }
            return day
        }
        let from = day("from")
        let to = day("to")
        if let from, let to, from > to { errors["to"] = "The last day must not be before the first day (from)." }
        let page: APIPage
        do {
            page = try call.page(list: "attendance", keyCount: 2)
        } catch {
            errors.merge(error.fields) { first, _ in first }
            throw APIFailure.invalid(errors)
        }
        if !errors.isEmpty { throw APIFailure.invalid(errors) }
        let before = try page.after.map { cursor throws(APIFailure) -> (day: CalendarDate, classID: ClassID) in
            guard let day = CalendarDate(dayNumber: cursor.keys[0]) else {
                throw APIFailure.invalid(["cursor": "This cursor is not valid for this list; use next_cursor of the previous page."])
            }
            return (day, ClassID(cursor.keys[1]))
        }
        let store = call.context.services.api.store
        return try studentList(
            &call, page, list: "attendance", filters: "\(from?.description ?? "")|\(to?.description ?? "")",
            fetch: { try store.attendance(ofStudent: $0, from: from, to: to, before: before, limit: page.limit + 1) },
            keys: { [$0.day.dayNumber, $0.classID.rawValue] }, item: APIJSON.attendance)
    }

    static func children(_ call: inout APICall) throws -> JSONValue {
        let page = try call.page(list: "children")
        let user = try call.user
        let rows = try call.context.services.api.store.children(
            ofParent: user.id, after: page.after.map { UserID($0.keys[0]) }, limit: page.limit + 1)
        call.concerns(rows.prefix(page.limit).map(\.id))
        return APIJSON.page(rows, page, list: "children", keys: { [$0.id.rawValue] }, item: APIJSON.person)
    }

    /// A user reads their own school; an app-level token (public information, `school.read`) any school.
    static func school(_ call: inout APICall) throws -> JSONValue {
        let school: SchoolID = try call.id()
        if let user = call.caller.user, user.schoolID != school { throw APIFailure.notFound }
        guard let info = try call.context.services.schoolwork.directory.school(school) else { throw APIFailure.notFound }
        call.school = school
        return .object([("id", .int(Int(school.rawValue))), ("name", .string(info.name))])
    }
}

extension CalendarDate {
    /// The day as the number `YYYYMMDD`, for cursors.
    var dayNumber: Int64 { Int64(year * 10_000 + month * 100 + day) }

    /// The day of a `YYYYMMDD` number; `nil` for an impossible day.
    init?(dayNumber: Int64) {
        guard dayNumber > 0, dayNumber < 100_000_000 else { return nil }
        let text = String(dayNumber)
        guard text.count == 8 else { return nil }
        self.init("\(text.prefix(4))-\(text.dropFirst(4).prefix(2))-\(text.suffix(2))")
    }
}
