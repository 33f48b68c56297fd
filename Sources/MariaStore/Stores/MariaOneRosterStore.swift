import Domain
import Foundation

/// ``OneRosterStore`` over the roster and gradebook tables of the main database.
///
/// Each kind of object is one fixed join (``Shape``) whose columns are expressions under the OneRoster field
/// names; a list call adds the schools, the subsets and the filter as bound conditions, sorts by one field's
/// expression and pages with LIMIT/OFFSET. Field names reach the statement only through the shape's own constant
/// expressions (a filter names a field the Domain parser matched against the collection), values only as binds.
public struct MariaOneRosterStore: OneRosterStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func schoolPolicies(client: ClientID) throws -> [(school: SchoolID, policy: SchoolAppPolicy?)] {
        try database.query(
            """
            SELECT s.id, p.status AS policy_status, p.scope_limit, (a.require_agreement AND NOT c.first_party) AS requires_agreement
            FROM oauth_clients c JOIN schools s
            LEFT JOIN school_app_policies p ON p.school_id = s.id AND p.client_pk = c.id
            LEFT JOIN school_agreement_settings a ON a.school_id = s.id
            WHERE c.client_id = \(client.rawValue)
            ORDER BY s.id
            """
        ).compactMap { row in
            guard let school: SchoolID = row.id("id") else { return nil }
            // As SchoolAppPolicyStore.policy(school:client:): a decision, else blocked when an agreement is required.
            let policy = row.schoolAppPolicy() ?? (row.flag("requires_agreement") ? SchoolAppPolicy(status: .blocked, scopeLimit: nil) : nil)
            return (school, policy)
        }
    }

    public func list(_ request: OneRosterListRequest) throws -> (total: Int, records: [OneRosterRecord]) {
        guard !request.schools.isEmpty else { return (0, []) }
        let shape = Shape.of(request.entity)
        let condition = shape.condition(schools: request.schools, subsets: request.subsets, filter: request.query.filter)
        let total = try database.query("SELECT COUNT(*) AS n FROM \(unsafeRaw: shape.from) WHERE \(fragment: condition)").first?.int("n") ?? 0
        let query = request.query
        let direction = query.descending ? "DESC" : "ASC"
        let sortExpression = query.sort.flatMap { shape.expression(of: $0.name) } ?? shape.expression(of: "sourcedId") ?? shape.key
        let order = "\(sortExpression) \(direction), \(shape.expression(of: "sourcedId") ?? shape.key) \(direction), \(shape.key)"
        let rows = try database.query(
            """
            SELECT \(unsafeRaw: shape.selectList) FROM \(unsafeRaw: shape.from) WHERE \(fragment: condition)
            ORDER BY \(unsafeRaw: order) LIMIT \(query.limit) OFFSET \(query.offset)
            """)
        return (total, rows.compactMap(shape.record))
    }

    public func object(
        _ entity: OneRosterEntity, sourcedID: String, schools: [SchoolID], subsets: [OneRosterSubset]
    ) throws -> OneRosterRecord? {
        guard !schools.isEmpty else { return nil }
        let shape = Shape.of(entity)
        let condition = shape.condition(schools: schools, subsets: subsets, filter: nil)
        return try database.query(
            """
            SELECT \(unsafeRaw: shape.selectList) FROM \(unsafeRaw: shape.from)
            WHERE \(fragment: condition) AND \(unsafeRaw: shape.expression(of: "sourcedId") ?? "NULL") = \(sourcedID)
            ORDER BY \(unsafeRaw: shape.schoolColumn), \(unsafeRaw: shape.key) LIMIT 1
            """
        ).first.flatMap(shape.record)
    }

    public func putLineItem(_ item: OneRosterLineItemPut, client: ClientID, schools: [SchoolID], now: Date) throws -> OneRosterPutOutcome {
        guard !schools.isEmpty else { return .notFound }
        return try database.transaction { tx -> OneRosterPutOutcome in
            guard
                let found = try tx.query(
                    """
                    SELECT id, school_id FROM classes WHERE sourced_id = \(item.classSourcedID) AND school_id IN (\(list: schools.map(\.rawValue)))
                    ORDER BY school_id LIMIT 1
                    """
                ).first, let classID: ClassID = found.id("id"), let school: SchoolID = found.id("school_id")
            else { return .notFound }
            let existing = try tx.query(
                """
                SELECT id, class_id, (SELECT MAX(score) FROM grades g WHERE g.assessment_id = a.id) AS top FROM assessments a
                WHERE source_client_id = \(client.rawValue) AND sourced_id = \(item.sourcedID) FOR UPDATE
                """
            ).first
            if let existing, let assessment: AssessmentID = existing.id("id") {
                guard existing.id("class_id", as: ClassRecord.self) == classID else {
                    return .refused("This app's line item \(item.sourcedID) belongs to another class; a line item cannot move.")
                }
                if let top = existing.score("top"), top > item.maxScore {
                    return .refused("A result of this line item is above the new resultValueMax (\(top)).")
                }
                try tx.execute(
                    """
                    UPDATE assessments SET title = \(item.title), max_score = \(item.maxScore.decimalText), due_date = \(item.dueDate?.description),
                        updated_at = \(now)
                    WHERE id = \(assessment.rawValue)
                    """)
                return .replaced(school, nil)
            }
            guard
                let teacher: UserID = try tx.query(
                    """
                    SELECT e.user_id FROM enrollments e JOIN users u ON u.id = e.user_id
                    WHERE e.class_id = \(classID.rawValue) AND e.role = 'teacher' AND e.active AND u.active ORDER BY e.user_id LIMIT 1
                    """
                ).first?.id("user_id")
            else { return .refused("The class has no active teacher whose gradebook could hold the line item.") }
            try tx.execute(
                """
                INSERT INTO assessments (class_id, title, max_score, due_date, published, created_by, source_client_id, sourced_id, created_at, updated_at)
                VALUES (\(classID.rawValue), \(item.title), \(item.maxScore.decimalText), \(item.dueDate?.description),
                        COALESCE((SELECT publish_app_results FROM school_gradebook_settings WHERE school_id = \(school.rawValue)), FALSE), \(teacher.rawValue),
                        \(client.rawValue), \(item.sourcedID), \(now), \(now))
                """)
            return .created(school, nil)
        }
    }

    public func putResult(_ result: OneRosterResultPut, client: ClientID, schools: [SchoolID], now: Date) throws -> OneRosterPutOutcome {
        guard !schools.isEmpty else { return .notFound }
        return try database.transaction { tx -> OneRosterPutOutcome in
            guard
                let item = try tx.query(
                    """
                    SELECT a.id, a.class_id, a.max_score, a.created_by, c.school_id FROM assessments a JOIN classes c ON c.id = a.class_id
                    WHERE a.source_client_id = \(client.rawValue) AND a.sourced_id = \(result.lineItemSourcedID)
                      AND c.school_id IN (\(list: schools.map(\.rawValue)))
                    """
                ).first, let assessment: AssessmentID = item.id("id"), let classID: ClassID = item.id("class_id"),
                let school: SchoolID = item.id("school_id"), let teacher: UserID = item.id("created_by"), let maximum = item.score("max_score")
            else { return .notFound }
            guard
                let student: UserID = try tx.query(
                    """
                    SELECT u.id FROM users u JOIN enrollments e ON e.user_id = u.id
                    WHERE u.school_id = \(school.rawValue) AND u.sourced_id = \(result.studentSourcedID) AND u.active
                      AND e.class_id = \(classID.rawValue) AND e.role = 'student' AND e.active
                    """
                ).first?.id("id")
            else { return .notFound }
            guard result.score <= maximum else {
                return .refused("result.score is above the line item's resultValueMax (\(maximum)).")
            }
            if let used = try tx.query(
                "SELECT assessment_id, student_id FROM grades WHERE source_client_id = \(client.rawValue) AND sourced_id = \(result.sourcedID)"
            ).first, used.id("assessment_id", as: AssessmentRecord.self) != assessment || used.id("student_id", as: UserRecord.self) != student {
                return .refused("This app already uses the sourcedId \(result.sourcedID) for another result.")
            }
            let existed =
                !(try tx.query(
                    "SELECT 1 AS held FROM grades WHERE assessment_id = \(assessment.rawValue) AND student_id = \(student.rawValue)"
                ).isEmpty)
            try MariaSchoolworkStore.saveGrades(
                tx, [GradeEntry(studentID: student, score: result.score, comment: result.comment)], cleared: [], assessment: assessment,
                in: classID, by: teacher, now: now)
            try tx.execute(
                """
                UPDATE grades SET source_client_id = \(client.rawValue), sourced_id = \(result.sourcedID)
                WHERE assessment_id = \(assessment.rawValue) AND student_id = \(student.rawValue)
                """)
            return existed ? .replaced(school, student) : .created(school, student)
        }
    }
}

/// One kind of object as a join and expressions named after the OneRoster fields.
private struct Shape {
    enum Read { case text, date, dateTime, list }

    /// The tables.
    let from: String
    /// The school id column, for the schools the token may read.
    let schoolColumn: String
    /// Conditions every row meets (people without a roster id are not roster objects).
    let base: String
    /// The row's key, the last sort key.
    let key: String
    /// Field (or reference) name, expression, how to read it.
    let columns: [(name: String, expression: String, read: Read)]
    /// The person of the row, if any.
    let person: String?

    func expression(of name: String) -> String? { columns.first { $0.name == name }?.expression }

    var selectList: String {
        (columns.map { "\($0.expression) AS `\($0.name)`" } + ["\(schoolColumn) AS `_school`"] + (person.map { ["\($0) AS `_person`"] } ?? []))
            .joined(separator: ", ")
    }

    func condition(schools: [SchoolID], subsets: [OneRosterSubset], filter: OneRosterFilter?) -> SQLQuery {
        var condition: SQLQuery = "\(unsafeRaw: base) AND \(unsafeRaw: schoolColumn) IN (\(list: schools.map(\.rawValue)))"
        for subset in subsets { condition = "\(fragment: condition) AND \(fragment: self.condition(subset))" }
        if let filter {
            let joiner = filter.logical == .or ? " OR " : " AND "
            var clauses: SQLQuery = ""
            for (index, clause) in filter.clauses.enumerated() {
                clauses = "\(fragment: clauses)\(unsafeRaw: index == 0 ? "" : joiner)\(fragment: self.condition(clause))"
            }
            condition = "\(fragment: condition) AND (\(fragment: clauses))"
        }
        return condition
    }

    private func condition(_ clause: OneRosterFilter.Clause) -> SQLQuery {
        // The parser accepted only this collection's filterable fields, each of which has an expression here.
        guard let expression = expression(of: clause.field.name) else { return "FALSE" }
        switch clause.value {
        case .text(let text) where clause.predicate == .contains:
            let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                .replacingOccurrences(of: "_", with: "\\_")
            return "\(unsafeRaw: expression) LIKE \("%" + escaped + "%")"
        case .text(let text): return "\(unsafeRaw: expression) \(unsafeRaw: clause.predicate.rawValue) \(text)"
        case .date(let day): return "\(unsafeRaw: expression) \(unsafeRaw: clause.predicate.rawValue) \(day.description)"
        case .dateTime(let instant): return "\(unsafeRaw: expression) \(unsafeRaw: clause.predicate.rawValue) \(instant)"
        }
    }

    private func condition(_ subset: OneRosterSubset) -> SQLQuery {
        switch subset {
        case .role(let role) where from.hasPrefix("users"):
            return "u.role = \(role)"
        case .sessionType(let type) where from.hasPrefix("terms"):
            return "t.kind = \(type)"
        case .school(let school):
            return "s.sourced_id = \(school)"
        case .course(let course) where from.hasPrefix("classes"):
            return "co.sourced_id = \(course)"
        case .inClass(let sourcedID) where from.hasPrefix("users"):
            return """
                EXISTS (SELECT 1 FROM enrollments e2 JOIN classes c2 ON c2.id = e2.class_id
                        WHERE e2.user_id = u.id AND e2.active AND c2.school_id = u.school_id AND c2.sourced_id = \(sourcedID))
                """
        case .inClass(let sourcedID) where from.contains("classes c"):
            return "c.sourced_id = \(sourcedID)"
        case .classesOf(let sourcedID) where from.hasPrefix("classes"):
            return """
                EXISTS (SELECT 1 FROM enrollments e2 JOIN users u2 ON u2.id = e2.user_id
                        WHERE e2.class_id = c.id AND e2.active AND u2.school_id = c.school_id AND u2.sourced_id = \(sourcedID))
                """
        default:
            // A subset that does not apply to this kind of object selects nothing (the routes never ask for one).
            return "FALSE"
        }
    }

    func record(_ row: Row) -> OneRosterRecord? {
        guard let sourcedID = row.string("sourcedId"), let school: SchoolID = row.id("_school") else { return nil }
        var values: [String: String] = [:]
        var lists: [String: [String]] = [:]
        var modified: Date?
        for column in columns {
            switch column.read {
            case .text: if let text = row.string(column.name) { values[column.name] = text }
            case .date: if let day = row.calendarDate(column.name) { values[column.name] = day.description }
            case .dateTime: modified = row.date(column.name)
            case .list:
                lists[column.name] = (row.string(column.name) ?? "").split(separator: "\t").map(String.init).sorted()
            }
        }
        return OneRosterRecord(
            sourcedID: sourcedID, modified: modified, schoolID: school, personID: person == nil ? nil : row.id("_person"), values: values,
            lists: lists)
    }

    static func of(_ entity: OneRosterEntity) -> Shape {
        switch entity {
        case .org: org
        case .academicSession: academicSession
        case .course: course
        case .class: schoolClass
        case .user: user
        case .enrollment: enrollment
        case .lineItem: lineItem
        case .result: result
        }
    }

    static let org = Shape(
        from: "schools s", schoolColumn: "s.id", base: "TRUE", key: "s.id",
        columns: [
            ("sourcedId", "s.sourced_id", .text), ("status", "'active'", .text), ("dateLastModified", "s.updated_at", .dateTime),
            ("name", "s.name", .text), ("type", "'school'", .text), ("identifier", "s.identifier", .text),
        ], person: nil)

    static let academicSession = Shape(
        from: "terms t JOIN schools s ON s.id = t.school_id", schoolColumn: "t.school_id", base: "TRUE", key: "t.id",
        columns: [
            ("sourcedId", "t.sourced_id", .text), ("status", "IF(t.active, 'active', 'tobedeleted')", .text),
            ("dateLastModified", "s.updated_at", .dateTime), ("title", "t.title", .text), ("type", "t.kind", .text),
            ("startDate", "t.start_date", .date), ("endDate", "t.end_date", .date), ("schoolYear", "CAST(YEAR(t.end_date) AS CHAR)", .text),
            ("org", "s.sourced_id", .text),
        ], person: nil)

    static let course = Shape(
        from: "courses co JOIN schools s ON s.id = co.school_id", schoolColumn: "co.school_id", base: "TRUE", key: "co.id",
        columns: [
            ("sourcedId", "co.sourced_id", .text), ("status", "IF(co.active, 'active', 'tobedeleted')", .text),
            ("dateLastModified", "s.updated_at", .dateTime), ("title", "co.title", .text), ("courseCode", "co.course_code", .text),
            ("org", "s.sourced_id", .text),
        ], person: nil)

    static let schoolClass = Shape(
        from: "classes c JOIN schools s ON s.id = c.school_id JOIN courses co ON co.id = c.course_id JOIN terms t ON t.id = c.term_id",
        schoolColumn: "c.school_id", base: "TRUE", key: "c.id",
        columns: [
            ("sourcedId", "c.sourced_id", .text), ("status", "IF(c.active, 'active', 'tobedeleted')", .text),
            ("dateLastModified", "s.updated_at", .dateTime), ("title", "c.title", .text), ("classCode", "c.class_code", .text),
            ("classType", "'scheduled'", .text), ("course", "co.sourced_id", .text), ("school", "s.sourced_id", .text),
            ("terms", "t.sourced_id", .list),
        ], person: nil)

    static let user = Shape(
        from: "users u JOIN schools s ON s.id = u.school_id", schoolColumn: "u.school_id", base: "u.sourced_id IS NOT NULL", key: "u.id",
        columns: [
            ("sourcedId", "u.sourced_id", .text), ("status", "IF(u.active, 'active', 'tobedeleted')", .text),
            ("dateLastModified", "u.updated_at", .dateTime), ("enabledUser", "IF(u.active, 'true', 'false')", .text),
            ("username", "u.username", .text), ("givenName", "u.given_name", .text), ("familyName", "u.family_name", .text),
            ("email", "u.email", .text), ("role", "IF(u.role = 'school_admin', 'administrator', u.role)", .text),
            ("grades", "u.grade_level", .text), ("primaryOrg", "s.sourced_id", .text),
            (
                "agents",
                """
                CASE u.role
                  WHEN 'student' THEN (SELECT GROUP_CONCAT(p.sourced_id SEPARATOR '\\t') FROM guardianships g JOIN users p ON p.id = g.parent_id
                                       WHERE g.student_id = u.id AND p.sourced_id IS NOT NULL)
                  WHEN 'parent' THEN (SELECT GROUP_CONCAT(k.sourced_id SEPARATOR '\\t') FROM guardianships g JOIN users k ON k.id = g.student_id
                                      WHERE g.parent_id = u.id AND k.sourced_id IS NOT NULL)
                END
                """, .list
            ),
        ], person: "u.id")

    static let enrollment = Shape(
        from: "enrollments e JOIN classes c ON c.id = e.class_id JOIN users u ON u.id = e.user_id JOIN schools s ON s.id = c.school_id",
        schoolColumn: "c.school_id", base: "u.sourced_id IS NOT NULL", key: "e.class_id, e.user_id",
        columns: [
            // The export's fallback (OneRosterExport) for enrolments imported without an id.
            ("sourcedId", "COALESCE(e.sourced_id, CONCAT(c.sourced_id, '-', u.sourced_id))", .text),
            ("status", "IF(e.active AND c.active, 'active', 'tobedeleted')", .text), ("dateLastModified", "s.updated_at", .dateTime),
            ("role", "e.role", .text), ("primary", "'false'", .text), ("user", "u.sourced_id", .text), ("class", "c.sourced_id", .text),
            ("school", "s.sourced_id", .text),
        ], person: "u.id")

    /// Published assessments only: a draft is the teacher's until they publish it.
    static let lineItem = Shape(
        from: "assessments a JOIN classes c ON c.id = a.class_id JOIN schools s ON s.id = c.school_id", schoolColumn: "c.school_id",
        base: "a.published", key: "a.id",
        columns: [
            ("sourcedId", "COALESCE(a.sourced_id, CONCAT('assessment-', a.id))", .text), ("status", "'active'", .text),
            ("dateLastModified", "a.updated_at", .dateTime),
            ("title", "a.title", .text), ("assignDate", "DATE(a.created_at)", .date), ("dueDate", "a.due_date", .date),
            ("resultValueMin", "'0.0'", .text), ("resultValueMax", "CAST(a.max_score AS CHAR)", .text), ("class", "c.sourced_id", .text),
            ("school", "s.sourced_id", .text),
        ], person: nil)

    static let result = Shape(
        from: """
            grades g JOIN assessments a ON a.id = g.assessment_id JOIN classes c ON c.id = a.class_id JOIN users u ON u.id = g.student_id
            JOIN schools s ON s.id = c.school_id
            """,
        schoolColumn: "c.school_id", base: "a.published AND u.sourced_id IS NOT NULL", key: "g.assessment_id, g.student_id",
        columns: [
            ("sourcedId", "COALESCE(g.sourced_id, CONCAT('assessment-', a.id, '-', u.sourced_id))", .text), ("status", "'active'", .text),
            ("dateLastModified", "g.recorded_at", .dateTime), ("score", "CAST(g.score AS CHAR)", .text),
            ("scoreStatus", "'fully graded'", .text), ("scoreDate", "DATE(g.recorded_at)", .date), ("comment", "g.comment", .text),
            ("lineItem", "COALESCE(a.sourced_id, CONCAT('assessment-', a.id))", .text), ("student", "u.sourced_id", .text),
            ("class", "c.sourced_id", .text),
        ], person: "u.id")
}
