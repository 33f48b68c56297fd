import Domain
import Testing

/// The outbound address rule of webhook delivery (SSRF): which resolved addresses may be connected to.
@Suite struct OutboundAddressRuleTests {
    typealias Category = OutboundAddressRule.Category

    static let table: [(String, Category)] = [
        ("93.184.215.14", .public), ("8.8.8.8", .public), ("1.1.1.1", .public), ("172.15.255.255", .public),
        ("172.32.0.0", .public), ("100.63.255.255", .public), ("100.128.0.0", .public), ("223.255.255.255", .public),
        ("127.0.0.1", .loopback), ("127.255.255.254", .loopback),
        ("10.0.0.1", .privateNetwork), ("172.16.0.1", .privateNetwork), ("172.31.255.255", .privateNetwork),
        ("192.168.1.1", .privateNetwork),
        ("100.64.0.1", .sharedAddressSpace), ("100.127.255.255", .sharedAddressSpace),
        ("169.254.169.254", .linkLocal),
        ("0.0.0.0", .unspecified), ("0.1.2.3", .unspecified),
        ("224.0.0.1", .multicast), ("239.255.255.250", .multicast),
        ("255.255.255.255", .broadcast),
        ("192.0.2.10", .documentation), ("198.51.100.7", .documentation), ("203.0.113.99", .documentation),
        ("192.0.0.8", .reserved), ("198.18.0.1", .reserved), ("198.19.255.255", .reserved), ("240.0.0.1", .reserved),
        ("255.255.255.254", .reserved),
        ("2606:4700:4700::1111", .public), ("2001:4860:4860::8888", .public),
        ("::1", .loopback), ("::", .unspecified),
        ("fc00::1", .uniqueLocal), ("fd12:3456:789a::1", .uniqueLocal), ("fec0::1", .uniqueLocal),
        ("fe80::1", .linkLocal), ("febf::1", .linkLocal),
        ("ff02::1", .multicast), ("2001:db8::1", .documentation), ("3fff::1", .documentation),
        ("100::1", .reserved), ("2001::1", .reserved), ("4000::1", .reserved), ("::2:0:0:1", .reserved),
        // IPv6 forms carrying an IPv4 address are judged by it.
        ("::ffff:127.0.0.1", .loopback), ("::ffff:7f00:1", .loopback), ("::ffff:10.1.2.3", .privateNetwork),
        ("::ffff:169.254.169.254", .linkLocal), ("::ffff:8.8.8.8", .public), ("::ffff:0:192.168.0.1", .privateNetwork),
        ("::127.0.0.1", .loopback), ("::10.0.0.1", .privateNetwork), ("64:ff9b::7f00:1", .loopback),
        ("64:ff9b::808:808", .public), ("2002:7f00:1::", .loopback), ("2002:c0a8:101::1", .privateNetwork),
        ("2002:808:808::1", .public), ("::ffff:0.0.0.0", .unspecified),
    ]

    @Test(arguments: table)
    func category(text: String, expected: Category) throws {
        let address = try #require(IPAddress(text))
        #expect(OutboundAddressRule.category(of: address) == expected)
    }

    @Test(arguments: table)
    func onlyPublicAddressesArePermittedByDefault(text: String, category: Category) throws {
        let address = try #require(IPAddress(text))
        #expect(OutboundAddressRule(allowPrivateTargets: false).permits(address) == (category == .public))
    }

    @Test(arguments: table)
    func allowingPrivateTargetsLiftsOnlyPrivateUseRanges(text: String, category: Category) throws {
        let address = try #require(IPAddress(text))
        let expected = category == .public || [.loopback, .privateNetwork, .sharedAddressSpace, .linkLocal, .uniqueLocal].contains(category)
        #expect(OutboundAddressRule(allowPrivateTargets: true).permits(address) == expected)
    }

    @Test func oneRefusedAddressRefusesTheWholeHost() throws {
        let rule = OutboundAddressRule(allowPrivateTargets: false)
        let addresses = try ["93.184.215.14", "10.0.0.5", "2606:4700::1"].map { try #require(IPAddress($0)) }
        #expect(rule.check(addresses) == .failure(.init(address: addresses[1], category: .privateNetwork)))
        #expect(rule.check([addresses[0], addresses[2]]) == .success([addresses[0], addresses[2]]))
        #expect(
            String(describing: OutboundAddressRule.Refusal(address: addresses[1], category: .privateNetwork))
                == "refused target 10.0.0.5 (private network address)")
    }

    @Test func aHostWithNoAddressIsRefused() {
        #expect(OutboundAddressRule(allowPrivateTargets: true).check([]) == .failure(.init(address: nil, category: nil)))
    }

    @Test(arguments: [
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "0x7f.0.0.1", "2130706433", "::1%eth0", "[::1]",
        "1::2::3", "12345::1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "::ffff:1.2.3", "g::1", " 1.2.3.4",
    ])
    func malformedTextIsNotAnAddress(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: [
        ("1.2.3.4", "1.2.3.4"), ("::1", "::1"), ("::", "::"), ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"), ("fe80:0:0:0:0:0:0:1", "fe80::1"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8"),
    ])
    func addressesPrintInTheirShortForm(text: String, printed: String) throws {
        #expect(try #require(IPAddress(text)).description == printed)
    }

    @Test func bytesOfOtherLengthsAreNotAnAddress() {
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(IPAddress(bytes: [127, 0, 0, 1])?.description == "127.0.0.1")
    }
}
