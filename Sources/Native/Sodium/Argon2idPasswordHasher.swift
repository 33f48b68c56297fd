import CSodium
import Domain

/// Argon2id (RFC 9106) password hashing by libsodium, producing and checking PHC strings such as
/// `$argon2id$v=19$m=65536,t=2,p=1$salt$hash`.
///
/// libsodium always hashes with one lane (`p=1`), so ``parameters`` and ``needsRehash(_:)`` treat the lane
/// count as part of the parameters. Hashes made elsewhere with more lanes (argon2-cffi's default is `p=4`)
/// still verify.
public struct Argon2idPasswordHasher: PasswordHasher, Equatable {
    /// The longest password accepted, in UTF-8 bytes.
    ///
    /// Argon2 itself takes up to 4 GiB; the bound keeps a sign-in form from making the server hash megabytes,
    /// and is far above any passphrase or password-manager output.
    public static let maxPasswordBytes = 4096

    /// The production parameters: t=2 passes over m=64 MiB, one lane.
    ///
    /// OWASP's floor for argon2id is m=19 MiB with t=2. We keep t=2 and take libsodium's "interactive" memory
    /// (`crypto_pwhash_MEMLIMIT_INTERACTIVE`, 64 MiB), more than three times the floor: memory is what makes
    /// each guess expensive on GPUs. One hash takes 80-90 ms on the 2-core build machine, so a sign-in
    /// spends well under a tenth of a second in it.
    public static let interactive = Argon2idPasswordHasher(checkedOpsLimit: 2, memoryKiB: 64 * 1024)

    /// Passes over memory (argon2's `t`).
    public let opsLimit: Int
    /// Memory used per hash, in KiB (argon2's `m`).
    public let memoryKiB: Int

    /// Creates a hasher after checking the parameters against the ranges libsodium accepts.
    ///
    /// - Throws: ``PasswordHashingError`` when `opsLimit` or `memoryKiB` is out of range, or when libsodium
    ///   cannot be initialised.
    public init(opsLimit: Int, memoryKiB: Int) throws(PasswordHashingError) {
        guard Sodium.isReady else { throw .libraryUnavailable }
        let opsRange = crypto_pwhash_opslimit_min()...crypto_pwhash_opslimit_max()
        guard opsRange.contains(opsLimit) else {
            throw .invalidParameters(
                "t=\(opsLimit) is outside \(opsRange.lowerBound)...\(opsRange.upperBound)")
        }
        let memoryRange = crypto_pwhash_memlimit_min()...crypto_pwhash_memlimit_max()
        let (bytes, overflow) = memoryKiB.multipliedReportingOverflow(by: 1024)
        guard !overflow, memoryRange.contains(bytes) else {
            throw .invalidParameters(
                "m=\(memoryKiB) KiB is outside \(memoryRange.lowerBound / 1024)...\(memoryRange.upperBound / 1024) KiB")
        }
        self.init(checkedOpsLimit: opsLimit, memoryKiB: memoryKiB)
    }

    /// For constants known to lie within libsodium's ranges; libsodium's readiness is checked on each use.
    private init(checkedOpsLimit: Int, memoryKiB: Int) {
        self.opsLimit = checkedOpsLimit
        self.memoryKiB = memoryKiB
    }

    /// For example `argon2id m=65536 KiB t=2 p=1`.
    public var parameters: String { "argon2id m=\(memoryKiB) KiB t=\(opsLimit) p=1" }

    private var memoryBytes: Int { memoryKiB * 1024 }

    /// Hashes `password` with a fresh 16-byte random salt.
    ///
    /// - Throws: ``PasswordHashingError`` when the password is longer than ``maxPasswordBytes`` or libsodium
    ///   cannot allocate the memory.
    public func hash(_ password: String) throws(PasswordHashingError) -> String {
        guard Sodium.isReady else { throw .libraryUnavailable }
        guard password.utf8.count <= Self.maxPasswordBytes else {
            throw .passwordTooLong(maxBytes: Self.maxPasswordBytes)
        }
        let strBytes = crypto_pwhash_strbytes()
        let encoded: String? = withUnsafeTemporaryAllocation(of: CChar.self, capacity: strBytes) { out in
            guard let base = out.baseAddress else { return nil }
            out.initialize(repeating: 0)
            let status = Sodium.withPasswordBytes(password) { bytes, count in
                crypto_pwhash_str_alg(
                    base, bytes, UInt64(count), UInt64(opsLimit), memoryBytes, crypto_pwhash_alg_argon2id13())
            }
            // On success libsodium has written a NUL-terminated ASCII string shorter than the buffer.
            return status == 0 ? String(cString: base) : nil
        }
        guard let encoded else { throw .hashingFailed }
        return encoded
    }

    /// Whether `password` matches `hash`; libsodium compares in constant time.
    ///
    /// False for a malformed hash, a hash of another algorithm than argon2i/argon2id, and a password longer
    /// than ``maxPasswordBytes`` (no hash we made can match it).
    public func verify(_ password: String, against hash: String) -> Bool {
        guard Sodium.isReady, password.utf8.count <= Self.maxPasswordBytes, Sodium.isStoredHashShape(hash) else {
            return false
        }
        return hash.withCString { encoded in
            Sodium.withPasswordBytes(password) { bytes, count in
                crypto_pwhash_str_verify(encoded, bytes, UInt64(count)) == 0
            }
        }
    }

    /// Whether `hash` was made with other parameters than this hasher's, or is not an argon2id hash at all.
    public func needsRehash(_ hash: String) -> Bool {
        // libsodium compares only m and t, and takes an argon2i hash with the same numbers as current: the
        // variant and the lane count are checked here first.
        let fields = hash.split(separator: "$", omittingEmptySubsequences: false)
        guard Sodium.isStoredHashShape(hash), fields.count == 6, fields[1] == "argon2id",
            fields[3].hasSuffix(",p=1")
        else { return true }
        return hash.withCString { encoded in
            crypto_pwhash_str_needs_rehash(encoded, UInt64(opsLimit), memoryBytes) != 0
        }
    }
}

/// Process-wide libsodium set-up and the pointer plumbing the hasher shares.
private enum Sodium {
    /// `sodium_init` picks CPU-specific code paths and opens the system's randomness once; a `static let` runs
    /// it exactly once even when the first uses race.
    static let isReady: Bool = sodium_init() >= 0

    /// libsodium reads a stored hash as a C string: one with an embedded NUL would be cut short there, and
    /// one as long as the buffer is not a hash libsodium made.
    static func isStoredHashShape(_ hash: String) -> Bool {
        hash.utf8.count < crypto_pwhash_strbytes() && !hash.utf8.contains(0)
    }

    /// Gives `body` the password's UTF-8 bytes as a pointer and a length: libsodium takes a length, so a
    /// password containing U+0000 is hashed whole rather than cut at the NUL as a C string would be.
    static func withPasswordBytes<R>(_ password: String, _ body: (UnsafePointer<CChar>, Int) -> R) -> R {
        var password = password
        return password.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars in
                // An empty string has no storage, but libsodium wants a valid pointer even for length 0.
                guard let base = chars.baseAddress else { return "".withCString { body($0, 0) } }
                return body(base, chars.count)
            }
        }
    }
}
