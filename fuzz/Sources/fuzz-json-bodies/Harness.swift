import Domain
import Foundation
import FuzzSupport

@testable import FCGIApp

/// The education API's JSON write bodies through ``APIRequestBody/decode(_:from:)`` and the rules the two
/// write endpoints then apply without a database (``SchoolworkForms`` attendance and grade sheets, the day).
///
/// Input: one selector byte (even: `POST /api/v1/classes/{id}/attendance`, odd: `POST
/// /api/v1/assessments/{id}/grades`), then the body.
///
/// Properties: a refused body is a 4xx ``APIFailure`` naming at least one field, never another error.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput.bytes(data, size)
    guard let selector = bytes.first else { return 0 }
    let request = HTTPRequest(
        method: "POST", path: "/api/v1/fuzz", headers: [("Content-Type", "application/json; charset=utf-8")], body: Array(bytes.dropFirst()))
    let today = CalendarDate(Date(timeIntervalSince1970: 1_795_000_000))
    do {
        if selector % 2 == 0 {
            let body = try APIRequestBody.decode(APIRequestBody.Attendance.self, from: request)
            _ = SchoolworkForms.attendanceDay(body.date, today: today)
            _ = SchoolworkForms.attendanceSheet(
                body.marks.map { SchoolworkForms.AttendanceInput(studentID: UserID($0.studentID), status: $0.status, note: $0.note ?? "") })
        } else {
            let body = try APIRequestBody.decode(APIRequestBody.Grades.self, from: request)
            _ = SchoolworkForms.gradeSheet(
                body.grades.map { SchoolworkForms.GradeInput(studentID: UserID($0.studentID), score: $0.score.text, comment: $0.comment ?? "") },
                maxScore: Score(hundredths: 10_000))
        }
    } catch {
        fuzzRequire((400..<500).contains(error.status), "status \(error.status) for a bad body")
        fuzzRequire(!error.fields.isEmpty || error.status != 400, "a 400 naming no field")
    }
    return 0
}
