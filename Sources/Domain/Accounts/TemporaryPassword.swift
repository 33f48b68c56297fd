import Foundation

/// Passwords that a school admin or teacher generates for a person and hands over on paper (a reset, or the sign-in
/// cards of a class): readable by a young student, typed on a tablet, and strong enough to be a password.
///
/// Three groups of four characters joined by hyphens (`k7dm-p3xq-9fht`): 12 characters drawn uniformly from
/// ``alphabet``, 31 symbols without the ones children and fonts confuse (`0 o`, `1 l i`), so
/// 12 × log2(31) ≈ 59.5 bits. Online guessing is throttled per name and address, so this is far beyond what an
/// attacker can try; offline, only its argon2id hash is stored. The hyphens are part of the password.
public enum TemporaryPassword {
    /// The symbols drawn: digits 2–9 and lower-case letters without `i`, `l` and `o`.
    public static let alphabet: [Character] = Array("23456789abcdefghjkmnpqrstuvwxyz")
    /// Groups of characters, and characters per group.
    public static let groups = 3
    public static let groupLength = 4

    /// The entropy of one password in bits (each character uniform and independent).
    public static var entropyBits: Double { Double(groups * groupLength) * log2(Double(alphabet.count)) }

    /// A new password; the random source is a parameter so tests can fix it (the site passes the system's CSPRNG).
    public static func make(using generator: inout some RandomNumberGenerator) -> String {
        (0..<groups).map { _ in
            String((0..<groupLength).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        }.joined(separator: "-")
    }
}
