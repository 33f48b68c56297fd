import Foundation

/// One file of an export archive.
public struct ExportFile: Sendable, Equatable {
    /// The path inside the archive (`/`-separated, relative, ASCII).
    public let name: String
    public let bytes: [UInt8]

    public init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    public init(name: String, text: String) {
        self.init(name: name, bytes: Array(text.utf8))
    }
}

/// Who asked for an export, which decides what it may hold.
public enum ExportAudience: String, Sendable, CaseIterable {
    /// The person themself.
    case person
    /// A parent, for their linked child.
    case parent
    /// The school admin (on request of the person, a parent, or for a class or the whole school).
    case schoolAdmin = "school_admin"

    /// Whether grades the teacher has not published yet are included. Students and parents see a grade once it
    /// is published (the same rule as their pages); the school holds the draft and hands it over on request.
    public var includesDraftGrades: Bool { self == .schoolAdmin }
}

/// The per-person files of an export (GDPR Art. 15 and 20, FERPA's right to inspect): JSON for machines (Art. 20's
/// "structured, commonly used and machine-readable format") and CSV for spreadsheets, and a README that says what
/// each file holds. The same files go into a class or school export, one folder per person.
///
/// CSV cells are guarded against spreadsheet formulas (``AnalyticsCSV/cell(_:)``): these files are opened by
/// families, not imported by machines.
public enum PersonExport {
    /// The files of one person, under `folder` (empty for an archive of one person; `people/<id>/` otherwise).
    public static func files(_ record: PersonRecord, audience: ExportAudience, generatedAt: Date, folder: String = "") -> [ExportFile] {
        let grades = audience.includesDraftGrades ? record.grades : record.grades.filter(\.published)
        var files: [ExportFile] = []
        files.append(ExportFile(name: folder + "profile.json", bytes: profileJSON(record, generatedAt: generatedAt).serialized()))
        files.append(
            ExportFile(
                name: folder + "family.json",
                bytes: JSONValue.array(
                    record.relatives.map { relative in
                        .object([
                            ("relation", .string(relative.relation)), ("id", .int(Int(relative.id.rawValue))),
                            ("sourced_id", .optional(relative.sourcedID)), ("given_name", .string(relative.givenName)),
                            ("family_name", .string(relative.familyName)),
                        ])
                    }
                ).serialized()))
        files.append(
            ExportFile(
                name: folder + "enrolments.csv",
                text: AnalyticsCSV.document(
                    header: ["class_id", "class_sourced_id", "class", "course", "term", "role", "active"],
                    rows: record.enrolments.map {
                        [String($0.classID.rawValue), $0.classSourcedID, $0.classTitle, $0.courseTitle, $0.termTitle, $0.role, String($0.active)]
                    })))
        files.append(ExportFile(name: folder + "grades.json", bytes: JSONValue.array(grades.map(gradeJSON)).serialized()))
        files.append(
            ExportFile(
                name: folder + "grades.csv",
                text: AnalyticsCSV.document(
                    header: ["class", "assessment_id", "assessment", "due_date", "score", "max_score", "comment", "published", "recorded_at"],
                    rows: grades.map {
                        [
                            $0.classTitle, String($0.assessmentID.rawValue), $0.assessmentTitle, $0.dueDate?.description ?? "",
                            $0.score.decimalText, $0.maxScore.decimalText, $0.comment ?? "", String($0.published), timestamp($0.recordedAt),
                        ]
                    })))
        files.append(
            ExportFile(
                name: folder + "attendance.csv",
                text: AnalyticsCSV.document(
                    header: ["day", "class", "status", "note", "recorded_at"],
                    rows: record.attendance.map {
                        [$0.day.description, $0.classTitle, $0.status.rawValue, $0.note ?? "", timestamp($0.recordedAt)]
                    })))
        files.append(
            ExportFile(
                name: folder + "connected-apps.json",
                bytes: JSONValue.array(
                    record.apps.map { app in
                        .object([
                            ("client_id", .string(app.clientID)), ("name", .string(app.name)), ("developer", .string(app.developerName)),
                            ("scopes", .array(app.scopes.map(JSONValue.string))), ("first_granted_at", .string(timestamp(app.firstGrantedAt))),
                            ("last_used_at", .optional(app.lastUsedAt.map(timestamp))), ("revoked_at", .optional(app.revokedAt.map(timestamp))),
                        ])
                    }
                ).serialized()))
        files.append(
            ExportFile(
                name: folder + "data-access-log.csv",
                text: AnalyticsCSV.document(
                    header: ["occurred_at", "app", "client_id", "what", "request", "status"],
                    rows: record.accessLog.map {
                        [
                            timestamp($0.entry.occurredAt), $0.appName, $0.entry.clientID.rawValue, $0.sentence, $0.entry.request,
                            String($0.entry.status),
                        ]
                    })))
        files.append(
            ExportFile(
                name: folder + "sign-in-history.csv",
                text: AnalyticsCSV.document(
                    header: ["occurred_at", "event", "method", "address", "user_agent", "detail"],
                    rows: record.signIns.map {
                        [
                            timestamp($0.entry.occurredAt), $0.entry.event.rawValue, $0.entry.method, $0.entry.clientAddress,
                            $0.entry.userAgent, $0.entry.detail,
                        ]
                    })))
        return files
    }

    /// The README of a one-person archive.
    public static func readme(for record: PersonRecord, audience: ExportAudience, generatedAt: Date) -> ExportFile {
        let person = record.profile
        let drafts =
            audience.includesDraftGrades
            ? "every grade entered, published or not (the `published` column says which)"
            : "the grades of published assessments (a grade appears here once the teacher publishes it)"
        let text = """
            Everything CatalystWells holds about \(person.givenName) \(person.familyName)
            School: \(person.schoolName)
            Made: \(timestamp(generatedAt)) (UTC)

            This archive is the copy the school's CatalystWells installation gives under your right of access
            (GDPR Article 15, data portability under Article 20, and the right to inspect education records
            under FERPA). JSON files are for programs, CSV files open in any spreadsheet. Times are UTC in
            ISO 8601. A CSV cell that would start with = + - or @ is prefixed with ' so that a spreadsheet
            shows it as text.

            \(fileList(folder: "", drafts: drafts))
            Not included: the password (only a one-way hash of it is kept, never the password), second-factor
            secrets and passkey keys (they only prove who signs in), and figures that count people without
            naming them (the apps' daily usage counts).
            """
        return ExportFile(name: "README.txt", text: text + "\n")
    }

    /// The description of the per-person files (shared by the class and school README).
    public static func fileList(folder: String, drafts: String) -> String {
        """
        \(folder)profile.json         who the person is: names, email, username, roster id (sourced_id), role,
                                      grade level, school, whether a password is set and when it changed
        \(folder)family.json          guardians linked to the person, or the children linked to them
        \(folder)enrolments.csv       the classes the person is or was in (as student or teacher)
        \(folder)grades.json          \(drafts), with class averages left out (they describe other pupils)
        \(folder)grades.csv           the same grades as a table
        \(folder)attendance.csv       every attendance mark: day, class, status, the teacher's note
        \(folder)connected-apps.json  apps the person allowed to read their data: what they may read (scopes),
                                      when, and when the permission was withdrawn
        \(folder)data-access-log.csv  every call an app made to the education API about the person
        \(folder)sign-in-history.csv  the security log's entries about the person: sign-ins, refused
                                      sign-ins, password and two-step changes, with address and browser

        """
    }

    /// `2026-01-31T08:00:00Z`.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    private static func profileJSON(_ record: PersonRecord, generatedAt: Date) -> JSONValue {
        let person = record.profile
        return .object([
            ("id", .int(Int(person.id.rawValue))), ("sourced_id", .optional(person.sourcedID)), ("role", .string(person.role.rawValue)),
            ("given_name", .string(person.givenName)), ("family_name", .string(person.familyName)), ("email", .optional(person.email)),
            ("username", .optional(person.username)), ("grade_level", .optional(person.gradeLevel)), ("active", .bool(person.active)),
            ("school", .object([("name", .string(person.schoolName)), ("sourced_id", .string(person.schoolSourcedID))])),
            ("created_at", .string(timestamp(person.createdAt))), ("updated_at", .string(timestamp(person.updatedAt))),
            ("password_set", .bool(person.hasPassword)), ("password_changed_at", .optional(person.passwordChangedAt.map(timestamp))),
            ("exported_at", .string(timestamp(generatedAt))),
        ])
    }

    private static func gradeJSON(_ grade: PersonRecord.Grade) -> JSONValue {
        .object([
            ("class", .string(grade.classTitle)), ("assessment_id", .int(Int(grade.assessmentID.rawValue))),
            ("assessment", .string(grade.assessmentTitle)), ("due_date", .optional(grade.dueDate?.description)),
            ("score", .preserialized(Array(grade.score.decimalText.utf8))), ("max_score", .preserialized(Array(grade.maxScore.decimalText.utf8))),
            ("comment", .optional(grade.comment)), ("published", .bool(grade.published)), ("recorded_at", .string(timestamp(grade.recordedAt))),
        ])
    }
}
