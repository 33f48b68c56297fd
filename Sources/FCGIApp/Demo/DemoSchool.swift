import Domain
import Foundation

/// A generated demo school as a OneRoster 1.1 CSV set: 1 school, 4 classes in one term, 3 teachers,
/// 60 students, 40 parents (20 of them with two children) and a school admin. Deterministic, so every
/// `make dev` produces the same people and the import is a no-op the second time.
struct DemoSchool {
    static let schoolSourcedID = "demo-school"
    static let schoolName = "Catalyst Demo High School"
    static let domain = "demo.example.org"
    static let termStart = "2026-09-01"
    static let termEnd = "2026-12-18"

    struct Person {
        let sourcedID: String
        let role: String
        let givenName: String
        let familyName: String
        let username: String
        let email: String
        var agents: [String] = []
    }

    struct ClassInfo {
        let sourcedID: String
        let title: String
        let course: String
        let teacher: String
        let students: [String]
    }

    let teachers: [Person]
    let students: [Person]
    let parents: [Person]
    let admin: Person
    let classes: [ClassInfo]

    private static let givenNames = [
        "Ava", "Noah", "Mia", "Liam", "Zoe", "Ethan", "Maya", "Lucas", "Chloe", "Omar", "Isla", "Mateo", "Leah", "Ravi", "Nora",
        "Kai", "Elena", "Samir", "Grace", "Jonas",
    ]
    private static let familyNames = [
        "Okafor", "Lindqvist", "Moreau", "Tanaka", "Haddad", "Novak", "Fernandes", "Kowalski", "Osei", "Brennan", "Castillo",
        "Nakamura", "Petrov", "Adeyemi", "Schmidt",
    ]

    init() {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var students: [Person] = []
        for i in 1...60 {
            let given = Self.givenNames[(i * 7) % Self.givenNames.count]
            let family = Self.familyNames[(i * 3 + i / 5) % Self.familyNames.count]
            students.append(
                Person(
                    sourcedID: "demo-student-\(two(i))", role: "student", givenName: given, familyName: family,
                    username: "student\(two(i))", email: "student\(two(i))@\(Self.domain)"))
        }
        var parents: [Person] = []
        for i in 1...40 {
            var children = [students[i - 1].sourcedID]
            if i <= 20 { children.append(students[39 + i].sourcedID) }
            let child = students[i - 1]
            parents.append(
                Person(
                    sourcedID: "demo-parent-\(two(i))", role: "parent", givenName: Self.givenNames[(i * 11 + 3) % Self.givenNames.count],
                    familyName: child.familyName, username: "parent\(two(i))", email: "parent\(two(i))@\(Self.domain)", agents: children))
        }
        let teachers = [("Hannah", "Whitfield"), ("Daniel", "Achebe"), ("Priya", "Raman")].enumerated().map { index, name in
            Person(
                sourcedID: "demo-teacher-\(index + 1)", role: "teacher", givenName: name.0, familyName: name.1,
                username: "teacher\(index + 1)", email: "teacher\(index + 1)@\(Self.domain)")
        }
        let ids = students.map(\.sourcedID)
        classes = [
            ClassInfo(sourcedID: "demo-class-math", title: "Mathematics 10A", course: "Mathematics", teacher: teachers[0].sourcedID, students: ids),
            ClassInfo(sourcedID: "demo-class-english", title: "English 10A", course: "English", teacher: teachers[1].sourcedID, students: ids),
            ClassInfo(
                sourcedID: "demo-class-science", title: "Science 10A", course: "Science", teacher: teachers[2].sourcedID,
                students: Array(ids.prefix(30))),
            ClassInfo(
                sourcedID: "demo-class-history", title: "History 10A", course: "History", teacher: teachers[1].sourcedID,
                students: Array(ids.suffix(30))),
        ]
        self.students = students
        self.parents = parents
        self.teachers = teachers
        self.admin = Person(
            sourcedID: "demo-admin-1", role: "administrator", givenName: "Morgan", familyName: "Ellis", username: "schooladmin",
            email: "schooladmin@\(Self.domain)")
    }

    /// Everyone who signs in with the demo password.
    var everyone: [Person] { [admin] + teachers + students + parents }

    /// The CSV files, by name.
    func files() -> [String: [UInt8]] {
        var files: [String: String] = [:]
        files["manifest.csv"] = csv(
            ["propertyName", "value"],
            [["manifest.version", "1.0"], ["oneroster.version", "1.1"]]
                + [
                    "academicSessions", "classes", "courses", "demographics", "enrollments", "lineItems", "orgs", "results", "users", "categories",
                    "classResources", "courseResources", "resources",
                ].map { name in
                    ["file.\(name)", ["academicSessions", "classes", "courses", "enrollments", "orgs", "users"].contains(name) ? "bulk" : "absent"]
                })
        files["orgs.csv"] = csv(
            ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
            [
                ["demo-district", "", "", "Catalyst Demo District", "district", "", ""],
                [Self.schoolSourcedID, "", "", Self.schoolName, "school", "CDHS", "demo-district"],
            ])
        files["academicSessions.csv"] = csv(
            ["sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate", "parentSourcedId", "schoolYear"],
            [["demo-term-fall-2026", "", "", "Fall 2026", "term", Self.termStart, Self.termEnd, "", "2027"]])
        files["courses.csv"] = csv(
            [
                "sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId", "subjects",
                "subjectCodes",
            ],
            classes.map {
                [
                    "demo-course-\($0.course.lowercased())", "", "", "", $0.course, String($0.course.prefix(4)).uppercased() + "10", "10",
                    Self.schoolSourcedID, $0.course, "",
                ]
            })
        files["classes.csv"] = csv(
            [
                "sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode", "classType", "location",
                "schoolSourcedId",
                "termSourcedIds", "subjects", "subjectCodes", "periods",
            ],
            classes.map {
                [
                    $0.sourcedID, "", "", $0.title, "10", "demo-course-\($0.course.lowercased())", String($0.course.prefix(4)).uppercased() + "-10A",
                    "scheduled", "", Self.schoolSourcedID, "demo-term-fall-2026", $0.course, "", "",
                ]
            })
        files["users.csv"] = csv(
            [
                "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username", "userIds", "givenName", "familyName",
                "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades", "password",
            ],
            everyone.map { p in
                [
                    p.sourcedID, "", "", "true", Self.schoolSourcedID, p.role, p.username, "", p.givenName, p.familyName, "", "", p.email, "", "",
                    p.agents.joined(separator: ","), p.role == "student" ? "10" : "", "",
                ]
            })
        var enrollments: [[String]] = []
        for info in classes {
            enrollments.append([
                "\(info.sourcedID)-\(info.teacher)", "", "", info.sourcedID, Self.schoolSourcedID, info.teacher, "teacher", "true", "", "",
            ])
            for student in info.students {
                enrollments.append([
                    "\(info.sourcedID)-\(student)", "", "", info.sourcedID, Self.schoolSourcedID, student, "student", "false", "", "",
                ])
            }
        }
        files["enrollments.csv"] = csv(
            [
                "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId", "role", "primary", "beginDate",
                "endDate",
            ],
            enrollments)
        return files.mapValues { Array($0.utf8) }
    }

    private func csv(_ header: [String], _ rows: [[String]]) -> String {
        func field(_ value: String) -> String {
            value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }
        return ([header] + rows).map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }
}
