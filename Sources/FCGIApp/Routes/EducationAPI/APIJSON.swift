import Domain

/// How the education API writes its records. Ids are numbers, days `YYYY-MM-DD`, scores JSON numbers.
enum APIJSON {
    static func person(_ person: PersonSummary) -> JSONValue {
        .object([
            ("id", .int(Int(person.id.rawValue))), ("role", .string(person.role.rawValue)), ("given_name", .string(person.givenName)),
            ("family_name", .string(person.familyName)), ("grade_level", .optional(person.gradeLevel)),
        ])
    }

    static func classSummary(_ summary: ClassSummary) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .int(Int(summary.id.rawValue))), ("title", .string(summary.title)), ("course", .string(summary.courseTitle)),
            ("term", .string(summary.termTitle)), ("class_code", .optional(summary.classCode)),
            ("teachers", .array(summary.teacherNames.map(JSONValue.string))),
        ]
        if let count = summary.studentCount { members.append(("student_count", .int(count))) }
        return .object(members)
    }

    static func score(_ score: Score?) -> JSONValue {
        score.map { .double(Double($0.hundredths) / 100) } ?? .null
    }

    static func grade(_ line: GradeLine) -> JSONValue {
        .object([
            ("assessment_id", .int(Int(line.assessmentID.rawValue))), ("assessment_title", .string(line.assessmentTitle)),
            ("class_id", .int(Int(line.classID.rawValue))), ("class_title", .string(line.classTitle)),
            ("due_date", .optional(line.dueDate?.description)), ("score", score(line.score)), ("max_score", score(line.maxScore)),
            ("class_average", score(line.classAverage)), ("comment", .optional(line.comment)),
        ])
    }

    static func attendance(_ line: AttendanceLine) -> JSONValue {
        .object([
            ("date", .string(line.day.description)), ("class_id", .int(Int(line.classID.rawValue))),
            ("class_title", .string(line.classTitle)), ("status", .string(line.status.rawValue)), ("note", .optional(line.note)),
        ])
    }

    /// A page of a list from the up to `page.limit + 1` rows a store returned: `data` and `next_cursor` (`null`
    /// on the last page), the cursor made of the last item's `keys`.
    static func page<Row>(_ rows: [Row], _ page: APIPage, list: String, keys: (Row) -> [Int64], item: (Row) -> JSONValue) -> JSONValue {
        let (items, next) = page.slice(rows, list: list, keys: keys)
        return .object([("data", .array(items.map(item))), ("next_cursor", .optional(next?.token))])
    }
}
