import Domain
import Foundation
import Testing

/// The education API's rules on plain values: the endpoint table, the scope check, cursors, rate buckets and
/// school app policies.
@Suite struct EducationAPITests {
    static func user(_ role: Role, school: SchoolID? = SchoolID(1)) -> UserAccount {
        UserAccount(
            id: UserID(7), role: role, schoolID: role == .platformAdmin ? nil : school, givenName: "G", familyName: "F", email: nil, username: nil)
    }

    static func caller(_ role: Role?, _ scopes: [String]) -> APICaller {
        APICaller(
            principal: role.map { .user(user($0)) } ?? .application, clientID: ClientID("app"), scopes: Set(scopes))
    }

    @Test func everyEndpointScopeIsInTheRegistryAndGrantableByItsRole() {
        for endpoint in EducationAPI.endpoints {
            for (role, scope) in endpoint.scopes {
                let definition = ScopeRegistry.standard.definition(named: scope)
                #expect(definition != nil, "\(endpoint.operation) names unknown scope \(scope)")
                #expect(definition?.grantableBy.contains(role) == true, "\(role) cannot grant \(scope) for \(endpoint.operation)")
            }
            if let app = endpoint.appScope { #expect(ScopeRegistry.standard.definition(named: app)?.isAppLevel == true) }
            #expect(endpoint.path.hasPrefix(EducationAPI.prefix + "/"))
            #expect(endpoint.isPublic == endpoint.scopes.isEmpty, "\(endpoint.operation): only the public endpoint needs no scope")
        }
    }

    @Test func operationsAndRoutesAreUnique() {
        let operations = EducationAPI.endpoints.map(\.operation)
        #expect(Set(operations).count == operations.count)
        #expect(Set(operations) == Set(APIEndpoint.Operation.allCases))
        let routes = EducationAPI.endpoints.map { "\($0.method) \($0.path)" }
        #expect(Set(routes).count == routes.count)
    }

    @Test func writesNameTheirWebhookEvents() {
        #expect(EducationAPI.endpoint(.recordGrades).event == "grade.published")
        #expect(EducationAPI.endpoint(.recordAttendance).event == "attendance.recorded")
        #expect(EducationAPI.endpoints.filter(\.writes).allSatisfy { $0.event != nil })
    }

    struct ScopeCase: Sendable, CustomTestStringConvertible {
        let name: String
        let operation: APIEndpoint.Operation
        let caller: APICaller
        let expected: APIScopeCheck.Decision
        var testDescription: String { name }
    }

    static let scopeCases: [ScopeCase] = [
        .init(
            name: "a parent token with parent.grades.read reads grades", operation: .studentGrades,
            caller: caller(.parent, ["parent.grades.read"]), expected: .proceed),
        .init(
            name: "a parent token without it is told which scope is missing", operation: .studentGrades,
            caller: caller(.parent, ["parent.children.read"]), expected: .missingScope("parent.grades.read")),
        .init(
            name: "a student's own scope is student.grades.read", operation: .studentGrades,
            caller: caller(.student, ["parent.grades.read"]), expected: .missingScope("student.grades.read")),
        .init(
            name: "a student never reaches a class roster", operation: .classStudents,
            caller: caller(.student, ["teacher.students.read"]), expected: .notFound),
        .init(
            name: "a parent cannot record attendance", operation: .recordAttendance,
            caller: caller(.parent, ["teacher.attendance.write"]), expected: .notFound),
        .init(
            name: "a teacher records attendance with the write scope", operation: .recordAttendance,
            caller: caller(.teacher, ["teacher.attendance.write"]), expected: .proceed),
        .init(
            name: "a teacher with only the read scope may not write", operation: .recordAttendance,
            caller: caller(.teacher, ["teacher.attendance.read"]), expected: .missingScope("teacher.attendance.write")),
        .init(
            name: "a school admin reads students with admin.users.read", operation: .student,
            caller: caller(.schoolAdmin, ["admin.users.read"]), expected: .proceed),
        .init(
            name: "an app token reads a school with school.read", operation: .school,
            caller: caller(nil, ["school.read"]), expected: .proceed),
        .init(
            name: "an app token cannot read a student", operation: .studentGrades,
            caller: caller(nil, ["school.read"]), expected: .needsUser),
        .init(
            name: "a platform admin has no school to read", operation: .school,
            caller: caller(.platformAdmin, ["school.read"]), expected: .notFound),
    ]

    @Test(arguments: scopeCases)
    func scopeCheck(_ c: ScopeCase) {
        #expect(APIScopeCheck.decide(EducationAPI.endpoint(c.operation), c.caller) == c.expected)
    }

    @Test func cursorsRoundTripAndRefuseOtherListsAndJunk() throws {
        let cursor = APICursor(list: "attendance", keys: [20_260_303, 42])
        #expect(APICursor(token: cursor.token, list: "attendance", keyCount: 2) == cursor)
        #expect(!cursor.token.contains("="))
        #expect(APICursor(token: cursor.token, list: "grades", keyCount: 2) == nil)
        #expect(APICursor(token: cursor.token, list: "attendance", keyCount: 1) == nil)
        for junk in ["", "!!", "abc", String(repeating: "A", count: 300), APICursor(list: "grades", keys: []).token] {
            #expect(APICursor(token: junk, list: "grades", keyCount: 1) == nil, "\(junk)")
        }
        // A key that is not a number.
        let forged = Data("grades:-1".utf8).base64EncodedString().replacingOccurrences(of: "=", with: "")
        #expect(APICursor(token: forged, list: "grades", keyCount: 1) == nil)
    }

    @Test func pagesValidateLimitAndCursorAndSliceOneExtraRow() throws {
        #expect(try APIPage.parse(limit: nil, cursor: nil, list: "g", keyCount: 1).get().limit == EducationAPI.defaultPageSize)
        for bad in ["0", "101", "-1", "ten", "1e2", "0001"] {
            guard case .failure(let errors) = APIPage.parse(limit: bad, cursor: nil, list: "g", keyCount: 1) else {
                Issue.record("limit \(bad) accepted")
                continue
            }
            #expect(errors["limit"] != nil)
        }
        guard case .failure(let errors) = APIPage.parse(limit: "5", cursor: "nope", list: "g", keyCount: 1) else {
            Issue.record("bad cursor accepted")
            return
        }
        #expect(errors["cursor"] != nil)
        let page = APIPage(limit: 2, after: nil)
        let (items, next) = page.slice([10, 11, 12], list: "g") { [Int64($0)] }
        #expect(items == [10, 11])
        #expect(next == APICursor(list: "g", keys: [11]))
        #expect(page.slice([10, 11], list: "g") { [Int64($0)] }.next == nil)
    }

    @Test func aTokenBucketAllowsTheBurstThenRefillsAtTheRate() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var bucket = TokenBucket(capacity: 3, perMinute: 60, now: start)
        let first = bucket.take(now: start)
        #expect(first == .init(allowed: true, remaining: 2, resetSeconds: 1, retryAfterSeconds: 0))
        _ = bucket.take(now: start)
        #expect(bucket.take(now: start).allowed)
        let refused = bucket.take(now: start)
        #expect(!refused.allowed)
        #expect(refused.remaining == 0)
        #expect(refused.retryAfterSeconds == 1)
        #expect(refused.resetSeconds == 3)
        // One second later one token is back, and only one.
        #expect(bucket.take(now: start.addingTimeInterval(1)).allowed)
        #expect(!bucket.take(now: start.addingTimeInterval(1)).allowed)
        // A long pause refills to capacity, never beyond.
        let later = bucket.take(now: start.addingTimeInterval(3600))
        #expect(later.allowed && later.remaining == 2)
        // A clock that steps back does not mint tokens.
        var other = TokenBucket(capacity: 1, perMinute: 60, now: start)
        _ = other.take(now: start)
        #expect(!other.take(now: start.addingTimeInterval(-30)).allowed)
    }

    @Test func aLeaseTakesWhatTheBucketHasUpToTheAskAndWorkersSpendItLocally() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var bucket = TokenBucket(capacity: 10, perMinute: 60, now: start)
        let first = bucket.lease(upTo: 4, now: start)
        #expect(first.granted == 4 && first.decision.remaining == 6 && first.decision.allowed)
        #expect(bucket.lease(upTo: 4, now: start).granted == 4)
        let short = bucket.lease(upTo: 4, now: start)
        #expect(short.granted == 2 && short.decision.remaining == 0)
        let none = bucket.lease(upTo: 4, now: start)
        #expect(none.granted == 0 && !none.decision.allowed && none.decision.retryAfterSeconds == 1)
        // Refilled at the rate, as a stored bucket read back later would be.
        var stored = TokenBucket(capacity: 10, perMinute: 60, tokens: bucket.tokens, updatedAt: bucket.updatedAt)
        #expect(stored.lease(upTo: 4, now: start.addingTimeInterval(3)).granted == 3)
        // A capacity lowered since the bucket was stored cuts the stored tokens to it; nonsense reads as empty.
        #expect(TokenBucket(capacity: 2, perMinute: 60, tokens: 9, updatedAt: start).tokens == 2)
        #expect(TokenBucket(capacity: 2, perMinute: 60, tokens: .nan, updatedAt: start).tokens == 0)
        #expect(APIRateLease.leaseSize(capacity: 60) == 6 && APIRateLease.leaseSize(capacity: 3) == 1)

        var lease = APIRateLease()
        #expect(lease.spend(now: start) == nil)
        lease.add(granted: 2, shared: first.decision, perMinute: 60, now: start)
        #expect(lease.spend(now: start)?.remaining == 7)
        #expect(lease.spend(now: start)?.remaining == 6)
        #expect(lease.spend(now: start) == nil)
        // An empty lease refuses from memory for one token interval (here 1 s at 60 a minute), then asks again.
        lease.add(granted: 0, shared: none.decision, perMinute: 60, now: start)
        #expect(
            lease.spend(now: start.addingTimeInterval(0.5))
                == .init(allowed: false, remaining: 0, resetSeconds: none.decision.resetSeconds, retryAfterSeconds: 1))
        #expect(lease.spend(now: start.addingTimeInterval(1)) == nil)
    }

    @Test func schoolPoliciesDefaultToAllowedAndLimitScopes() {
        let scopes = ScopeRegistry.standard.definitions(of: ["openid", "student.grades.read", "student.classes.read"])
        #expect(SchoolAppPolicy.default.allowsAuthorization)
        #expect(SchoolAppPolicy.default.permitted(scopes) == scopes)
        let limited = SchoolAppPolicy(status: .allowed, scopeLimit: ["openid", "student.classes.read"])
        #expect(limited.permitted(scopes).map(\.name) == ["openid", "student.classes.read"])
        #expect(!SchoolAppPolicy(status: .blocked, scopeLimit: nil).allowsAuthorization)
    }

    @Test func accessLogSentencesNameTheAppTheChildAndTheData() {
        let entry = DataAccessEntry(
            occurredAt: Date(), clientID: ClientID("study"), actorID: UserID(1), subjectID: UserID(2), schoolID: SchoolID(1),
            operation: APIEndpoint.Operation.studentGrades.rawValue, request: "GET /api/v1/students/2/grades", status: 200)
        #expect(DataAccessRecord(entry: entry, appName: "Study Buddy", subjectName: "Ana Okafor").sentence == "Study Buddy read Ana Okafor's grades")
        let write = DataAccessEntry(
            occurredAt: Date(), clientID: ClientID("study"), actorID: UserID(1), subjectID: nil, schoolID: SchoolID(1),
            operation: APIEndpoint.Operation.recordAttendance.rawValue, request: "POST /api/v1/classes/3/attendance", status: 200)
        #expect(DataAccessRecord(entry: write, appName: "Study Buddy", subjectName: nil).sentence == "Study Buddy wrote attendance")
    }
}
