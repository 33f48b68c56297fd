import Crypto
import Domain
import Testing

@Suite struct MailOutboxRulesTests {
    @Test func retriesWaitTheBaseThenDoubleUpToAnHour() {
        #expect((1...8).map { MailRetry.delay(afterAttempts: $0, base: 60) } == [60, 120, 240, 480, 960, 1920, 3600, 3600])
        #expect(MailRetry.delay(afterAttempts: 1000, base: 1) == 3600)
        #expect(MailRetry.delay(afterAttempts: 0, base: 5) == 5)
    }

    @Test func aSealedBodyOpensOnlyWithItsKeyRecipientAndSubject() throws {
        let key = SymmetricKey(size: .bits256)
        var generator = SystemRandomNumberGenerator()
        let body = "Open https://app.test/password/reset?token=cw_pl_secret within 30 minutes."
        let sealed = try MailSealing.seal(body, recipient: "a@x.test", subject: "Reset", key: key, using: &generator)
        #expect(!String(decoding: sealed, as: UTF8.self).contains("cw_pl_secret"))
        #expect(try MailSealing.open(sealed, recipient: "a@x.test", subject: "Reset", key: key) == body)
        #expect(throws: (any Error).self) { try MailSealing.open(sealed, recipient: "b@x.test", subject: "Reset", key: key) }
        #expect(throws: (any Error).self) { try MailSealing.open(sealed, recipient: "a@x.test", subject: "Other", key: key) }
        #expect(throws: (any Error).self) {
            try MailSealing.open(sealed, recipient: "a@x.test", subject: "Reset", key: SymmetricKey(size: .bits256))
        }
    }
}
