import Crypto
import Domain
import Foundation
import Testing

/// A deterministic random source (SplitMix64) for the tests of generated secrets.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Temporary passwords, who may reset whose password, and the ticket of the "choose your password" step.
@Suite struct PasswordResetRulesTests {
    @Test func aTemporaryPasswordIsThreeGroupsOfFourUnambiguousCharacters() {
        var generator = SeededGenerator(state: 1)
        for _ in 0..<200 {
            let password = TemporaryPassword.make(using: &generator)
            let groups = password.split(separator: "-", omittingEmptySubsequences: false)
            #expect(groups.count == 3)
            #expect(groups.allSatisfy { $0.count == 4 && $0.allSatisfy(TemporaryPassword.alphabet.contains) })
            #expect(PasswordRules.problem(with: password, confirmation: password, identifiers: []) == nil)
        }
        #expect(!TemporaryPassword.alphabet.contains { "0o1liI".contains($0) })
    }

    @Test func aTemporaryPasswordHasAboutSixtyBitsAndUsesTheWholeAlphabet() {
        #expect(TemporaryPassword.entropyBits > 59.4)
        var generator = SeededGenerator(state: 7)
        var seen = Set<Character>()
        var passwords = Set<String>()
        for _ in 0..<500 {
            let password = TemporaryPassword.make(using: &generator)
            passwords.insert(password)
            seen.formUnion(password.filter { $0 != "-" })
        }
        #expect(passwords.count == 500)
        #expect(seen == Set(TemporaryPassword.alphabet))
    }

    @Test func theSameSeedGivesTheSamePasswordAndTheSystemSourceDoesNot() {
        var first = SeededGenerator(state: 42)
        var second = SeededGenerator(state: 42)
        #expect(TemporaryPassword.make(using: &first) == TemporaryPassword.make(using: &second))
        var system = SystemRandomNumberGenerator()
        #expect(TemporaryPassword.make(using: &system) != TemporaryPassword.make(using: &system))
    }

    // MARK: Who may reset whose password

    static func person(_ id: Int64, _ role: Role, school: SchoolID? = SchoolID(1)) -> UserAccount {
        UserAccount(id: UserID(id), role: role, schoolID: school, givenName: "G", familyName: "F", email: nil, username: nil)
    }

    static func facts(student: Int64 = 10, teaches: Bool, school: SchoolID = SchoolID(1)) -> StudentRelationship {
        StudentRelationship(studentID: UserID(student), schoolID: school, isGuardian: false, teachesStudent: teaches)
    }

    struct ResetCase: Sendable, CustomTestStringConvertible {
        let name: String
        let viewer: UserAccount
        let target: UserAccount
        let facts: StudentRelationship?
        let allowed: Bool
        var testDescription: String { name }
    }

    static let resetCases: [ResetCase] = [
        .init(
            name: "a school admin resets a student of the school", viewer: person(1, .schoolAdmin), target: person(10, .student), facts: nil,
            allowed: true),
        .init(
            name: "a school admin resets a teacher of the school", viewer: person(1, .schoolAdmin), target: person(2, .teacher), facts: nil,
            allowed: true),
        .init(
            name: "a school admin resets another admin of the school", viewer: person(1, .schoolAdmin), target: person(3, .schoolAdmin), facts: nil,
            allowed: true),
        .init(
            name: "a school admin does not reset a person of another school", viewer: person(1, .schoolAdmin),
            target: person(10, .student, school: SchoolID(2)), facts: nil, allowed: false),
        .init(
            name: "a school admin does not reset their own password here", viewer: person(1, .schoolAdmin), target: person(1, .schoolAdmin),
            facts: nil, allowed: false),
        .init(
            name: "a school admin never resets a platform admin", viewer: person(1, .schoolAdmin), target: person(5, .platformAdmin, school: nil),
            facts: nil,
            allowed: false),
        .init(
            name: "a teacher resets a student of their class", viewer: person(2, .teacher), target: person(10, .student), facts: facts(teaches: true),
            allowed: true),
        .init(
            name: "a teacher does not reset a student of another class", viewer: person(2, .teacher), target: person(10, .student),
            facts: facts(teaches: false),
            allowed: false),
        .init(
            name: "a teacher does not reset without the facts", viewer: person(2, .teacher), target: person(10, .student), facts: nil, allowed: false),
        .init(
            name: "a teacher does not reset with another student's facts", viewer: person(2, .teacher), target: person(10, .student),
            facts: facts(student: 11, teaches: true), allowed: false),
        .init(
            name: "a teacher does not reset another teacher", viewer: person(2, .teacher), target: person(4, .teacher), facts: facts(teaches: true),
            allowed: false),
        .init(
            name: "a teacher does not reset a student of another school", viewer: person(2, .teacher),
            target: person(10, .student, school: SchoolID(2)),
            facts: facts(teaches: true, school: SchoolID(2)), allowed: false),
        .init(name: "a parent resets nobody", viewer: person(6, .parent), target: person(10, .student), facts: facts(teaches: true), allowed: false),
        .init(
            name: "a student resets nobody", viewer: person(11, .student), target: person(10, .student), facts: facts(teaches: true), allowed: false),
        .init(
            name: "a platform admin resets no school person", viewer: person(5, .platformAdmin, school: nil), target: person(10, .student),
            facts: nil,
            allowed: false),
    ]

    @Test(arguments: resetCases) func mayResetPassword(_ testCase: ResetCase) {
        #expect(SchoolAccess.mayResetPassword(testCase.viewer, of: testCase.target, testCase.facts) == testCase.allowed)
    }

    // MARK: The choose-password ticket

    let key = SymmetricKey(data: Array(repeating: 3, count: 32))
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let hash = "$argon2id$v=19$m=8192,t=1,p=1$c2FsdA$aGFzaA"

    @Test func aTicketIsValidForTheHashItWasMadeFor() throws {
        let ticket = ChoosePasswordTicket.make(user: UserID(12), passwordHash: hash, now: now, key: key)
        let parsed = try #require(ChoosePasswordTicket.parse(ticket, now: now.addingTimeInterval(60)))
        #expect(parsed.user == UserID(12))
        #expect(ChoosePasswordTicket.isValid(parsed, passwordHash: hash, key: key))
    }

    @Test func aTicketIsWorthlessOnceThePasswordChangedOrUnderAnotherKey() throws {
        let ticket = ChoosePasswordTicket.make(user: UserID(12), passwordHash: hash, now: now, key: key)
        let parsed = try #require(ChoosePasswordTicket.parse(ticket, now: now))
        #expect(!ChoosePasswordTicket.isValid(parsed, passwordHash: hash + "x", key: key))
        let other = SymmetricKey(data: Array(repeating: 4, count: 32))
        #expect(!ChoosePasswordTicket.isValid(parsed, passwordHash: hash, key: other))
    }

    @Test func aTicketNamingAnotherPersonFailsItsCheck() throws {
        let ticket = ChoosePasswordTicket.make(user: UserID(12), passwordHash: hash, now: now, key: key)
        let forged = "13" + ticket.dropFirst(2)
        let parsed = try #require(ChoosePasswordTicket.parse(String(forged), now: now))
        #expect(!ChoosePasswordTicket.isValid(parsed, passwordHash: hash, key: key))
    }

    @Test func aTicketExpiresAfterItsLifetimeAndJunkIsNoTicket() {
        let ticket = ChoosePasswordTicket.make(user: UserID(12), passwordHash: hash, now: now, key: key)
        #expect(ChoosePasswordTicket.parse(ticket, now: now.addingTimeInterval(ChoosePasswordTicket.lifetime)) == nil)
        #expect(ChoosePasswordTicket.parse(ticket, now: now.addingTimeInterval(-120)) == nil)
        for junk in [nil, "", "12", "12.x.y", "0.1800000000." + String(repeating: "a", count: 43), String(repeating: "9", count: 200)] {
            #expect(ChoosePasswordTicket.parse(junk, now: now) == nil)
        }
    }
}
