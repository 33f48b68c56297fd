import Domain
import Foundation
import Testing

@testable import Native

/// libsodium's minimum-cost end, so the suite stays fast; one test covers the production parameters.
private let fast = try! Argon2idPasswordHasher(opsLimit: 1, memoryKiB: 8 * 1024)

@Suite struct Argon2idPasswordHasherTests {
    @Test func aHashVerifiesItsPasswordAndNoOther() throws {
        let hash = try fast.hash("correct horse battery staple")
        #expect(hash.hasPrefix("$argon2id$v=19$m=8192,t=1,p=1$"))
        #expect(fast.verify("correct horse battery staple", against: hash))
        #expect(!fast.verify("correct horse battery stapl", against: hash))
        #expect(!fast.verify("Correct horse battery staple", against: hash))
        #expect(!fast.verify("", against: hash))
    }

    @Test func eachHashHasItsOwnSalt() throws {
        let hashes = try (0..<3).map { _ in try fast.hash("same password") }
        let salts = hashes.map { $0.split(separator: "$")[3] }
        #expect(Set(salts).count == 3)
        #expect(hashes.allSatisfy { fast.verify("same password", against: $0) })
    }

    @Test func unicodePasswordsAreHashedAsTheirUTF8Bytes() throws {
        let hash = try fast.hash("Grüße, Schülerin 7b! 🔑")
        #expect(fast.verify("Grüße, Schülerin 7b! 🔑", against: hash))
        #expect(!fast.verify("Grusse, Schulerin 7b! 🔑", against: hash))
        // No normalisation: the decomposed ü (u + U+0308) is other bytes than the precomposed one.
        #expect(!fast.verify("Gru\u{308}ße, Schu\u{308}lerin 7b! 🔑", against: hash))
    }

    @Test func aPasswordIsHashedWholeEvenPastANUL() throws {
        let hash = try fast.hash("abc\0def")
        #expect(fast.verify("abc\0def", against: hash))
        #expect(!fast.verify("abc", against: hash))
        #expect(!fast.verify("abc\0xyz", against: hash))
    }

    @Test func theEmptyPasswordCanBeHashed() throws {
        // Length rules live in Domain's PasswordRules; the hasher itself must not fail on them.
        let hash = try fast.hash("")
        #expect(fast.verify("", against: hash))
        #expect(!fast.verify(" ", against: hash))
    }

    @Test func aPasswordOverTheLengthLimitIsRefusedByHashAndNeverMatches() throws {
        let longest = String(repeating: "ä", count: Argon2idPasswordHasher.maxPasswordBytes / 2)
        #expect(longest.utf8.count == 4096)
        let hash = try fast.hash(longest)
        #expect(fast.verify(longest, against: hash))
        let error = #expect(throws: PasswordHashingError.self) { try fast.hash(longest + "x") }
        #expect(error?.isPasswordTooLong == true)
        #expect(error?.description == "the password is too long (at most 4096 bytes)")
        #expect(!fast.verify(longest + "x", against: hash))
    }

    @Test(arguments: [
        "",
        "not a hash",
        "$argon2id$",
        "$argon2id$v=19$m=8192,t=1,p=1$",
        "$argon2id$v=19$m=8192,t=1,p=1$c2FsdA$",
        "$argon2id$v=19$m=abc,t=1,p=1$Y2F0YWx5c3R3ZWxscy0xNg$81MygFWlCPMlkWVc+F8jrg4oAyK4i6p0MPHjeTbbZF4",
        "$argon2id$v=16$m=19456,t=2,p=1$Y2F0YWx5c3R3ZWxscy0xNg$81MygFWlCPMlkWVc+F8jrg4oAyK4i6p0MPHjeTbbZF4",
        "$argon2id$v=19$m=19456,t=2,p=1$Y2F0YWx5c3R3ZWxscy0xNg$81MygFWlCPMlkWVc+F8jrg4oAyK4i6p0MPHjeTbbZF",
        "$argon2id$v=19$m=19456,t=2,p=1$Y2F0YWx5c3R3ZWxscy0xNg$81MygFWlCPMlkWVc+F8jrg4oAyK4i6p0MPHjeTbbZF4\0garbage",
        "$argon2id$v=19$m=19456,t=2,p=1$Y2F0YWx5c3R3ZWxscy0xNg$81MygFWlCPMlkWVc+F8jrg4oAyK4i6p0MPHjeTbbZF4"
            + String(repeating: "A", count: 200),
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
    ])
    func aMalformedHashVerifiesNothingAndNeedsRehash(hash: String) {
        #expect(!fast.verify("Grüße, Schülerin 7b!", against: hash))
        #expect(fast.needsRehash(hash))
    }

    @Test func hashesMadeWithOtherParametersNeedRehash() throws {
        let hash = try fast.hash("pw")
        #expect(!fast.needsRehash(hash))
        #expect(try Argon2idPasswordHasher(opsLimit: 2, memoryKiB: 8 * 1024).needsRehash(hash))
        #expect(try Argon2idPasswordHasher(opsLimit: 1, memoryKiB: 16 * 1024).needsRehash(hash))
        // A stronger hasher still verifies the old hash, so the password can be re-hashed at sign-in.
        #expect(try Argon2idPasswordHasher(opsLimit: 2, memoryKiB: 16 * 1024).verify("pw", against: hash))
    }

    @Test(arguments: [(1, 7), (0, 8192), (-1, 8192), (1, -8192), (1, Int.max), (Int.max, 8192)])
    func parametersOutsideLibsodiumsRangeAreRefused(opsLimit: Int, memoryKiB: Int) {
        let error = #expect(throws: PasswordHashingError.self) {
            try Argon2idPasswordHasher(opsLimit: opsLimit, memoryKiB: memoryKiB)
        }
        #expect(error?.isInvalidParameters == true)
        #expect(error?.description.hasPrefix("invalid argon2id parameters: ") == true)
    }

    @Test func theParametersReadAsInLogs() throws {
        #expect(Argon2idPasswordHasher.interactive.parameters == "argon2id m=65536 KiB t=2 p=1")
        #expect(fast.parameters == "argon2id m=8192 KiB t=1 p=1")
        #expect(try Argon2idPasswordHasher(opsLimit: 2, memoryKiB: 64 * 1024) == .interactive)
    }

    @Test func theProductionParametersHashAndVerify() throws {
        let hasher: any PasswordHasher = Argon2idPasswordHasher.interactive
        let hash = try hasher.hash("correct horse battery staple")
        #expect(hash.hasPrefix("$argon2id$v=19$m=65536,t=2,p=1$"))
        #expect(try hasher.verify("correct horse battery staple", against: hash))
        #expect(!hasher.needsRehash(hash))
        #expect(hasher.needsRehash(try fast.hash("x")))
    }
}

/// Hashes made by another implementation: argon2-cffi 25.1.0 (the PHC reference C code) with
/// `argon2.low_level.hash_secret(password.encode(), b"catalystwells-16", time_cost=2, memory_cost=19456,
/// parallelism=P, hash_len=32, type=Type.ID)` (Type.I for the argon2i one), i.e. OWASP's minimum parameters.
@Suite struct Argon2idKnownAnswerTests {
    static let password = "Grüße, Schülerin 7b!"
    static let argon2idOneLane =
        "$argon2id$v=19$m=19456,t=2,p=1$Y2F0YWx5c3R3ZWxscy0xNg$81MygFWlCPMlkWVc+F8jrg4oAyK4i6p0MPHjeTbbZF4"
    static let argon2idFourLanes =
        "$argon2id$v=19$m=19456,t=2,p=4$Y2F0YWx5c3R3ZWxscy0xNg$LAwlkWDFvNFNBnkjaSwnVROzZ9TwSkz+eqYJH5ViI0I"
    /// Of the password "password".
    static let argon2i =
        "$argon2i$v=19$m=19456,t=2,p=1$Y2F0YWx5c3R3ZWxscy0xNg$CkqgDHYDKz5/Qwbs4NevLkKh6UbNl8x+q8iop1ZBi5U"

    let owaspMinimum = try! Argon2idPasswordHasher(opsLimit: 2, memoryKiB: 19456)

    @Test func aReferenceHashVerifies() {
        #expect(fast.verify(Self.password, against: Self.argon2idOneLane))
        #expect(!fast.verify("Grüße, Schülerin 7a!", against: Self.argon2idOneLane))
        #expect(!owaspMinimum.needsRehash(Self.argon2idOneLane))
    }

    @Test func aReferenceHashWithFourLanesVerifiesButNeedsRehash() {
        #expect(fast.verify(Self.password, against: Self.argon2idFourLanes))
        #expect(owaspMinimum.needsRehash(Self.argon2idFourLanes))
    }

    @Test func anArgon2iHashVerifiesButNeedsRehashToArgon2id() {
        #expect(fast.verify("password", against: Self.argon2i))
        #expect(owaspMinimum.needsRehash(Self.argon2i))
    }
}

/// Run with `ARGON2_BENCH=1 swift test --filter Argon2idBenchmark` (release build for production numbers).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["ARGON2_BENCH"] != nil))
struct Argon2idBenchmark {
    @Test func tenHashesAtTheProductionParameters() throws {
        let hasher = Argon2idPasswordHasher.interactive
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for index in 0..<10 { _ = try hasher.hash("benchmark password \(index)") }
        }
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        print("\(hasher.parameters): \(milliseconds / 10) ms/hash")
    }
}
