import Domain
import Foundation

/// The class endpoints of the education API: a class, its roster, and the teacher's two writes.
enum ClassAPI {
    /// The class of `classID` once the caller's user may see it (a teacher of it, an admin of its school), or
    /// may teach it when `teaching`; otherwise 404.
    static func visibleClass(_ call: inout APICall, _ classID: ClassID, teaching: Bool = false) throws -> ClassRelationship {
        let user = try call.user
        guard let facts = try call.context.services.schoolwork.teaching.relationship(of: user, toClass: classID),
            teaching ? SchoolAccess.mayTeachClass(user, facts) : SchoolAccess.mayViewClass(user, facts)
        else { throw APIFailure.notFound }
        call.school = facts.schoolID
        return facts
    }

    static func detail(_ call: inout APICall) throws -> JSONValue {
        let classID: ClassID = try call.id()
        _ = try visibleClass(&call, classID)
        guard let summary = try call.context.services.schoolwork.teaching.classSummary(classID) else { throw APIFailure.notFound }
        return APIJSON.classSummary(summary)
    }

    static func students(_ call: inout APICall) throws -> JSONValue {
        let page = try call.page(list: "roster")
        let classID: ClassID = try call.id()
        _ = try visibleClass(&call, classID)
        let rows = try call.context.services.api.store.roster(of: classID, after: page.after.map { UserID($0.keys[0]) }, limit: page.limit + 1)
        call.concerns(rows.prefix(page.limit).map(\.id))
        return APIJSON.page(rows, page, list: "roster", keys: { [$0.id.rawValue] }, item: APIJSON.person)
    }

    static func recordAttendance(_ call: inout APICall) throws -> JSONValue {
        let classID: ClassID = try call.id()
        let facts = try visibleClass(&call, classID, teaching: true)
        let body = try APIRequestBody.decode(APIRequestBody.Attendance.self, from: call.request)
        let services = call.context.services
        let now = call.context.now
        var errors: [String: String] = [:]
        let day: CalendarDate
        switch SchoolworkForms.attendanceDay(body.date, today: CalendarDate(now)) {
        case .success(let value): day = value
        case .failure(let problem):
            errors["date"] = problem.message
            day = CalendarDate(now)
        }
        let students = try rosterCheck(body.marks.map(\.studentID), member: "marks", classID: classID, services: services, errors: &errors)
        let inputs = zip(students, body.marks).map { SchoolworkForms.AttendanceInput(studentID: $0, status: $1.status, note: $1.note ?? "") }
        var marks: [AttendanceMark] = []
        switch SchoolworkForms.attendanceSheet(inputs) {
        case .success(let value): marks = value
        case .failure(let problems): errors.merge(rowErrors(problems, students: students, member: "marks")) { first, _ in first }
        }
        for (index, mark) in body.marks.enumerated() where mark.status.isEmpty {
            errors["marks[\(index)].status"] = "Choose present, absent, late or excused."
        }
        guard errors.isEmpty else { throw APIFailure.invalid(errors) }
        let event = APIEvent(
            type: EducationAPI.attendanceRecorded, clientID: call.caller.clientID, schoolID: facts.schoolID, classID: classID, day: day,
            studentIDs: marks.map(\.studentID), occurredAt: now)
        let concerned = marks.map(\.studentID)
        do {
            try services.api.store.recordAttendance(
                marks, in: classID, on: day, by: try call.user.id, event: event, log: call.writeLog(concerning: concerned), now: now)
        } catch let error as StoreError where error.kind == .constraint {
            // The roster changed between the check above and the write; nothing was written.
            throw APIFailure.invalid(["marks": "A student is no longer enrolled in this class; reload the roster and try again."])
        }
        call.loggedInWrite(concerned)
        return .object([
            ("class_id", .int(Int(classID.rawValue))), ("date", .string(day.description)), ("recorded", .int(marks.count)),
            ("event", .string(EducationAPI.attendanceRecorded)),
        ])
    }

    static func recordGrades(_ call: inout APICall) throws -> JSONValue {
        let assessmentID: AssessmentID = try call.id()
        let services = call.context.services
        guard let classID = try services.api.store.classOfAssessment(assessmentID) else { throw APIFailure.notFound }
        let facts = try visibleClass(&call, classID, teaching: true)
        guard let assessment = try services.schoolwork.teaching.assessment(assessmentID, in: classID) else { throw APIFailure.notFound }
        let body = try APIRequestBody.decode(APIRequestBody.Grades.self, from: call.request)
        let now = call.context.now
        var errors: [String: String] = [:]
        let students = try rosterCheck(body.grades.map(\.studentID), member: "grades", classID: classID, services: services, errors: &errors)
        let inputs = zip(students, body.grades).map {
            SchoolworkForms.GradeInput(studentID: $0, score: $1.score.text, comment: $1.comment ?? "")
        }
        var entries: [GradeEntry] = []
        switch SchoolworkForms.gradeSheet(inputs, maxScore: assessment.maxScore) {
        case .success(let value): entries = value.entries
        case .failure(let problems): errors.merge(rowErrors(problems, students: students, member: "grades")) { first, _ in first }
        }
        // The API records grades; it never clears one by an empty score.
        for (index, grade) in body.grades.enumerated() where grade.score.text.trimmingCharacters(in: .whitespaces).isEmpty {
            errors["grades[\(index)].score"] = "Enter a number from 0 to \(assessment.maxScore), with at most two decimals."
        }
        guard errors.isEmpty else { throw APIFailure.invalid(errors) }
        let event = APIEvent(
            type: EducationAPI.gradePublished, clientID: call.caller.clientID, schoolID: facts.schoolID, classID: classID,
            assessmentID: assessmentID, studentIDs: entries.map(\.studentID), occurredAt: now)
        let published: Bool
        let concerned = entries.map(\.studentID)
        do {
            published = try services.api.store.recordGrades(
                entries, assessment: assessmentID, in: classID, by: try call.user.id, publish: body.publish ?? false, event: event,
                log: call.writeLog(concerning: concerned), now: now)
        } catch let error as StoreError where error.kind == .constraint {
            throw APIFailure.invalid(["grades": "A student is no longer enrolled in this class; reload the roster and try again."])
        }
        call.loggedInWrite(concerned)
        var members: [(String, JSONValue)] = [
            ("assessment_id", .int(Int(assessmentID.rawValue))), ("class_id", .int(Int(classID.rawValue))),
            ("recorded", .int(entries.count)), ("published", .bool(published)),
        ]
        if published { members.append(("event", .string(EducationAPI.gradePublished))) }
        return .object(members)
    }

    /// The rows' student ids, after checking the list is non-empty and not too long, and each id is positive,
    /// listed once and on the class's roster. Problems go into `errors` as `<member>[i].student_id`.
    private static func rosterCheck(
        _ ids: [Int64], member: String, classID: ClassID, services: SiteServices, errors: inout [String: String]
    ) throws -> [UserID] {
        if ids.isEmpty { errors[member] = "Send at least one row." }
        if ids.count > APIRequestBody.maximumRows { errors[member] = "Send at most \(APIRequestBody.maximumRows) rows." }
        let enrolled = Set(try services.schoolwork.teaching.roster(of: classID).map(\.id))
        var seen: Set<Int64> = []
        for (index, id) in ids.enumerated() {
            let field = "\(member)[\(index)].student_id"
            if id <= 0 || !enrolled.contains(UserID(id)) {
                errors[field] = "There is no student \(id) in this class."
            } else if !seen.insert(id).inserted {
                errors[field] = "Student \(id) is listed twice."
            }
        }
        return ids.map { UserID($0) }
    }

    /// The form rules' errors (`score-<id>`, `status-<id>`, …) renamed to the rows of the JSON body.
    private static func rowErrors(_ problems: SchoolworkForms.FieldErrors, students: [UserID], member: String) -> [String: String] {
        var index: [String: Int] = [:]
        for (position, student) in students.enumerated() where index[student.description] == nil { index[student.description] = position }
        var out: [String: String] = [:]
        for (key, message) in problems.messages {
            guard let dash = key.firstIndex(of: "-") else { continue }
            let field = String(key[..<dash])
            let id = String(key[key.index(after: dash)...])
            out["\(member)[\(index[id] ?? 0)].\(field)"] = message
        }
        return out
    }
}
