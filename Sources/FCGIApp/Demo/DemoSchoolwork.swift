import Domain
import Foundation

/// A term of assessments, grades and attendance for the demo school, written through the same store calls
/// the teacher pages use.
enum DemoSchoolwork {
    /// Seeds when the demo classes have no assessments yet; returns whether it wrote anything.
    static func seed(demo: DemoSchool, ids: [String: UserID], services: SiteServices, today: CalendarDate) throws -> Bool {
        let teaching = services.schoolwork.teaching
        let now = services.clock()
        var wrote = false
        for info in demo.classes {
            guard let teacher = ids[info.teacher],
                let classID = try teaching.classes(taughtBy: teacher).first(where: { $0.title == info.title })?.id
            else { continue }
            guard try teaching.assessments(of: classID).isEmpty else { continue }
            wrote = true
            let roster = try teaching.roster(of: classID)
            for number in 1...6 {
                let due = day(offset: 14 * number, from: DemoSchool.termStart)
                let assessment = try teaching.createAssessment(
                    NewAssessment(title: "\(info.course) quiz \(number)", maxScore: Score(hundredths: 10_000), dueDate: due),
                    in: classID, by: teacher, now: now)
                guard due <= today else { continue }
                let entries = roster.map { student in
                    GradeEntry(
                        studentID: student.id, score: Score(hundredths: 100 * (55 + mix(student.id.rawValue, Int64(number), classID.rawValue) % 46)),
                        comment: nil)
                }
                try teaching.saveGrades(entries, cleared: [], assessment: assessment, in: classID, by: teacher, now: now)
                if number < 6 { try teaching.setPublished(true, assessment: assessment, in: classID, now: now) }
            }
            var offset = 0
            while true {
                let date = day(offset: offset, from: DemoSchool.termStart)
                offset += 1
                // Up to yesterday: today's sheet is left for the teacher to fill in.
                if date >= today || date.description > DemoSchool.termEnd { break }
                guard isWeekday(date) else { continue }
                let marks = roster.map { student -> AttendanceMark in
                    let roll = mix(student.id.rawValue, Int64(offset), classID.rawValue) % 100
                    let status: AttendanceStatus = roll < 5 ? .absent : roll < 9 ? .late : roll < 11 ? .excused : .present
                    return AttendanceMark(studentID: student.id, status: status, note: status == .excused ? "Medical appointment" : nil)
                }
                try teaching.saveAttendance(marks, in: classID, on: date, by: teacher, now: now)
            }
        }
        return wrote
    }

    /// A deterministic spread of numbers from ids.
    private static func mix(_ a: Int64, _ b: Int64, _ c: Int64) -> Int {
        var x =
            UInt64(bitPattern: a) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: b) &* 0xBF58_476D_1CE4_E5B9
            ^ UInt64(bitPattern: c) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        x &*= 0xD6E8_FEB8_6659_FD93
        x ^= x >> 32
        return Int(x % 1_000_000)
    }

    private static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    private static func day(offset: Int, from start: String) -> CalendarDate {
        let start = CalendarDate(start)!
        let base = calendar.date(from: DateComponents(year: start.year, month: start.month, day: start.day))!
        return CalendarDate(calendar.date(byAdding: .day, value: offset, to: base)!)
    }

    private static func isWeekday(_ date: CalendarDate) -> Bool {
        let instant = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day))!
        let weekday = calendar.component(.weekday, from: instant)
        return weekday != 1 && weekday != 7
    }
}
