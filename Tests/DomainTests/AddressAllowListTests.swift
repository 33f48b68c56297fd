import Domain
import Testing

/// `cron.allowed_addresses` (issue 18): who may reach `/internal/`.
struct AddressAllowListTests {
    @Test(arguments: [
        ("127.0.0.1", true), ("127.9.9.9", true), ("::1", true), ("::ffff:127.0.0.1", true),
        ("10.0.0.1", false), ("::2", false), ("", false), ("localhost", false), ("127.0.0.1 ", false),
    ])
    func theDefaultIsThisMachinesLoopback(peer: String, permitted: Bool) {
        #expect(AddressAllowList.loopback.permits(peer) == permitted)
    }

    @Test func networksAndSingleAddressesOfBothFamiliesMatchByTheirPrefix() throws {
        let list = try #require(AddressAllowList(parsing: "127.0.0.0/8, 10.0.3.0/25, 192.0.2.7, 2001:db8:1::/48, ::1"))
        #expect(list.permits("10.0.3.127") && !list.permits("10.0.3.128"))
        #expect(list.permits("192.0.2.7") && !list.permits("192.0.2.8"))
        #expect(list.permits("2001:db8:1:ffff::1") && !list.permits("2001:db8:2::1"))
        #expect(list.permits("::ffff:10.0.3.1"))
        #expect(list.description == "127.0.0.0/8, 10.0.3.0/25, 192.0.2.7/32, 2001:db8:1::/48, ::1/128")
        #expect(AddressAllowList(parsing: "0.0.0.0/0")?.permits("203.0.113.9") == true)
        #expect(AddressAllowList(parsing: "10.1.2.3/20")?.permits("10.1.15.255") == true)
    }

    @Test(arguments: ["", " ", "127.0.0.1,", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/8/8", "example.org", "10.0.0/8", "10.0.0.0/"])
    func aMalformedListIsRefused(text: String) {
        #expect(AddressAllowList(parsing: text) == nil)
    }
}
