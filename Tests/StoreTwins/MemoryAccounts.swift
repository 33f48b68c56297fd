import Domain
import Foundation

/// In-memory accounts, sessions, throttle counters, password links and resets with the contracts of the MariaDB
/// stores, so the sign-in routes are tested without a database. School data is only classes with their teachers
/// and students (``addClass(title:school:teachers:students:active:)``), and grade levels.
final class MemoryAccounts: AccountStore, PasswordLinkStore, SessionStore, SignInThrottleStore, StudentRecordStore, TeachingStore,
    SchoolDirectoryStore, RosterStore, PasswordResetStore, @unchecked Sendable
{
    private let lock = NSLock()
    private var users: [UserID: (user: UserAccount, hash: String?, active: Bool)] = [:]
    private var sessions: [[UInt8]: (user: UserID, created: Date, seen: Date, methods: [AuthenticationMethod])] = [:]
    private var sessionExpiries: [[UInt8]: Date] = [:]
    private var throttles: [[UInt8]: SignInThrottleState] = [:]
    private var links: [[UInt8]: (user: UserID, purpose: PasswordLinkPurpose, expires: Date, used: Bool, created: Date)] = [:]
    /// Revokes every grant of a user; the OAuth twin's, when the two twins are used together (the MariaDB stores
    /// share one transaction for this).
    var revokeEveryGrant: (UserID, Date) -> Int = { _, _ in 0 }
    /// A session's second-factor facts: the second factors' twin's, when the two are used together.
    var secondFactorStatus: (UserAccount) -> SecondFactorStatus = { _ in SecondFactorStatus(policy: .standard, enrolled: false) }
    /// A person's saved language and their school's default, read with the session (``MemoryLanguages`` in the test app).
    var savedLanguages: (UserID) -> (person: String?, school: String?) = { _ in (nil, nil) }
    private var nextID: Int64 = 1
    private var mustChange: Set<UserID> = []
    private var temporaryRules: [SchoolID: Bool] = [:]
    private var gradeLevels: [UserID: String] = [:]
    private var guardianships: Set<[Int64]> = []
    private var classes: [ClassID: (school: SchoolID, title: String, teachers: [UserID], students: [UserID], active: Bool)] = [:]

    /// Adds a user with a password hash.
    @discardableResult
    func addUser(role: Role, email: String, username: String? = nil, hash: String?, school: SchoolID? = SchoolID(1)) -> UserAccount {
        lock.withLock {
            let user = UserAccount(
                id: UserID(nextID), role: role, schoolID: role == .platformAdmin ? nil : school, givenName: "Test", familyName: role.label,
                email: email, username: username)
            nextID += 1
            users[user.id] = (user, hash, true)
            return user
        }
    }

    func deactivate(_ id: UserID) { lock.withLock { users[id]?.active = false } }
    /// Links a parent to a student.
    func link(parent: UserID, student: UserID) { _ = lock.withLock { guardianships.insert([parent.rawValue, student.rawValue]) } }
    /// Adds a class (ids from 1).
    @discardableResult
    func addClass(title: String, school: SchoolID = SchoolID(1), teachers: [UserID], students: [UserID], active: Bool = true) -> ClassID {
        lock.withLock {
            let id = ClassID(Int64(classes.count + 1))
            classes[id] = (school, title, teachers, students, active)
            return id
        }
    }
    func setGradeLevel(_ level: String, of user: UserID) { lock.withLock { gradeLevels[user] = level } }
    func mustChangeFlag(of user: UserID) -> Bool { lock.withLock { mustChange.contains(user) } }
    /// Every user, active or not.
    func everyone() -> [(user: UserAccount, active: Bool)] { lock.withLock { users.values.map { ($0.user, $0.active) } } }
    var sessionCount: Int { lock.withLock { sessions.count } }
    func passwordHash(of id: UserID) -> String? { lock.withLock { users[id]?.hash } }

    // MARK: AccountStore

    func signInCandidate(identifier: String) throws -> (user: UserAccount, passwordHash: String?)? {
        lock.withLock {
            users.values.first { $0.active && ($0.user.email == identifier || $0.user.username == identifier) }.map { ($0.user, $0.hash) }
        }
    }

    func activeUser(_ id: UserID) throws -> (user: UserAccount, passwordHash: String?)? {
        lock.withLock { users[id].flatMap { $0.active ? ($0.user, $0.hash) : nil } }
    }

    func setPasswordHash(_ hash: String, for user: UserID, now: Date) throws { lock.withLock { users[user]?.hash = hash } }

    func createUser(_ user: NewUser, now: Date) throws -> UserID {
        if try signInCandidate(identifier: user.email) != nil { throw StoreError(.duplicate, detail: "email") }
        return addUser(role: user.role, email: user.email, hash: user.passwordHash, school: user.schoolID).id
    }

    func schoolID(sourcedID: String) throws -> SchoolID? { sourcedID == "school-1" ? SchoolID(1) : nil }

    // MARK: PasswordLinkStore

    func createPasswordLink(digest: [UInt8], user: UserID, purpose: PasswordLinkPurpose, now: Date, expiresAt: Date) throws {
        lock.withLock { links[digest] = (user, purpose, expiresAt, false, now) }
    }

    func hasValidPasswordLink(for user: UserID, purpose: PasswordLinkPurpose, now: Date) throws -> Bool {
        lock.withLock { links.values.contains { $0.user == user && $0.purpose == purpose && !$0.used && $0.expires > now } }
    }

    func validPasswordLink(digest: [UInt8], now: Date) throws -> (user: UserID, purpose: PasswordLinkPurpose)? {
        lock.withLock {
            guard let link = links[digest], !link.used, link.expires > now, users[link.user]?.active == true else { return nil }
            return (link.user, link.purpose)
        }
    }

    func consumePasswordLink(digest: [UInt8], newHash: String, now: Date) throws -> UserID? {
        let user: UserID? = lock.withLock {
            guard let link = links[digest], !link.used, link.expires > now, users[link.user]?.active == true else { return nil }
            for (key, value) in links where value.user == link.user { links[key]?.used = true }
            users[link.user]?.hash = newHash
            mustChange.remove(link.user)
            sessions = sessions.filter { $0.value.user != link.user }
            return link.user
        }
        if let user { _ = revokeEveryGrant(user, now) }
        return user
    }

    func changePassword(_ hash: String, for user: UserID, keepingSession: [UInt8], now: Date) throws -> Int {
        lock.withLock {
            users[user]?.hash = hash
            mustChange.remove(user)
            sessions = sessions.filter { $0.value.user != user || $0.key == keepingSession }
        }
        return revokeEveryGrant(user, now)
    }

    // MARK: SessionStore

    func createSession(
        digest: [UInt8], user: UserID, methods: [AuthenticationMethod], now: Date, expiresAt: Date, clientAddress: String, userAgent: String
    ) throws {
        lock.withLock {
            sessions[digest] = (user, now, now, methods)
            sessionExpiries[digest] = expiresAt
        }
    }

    func session(digest: [UInt8]) throws -> (
        user: UserAccount, createdAt: Date, lastSeenAt: Date, methods: [AuthenticationMethod], secondFactor: SecondFactorStatus,
        languages: (person: String?, school: String?)
    )? {
        let found: (user: UserAccount, created: Date, seen: Date, methods: [AuthenticationMethod])? = lock.withLock {
            guard let session = sessions[digest], let user = users[session.user], user.active else { return nil }
            return (user.user, session.created, session.seen, session.methods)
        }
        guard let found else { return nil }
        return (found.user, found.created, found.seen, found.methods, secondFactorStatus(found.user), savedLanguages(found.user.id))
    }

    func touchSession(digest: [UInt8], now: Date) throws { lock.withLock { sessions[digest]?.seen = now } }
    func deleteSession(digest: [UInt8]) throws { _ = lock.withLock { sessions.removeValue(forKey: digest) } }

    func deleteSessions(of user: UserID, keeping: [UInt8]?) throws {
        lock.withLock { sessions = sessions.filter { $0.value.user != user || $0.key == keeping } }
    }

    /// Sessions are numbered by the order of their digests' first bytes (stable within a test).
    private func numbered() -> [(number: Int64, digest: [UInt8])] {
        sessions.keys.sorted { $0.lexicographicallyPrecedes($1) }.enumerated().map { (Int64($0.offset + 1), $0.element) }
    }

    func sessions(of user: UserID, current: [UInt8]?) throws -> [SessionSummary] {
        lock.withLock {
            numbered().compactMap { number, digest in
                guard let session = sessions[digest], session.user == user else { return nil }
                return SessionSummary(
                    number: number, createdAt: session.created, lastSeenAt: session.seen, clientAddress: "127.0.0.1", userAgent: "",
                    methods: session.methods, isCurrent: digest == current)
            }
        }
    }

    func deleteSession(number: Int64, of user: UserID) throws -> Bool {
        lock.withLock {
            guard let digest = numbered().first(where: { $0.number == number })?.digest, sessions[digest]?.user == user else { return false }
            sessions[digest] = nil
            return true
        }
    }

    // MARK: SignInThrottleStore

    func throttleState(key: [UInt8]) throws -> SignInThrottleState? { lock.withLock { throttles[key] } }

    func updateThrottle(key: [UInt8], _ update: (SignInThrottleState?) -> SignInThrottleState) throws {
        lock.withLock { throttles[key] = update(throttles[key]) }
    }

    func clearThrottle(key: [UInt8]) throws { _ = lock.withLock { throttles.removeValue(forKey: key) } }

    // MARK: School data (empty)

    func relationship(of viewer: UserAccount, toStudent student: UserID) throws -> StudentRelationship? {
        lock.withLock {
            guard let found = users[student], found.active, found.user.role == .student, let school = found.user.schoolID else { return nil }
            let teaches =
                viewer.role == .teacher
                && classes.values.contains { $0.active && $0.teachers.contains(viewer.id) && $0.students.contains(student) }
            return StudentRelationship(
                studentID: student, schoolID: school,
                isGuardian: viewer.role == .parent && guardianships.contains([viewer.id.rawValue, student.rawValue]), teachesStudent: teaches)
        }
    }
    func student(_ id: UserID) throws -> PersonSummary? { nil }
    func classes(ofStudent student: UserID) throws -> [ClassSummary] { [] }
    func publishedGrades(ofStudent student: UserID) throws -> [GradeLine] { [] }
    func attendance(ofStudent student: UserID, limit: Int) throws -> [AttendanceLine] { [] }
    func attendanceCounts(ofStudent student: UserID) throws -> [AttendanceStatus: Int] { [:] }
    func children(ofParent parent: UserID) throws -> [PersonSummary] {
        lock.withLock {
            guardianships.filter { $0[0] == parent.rawValue }.map { UserID($0[1]) }.sorted().compactMap { id in
                users[id].map {
                    PersonSummary(
                        id: id, role: $0.user.role, givenName: $0.user.givenName, familyName: $0.user.familyName, email: $0.user.email,
                        username: $0.user.username, gradeLevel: nil, active: $0.active)
                }
            }
        }
    }
    func relationship(of viewer: UserAccount, toClass classID: ClassID) throws -> ClassRelationship? {
        lock.withLock {
            classes[classID].map {
                ClassRelationship(classID: classID, schoolID: $0.school, teaches: $0.teachers.contains(viewer.id), active: $0.active)
            }
        }
    }
    func classes(taughtBy teacher: UserID) throws -> [ClassSummary] {
        lock.withLock { classes.keys.sorted().filter { classes[$0]!.teachers.contains(teacher) }.compactMap(summary) }
    }
    func classSummary(_ id: ClassID) throws -> ClassSummary? { lock.withLock { summary(id) } }
    func roster(of classID: ClassID) throws -> [PersonSummary] {
        lock.withLock { (classes[classID]?.students ?? []).compactMap(person).filter(\.active) }
    }

    private func summary(_ id: ClassID) -> ClassSummary? {
        classes[id].map {
            ClassSummary(
                id: id, title: $0.title, courseTitle: "Course", termTitle: "Term", classCode: nil,
                teacherNames: $0.teachers.compactMap { users[$0]?.user.displayName }, studentCount: $0.students.count)
        }
    }

    private func person(_ id: UserID) -> PersonSummary? {
        users[id].map {
            PersonSummary(
                id: id, role: $0.user.role, givenName: $0.user.givenName, familyName: $0.user.familyName, email: $0.user.email,
                username: $0.user.username, gradeLevel: gradeLevels[id], active: $0.active)
        }
    }
    func assessments(of classID: ClassID) throws -> [Assessment] { [] }
    func createAssessment(_ assessment: NewAssessment, in classID: ClassID, by teacher: UserID, now: Date) throws -> AssessmentID {
        throw StoreError(.constraint, detail: "no classes in memory")
    }
    func assessment(_ id: AssessmentID, in classID: ClassID) throws -> Assessment? { nil }
    func grades(of assessment: AssessmentID) throws -> [UserID: GradeEntry] { [:] }
    func saveGrades(_ entries: [GradeEntry], cleared: [UserID], assessment: AssessmentID, in classID: ClassID, by teacher: UserID, now: Date) throws {
    }
    func setPublished(_ published: Bool, assessment: AssessmentID, in classID: ClassID, now: Date) throws {}
    func attendanceSheet(of classID: ClassID, on day: CalendarDate) throws -> [UserID: AttendanceMark] { [:] }
    func saveAttendance(_ marks: [AttendanceMark], in classID: ClassID, on day: CalendarDate, by teacher: UserID, now: Date) throws {}
    func school(_ id: SchoolID) throws -> (name: String, sourcedID: String)? { id == SchoolID(1) ? ("Test School", "school-1") : nil }
    func users(of school: SchoolID, role: Role?, limit: Int, offset: Int) throws -> [PersonSummary] {
        lock.withLock {
            Array(
                users.keys.sorted().filter { users[$0]!.user.schoolID == school && (role == nil || users[$0]!.user.role == role) }
                    .compactMap(person).dropFirst(offset).prefix(limit))
        }
    }
    func userCounts(of school: SchoolID) throws -> [Role: Int] { [:] }
    func classes(of school: SchoolID) throws -> [ClassSummary] {
        lock.withLock { classes.keys.sorted().filter { classes[$0]!.school == school }.compactMap(summary) }
    }
    func recentImports(of school: SchoolID, limit: Int) throws -> [(at: Date, by: String, source: String, summary: String)] { [] }
    func apply(_ snapshot: RosterSnapshot, startedBy: String, source: String, now: Date) throws -> RosterImportSummary {
        throw StoreError(.unavailable, detail: "no roster store in memory")
    }

    // MARK: PasswordResetStore

    func mustChangePassword(_ user: UserID) throws -> Bool { lock.withLock { users[user]?.active == true && mustChange.contains(user) } }

    func resetPasswords(_ resets: [PasswordReset], now: Date) throws -> [UserID: Int] {
        let changed: [UserID] = lock.withLock {
            resets.compactMap { reset in
                guard users[reset.user]?.active == true else { return nil }
                users[reset.user]?.hash = reset.hash
                if reset.mustChange { mustChange.insert(reset.user) } else { mustChange.remove(reset.user) }
                for (key, value) in links where value.user == reset.user { links[key]?.used = true }
                sessions = sessions.filter { $0.value.user != reset.user }
                return reset.user
            }
        }
        return Dictionary(uniqueKeysWithValues: changed.map { ($0, revokeEveryGrant($0, now)) })
    }

    func replaceTemporaryPassword(of user: UserID, expected: String, with hash: String, now: Date) throws -> Bool {
        let changed: Bool = lock.withLock {
            guard let found = users[user], found.active, found.hash == expected, mustChange.contains(user) else { return false }
            users[user]?.hash = hash
            mustChange.remove(user)
            for (key, value) in links where value.user == user { links[key]?.used = true }
            sessions = sessions.filter { $0.value.user != user }
            return true
        }
        if changed { _ = revokeEveryGrant(user, now) }
        return changed
    }

    func temporaryPasswordsMustChange(in school: SchoolID) throws -> Bool { lock.withLock { temporaryRules[school] ?? true } }

    func setTemporaryPasswordsMustChange(_ mustChange: Bool, in school: SchoolID, now: Date) throws {
        lock.withLock { temporaryRules[school] = mustChange }
    }

    func students(of school: SchoolID, gradeLevel: String) throws -> [PersonSummary] {
        lock.withLock {
            users.keys.sorted().filter {
                let found = users[$0]!
                return found.active && found.user.role == .student && found.user.schoolID == school && gradeLevels[$0] == gradeLevel
            }.compactMap(person)
        }
    }

    func gradeLevels(of school: SchoolID) throws -> [String] {
        lock.withLock {
            Set(gradeLevels.filter { users[$0.key]?.user.schoolID == school && users[$0.key]?.active == true }.values).sorted()
        }
    }
}

// MARK: Session digests (for ``MemoryLogoutStore``)

extension MemoryAccounts {
    /// A person's session digests except `keeping`.
    func sessionDigests(of user: UserID, keeping: [UInt8]?) -> [[UInt8]] {
        lock.withLock { sessions.filter { $0.value.user == user && $0.key != keeping }.map(\.key) }
    }

    /// A stored session's times, whatever its user's state (as `MariaLogoutStore` reads them).
    func sessionTimes(digest: [UInt8]) -> (created: Date, seen: Date)? {
        lock.withLock { sessions[digest].map { ($0.created, $0.seen) } }
    }

    /// Deletes the stored ones of these sessions; returns those that were stored.
    func removeSessions(_ digests: [[UInt8]]) -> [[UInt8]] {
        lock.withLock { digests.filter { sessions.removeValue(forKey: $0) != nil } }
    }

    /// Up to `limit` sessions past `expires_at` or idle since `idleSince`, oldest expiry first.
    func expiredSessionDigests(now: Date, idleSince: Date, limit: Int) -> [[UInt8]] {
        lock.withLock {
            let expired = sessions.filter { (sessionExpiries[$0.key] ?? .distantFuture) <= now || $0.value.seen <= idleSince }.map(\.key)
            return Array(expired.sorted { (sessionExpiries[$0] ?? .distantFuture) < (sessionExpiries[$1] ?? .distantFuture) }.prefix(limit))
        }
    }

    /// One of a person's sessions by its number.
    func sessionDigest(number: Int64, of user: UserID) -> [UInt8]? {
        lock.withLock {
            guard let digest = numbered().first(where: { $0.number == number })?.digest, sessions[digest]?.user == user else { return nil }
            return digest
        }
    }
}
