import Crypto
import Domain
import Foundation
import Testing

/// QR badges' rules: the secret, its keyed digest and link, and the schools' policy with its network ranges.
@Suite struct BadgeTests {
    let key = SymmetricKey(data: Array(repeating: UInt8(3), count: 32))

    /// A generator that always gives the same byte, so a made secret is known in advance.
    struct Constant: RandomNumberGenerator {
        let value: UInt64
        mutating func next() -> UInt64 { value }
    }

    @Test func aSecretIs256RandomBitsWrittenAs43Base64URLCharactersAndPrintsRedacted() throws {
        var zeros = Constant(value: 0)
        let secret = BadgeSecret.make(using: &zeros)
        #expect(secret.text == String(repeating: "A", count: 43))
        #expect("\(secret)" == "<redacted>")
        var generator = SystemRandomNumberGenerator()
        let a = BadgeSecret.make(using: &generator)
        let b = BadgeSecret.make(using: &generator)
        #expect(a != b && a.text.count == 43)
        #expect(try #require(BadgeSecret(submitted: a.text)) == a)
    }

    @Test func theDigestIsHMACSHA256OfTheLabelledSecretUnderTheKeyAndDependsOnTheKey() {
        let text = String(repeating: "A", count: 43)
        let expected = Array(HMAC<SHA256>.authenticationCode(for: Array("cw badge v1 \(text)".utf8), using: key))
        #expect(BadgeSecret.digest(text, key: key) == expected)
        #expect(BadgeSecret(submitted: text)?.digest(key: key) == expected)
        #expect(BadgeSecret.digest(text, key: SymmetricKey(data: Array(repeating: UInt8(4), count: 32))) != expected)
        #expect(expected.count == 32)
    }

    @Test(arguments: [
        "", "short", String(repeating: "A", count: 42), String(repeating: "A", count: 44), String(repeating: "A", count: 42) + "+",
        String(repeating: "A", count: 42) + "=", String(repeating: "é", count: 43), String(repeating: "A", count: 42) + "B",
    ])
    func submittedTextThatIsNotExactlyA32ByteBase64URLSecretIsRefused(text: String) {
        #expect(BadgeSecret(submitted: text) == nil)
    }

    @Test func aLeadingHashAndSurroundingSpaceAreToleratedAsTheScriptMightLeaveThem() {
        let text = String(repeating: "A", count: 42) + "Q"
        #expect(BadgeSecret(submitted: " #\(text)\n")?.text == text)
    }

    @Test func theLinkPutsTheSecretInTheFragmentOfTheBadgePage() {
        var zeros = Constant(value: 0)
        let secret = BadgeSecret.make(using: &zeros)
        #expect(secret.link(appURL: "https://app.example/") == "https://app.example/login/badge#" + String(repeating: "A", count: 43))
    }

    @Test(arguments: [
        ("10.20.0.0/16", "10.20.255.1", true), ("10.20.0.0/16", "10.21.0.1", false), ("10.1.2.3/8", "10.200.0.0", true),
        ("192.0.2.7", "192.0.2.7", true), ("192.0.2.7", "192.0.2.8", false), ("0.0.0.0/0", "203.0.113.9", true),
        ("2001:db8:42::/48", "2001:db8:42:ffff::1", true), ("2001:db8:42::/48", "2001:db8:43::1", false),
        ("2001:db8::/32", "2001:0db8:0000:0000:0000:0000:0000:0001", true), ("::1/128", "::1", true), ("::/0", "fe80::1", true),
        ("10.0.0.0/8", "::ffff:10.1.2.3", true), ("10.0.0.0/8", "::ffff:11.1.2.3", false), ("10.0.0.0/8", "2001:db8::1", false),
        ("2001:db8::/32", "10.0.0.1", false), ("64:ff9b::/96", "64:ff9b::192.0.2.33", true), ("10.0.0.0/8", "unix:", false),
        ("10.0.0.0/8", "", false), ("10.0.0.0/8", "10.0.0", false),
    ])
    func aRangeContainsExactlyTheAddressesUnderItsPrefix(range: String, address: String, inside: Bool) throws {
        #expect(try #require(NetworkRange(range)).contains(address) == inside)
    }

    @Test(arguments: [
        "", "10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "256.0.0.1", "010.0.0.1", "10.0.0.0/08", "10.0.0.0/-1", "10.0.0.0/8/8", "1.2.3.4.5",
        "2001:db8::/129", "2001:db8:::1", "2001::db8::1", "12345::", "g::1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "fe80::1%eth0",
        "::ffff:1.2.3", "school", "10.0.0.0 /8",
    ])
    func textThatIsNoRangeIsRefused(text: String) {
        #expect(NetworkRange(text) == nil)
    }

    @Test func rangesPrintCanonicallyWithHostBitsCleared() throws {
        #expect(try #require(NetworkRange("10.1.2.3/8")).description == "10.0.0.0/8")
        #expect(try #require(NetworkRange("2001:0DB8:0:0:1:0:0:0/64")).description == "2001:db8::/64")
        #expect(try #require(NetworkRange("2001:db8:0:0:1:0:0:1")).description == "2001:db8::1:0:0:1/128")
        #expect(try #require(NetworkRange("::")).description == "::/128")
        #expect(try #require(NetworkRange(NetworkRange("2001:db8:42::/48")!.description)) == NetworkRange("2001:db8:42::/48"))
    }

    @Test func theStandardPolicyAllowsStudentsFromAnywhereAndNoStaff() {
        let policy = BadgePolicy.standard
        #expect(policy.refusal(role: .student, address: "203.0.113.5") == nil)
        #expect(policy.refusal(role: .teacher, address: "203.0.113.5") == .role)
        #expect(policy.refusal(role: .schoolAdmin, address: "203.0.113.5") == .role)
        #expect(BadgePolicy(roles: [.platformAdmin, .student], networks: []).roles == [.student])
    }

    @Test func aPolicyWithNetworksRefusesAddressesOutsideThemAndChecksTheRoleFirst() throws {
        let networks = try BadgePolicy.networks(from: "192.0.2.0/24,\n2001:db8:42::/48  192.0.2.0/24")
        #expect(networks.map(\.description) == ["192.0.2.0/24", "2001:db8:42::/48"])
        let policy = BadgePolicy(roles: [.student], networks: networks)
        #expect(policy.refusal(role: .student, address: "192.0.2.200") == nil)
        #expect(policy.refusal(role: .student, address: "2001:db8:42::7") == nil)
        #expect(policy.refusal(role: .student, address: "198.51.100.1") == .network)
        #expect(policy.refusal(role: .teacher, address: "192.0.2.200") == .role)
        #expect(try BadgePolicy.networks(from: "  \n ").isEmpty)
        #expect(throws: BadgePolicy.InvalidNetwork(entry: "192.0.2.0/99")) { try BadgePolicy.networks(from: "10.0.0.0/8 192.0.2.0/99") }
    }

    @Test func aPDFPageFillsSquaresAsOnePath() {
        var page = PDFDocument.Page(width: 100, height: 100)
        page.fillSquares([(x: 1, y: 2), (x: 2.5, y: 2)], side: 1.5)
        var document = PDFDocument(title: "t")
        document.add(page)
        let text = String(decoding: document.bytes(), as: UTF8.self)
        #expect(text.contains("q 0 g 1 2 1.5 1.5 re 2.5 2 1.5 1.5 re f Q"))
    }
}

/// The badge page's camera frames and what the codes read from one amount to.
@Suite struct BadgeFrameTests {
    let app = "https://app.school.example"
    let secret = String(repeating: "A", count: 42) + "Q"

    @Test func aFrameIsWidthTimesHeightGreyBytesWithinTheBounds() throws {
        let frame = try BadgeFrame(width: "64", height: "32", body: [UInt8](repeating: 1, count: 64 * 32))
        #expect(frame.width == 64 && frame.height == 32)
        #expect(throws: BadgeFrame.Refusal.length(expected: 2048, got: 2047)) {
            try BadgeFrame(width: "64", height: "32", body: [UInt8](repeating: 1, count: 2047))
        }
        for (w, h) in [("641", "64"), ("31", "64"), ("-64", "64"), ("64", "+64"), ("0x40", "64"), (nil, "64"), ("64", ""), ("00064", "64")] {
            #expect(throws: BadgeFrame.Refusal.size) { try BadgeFrame(width: w, height: h, body: []) }
        }
    }

    @Test func exactlyOneBadgeOfThisSiteIsABadgeAnythingElseIsNot() throws {
        let link = app + "/login/badge#" + secret
        let badge = try #require(BadgeSecret(submitted: secret))
        #expect(BadgeScan(texts: [], appURL: app) == .nothing)
        #expect(BadgeScan(texts: [link], appURL: app + "/") == .badge(badge))
        #expect(BadgeScan(texts: [link, link], appURL: app) == .badge(badge))
        #expect(BadgeScan(texts: ["hello", link], appURL: app) == .badge(badge))
        #expect(BadgeScan(texts: [link, app + "/login/badge#" + String(repeating: "B", count: 42) + "Q"], appURL: app) == .several)
        for other in [
            "https://evil.example/login/badge#" + secret, app + "/login/badge?x#" + secret, app + "/login/badge#" + secret + "A",
            app + "/login/badge#" + String(secret.dropLast()), app + "/login/badge#" + String(repeating: "!", count: 43), "",
        ] {
            #expect(BadgeScan(texts: [other], appURL: app) == .notABadge, "\(other)")
        }
    }
}
