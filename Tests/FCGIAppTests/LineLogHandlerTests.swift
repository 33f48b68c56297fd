import Foundation
import Logging
import Testing

@testable import FCGIApp

@Suite struct LineLogHandlerTests {
    @Test func theSameErrorWithinTheWindowIsCountedThenSummarisedOnce() {
        let gate = RepeatedLogGate(window: 10)
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(gate.admit(label: "catalystwells.app", level: .warning, message: "database unavailable", now: start))
        for second in 1...9 {
            for _ in 0..<1000 {
                #expect(!gate.admit(label: "catalystwells.app", level: .warning, message: "database unavailable", now: start + Double(second)))
            }
        }
        #expect(gate.admit(label: "catalystwells.app", level: .error, message: "another error", now: start + 9))
        #expect(gate.due(now: start + 9.5).isEmpty)
        #expect(
            gate.due(now: start + 10)
                == [
                    .init(
                        level: .warning, label: "catalystwells.app", text: "database unavailable (repeated 9000 times in 10 s)", count: 9000)
                ])
        #expect(gate.due(now: start + 30).isEmpty, "summarised once; the lone other error needs no summary")
        #expect(gate.admit(label: "catalystwells.app", level: .warning, message: "database unavailable", now: start + 31))
    }

    @Test func otherLoggersAndMessagesAreCountedApart() {
        let gate = RepeatedLogGate(window: 10)
        let now = Date()
        #expect(gate.admit(label: "a", level: .error, message: "x", now: now))
        #expect(gate.admit(label: "b", level: .error, message: "x", now: now))
        #expect(gate.admit(label: "a", level: .error, message: "y", now: now))
        #expect(!gate.admit(label: "a", level: .error, message: "x", now: now))
    }

    @Test func jsonStringsEscapeQuotesBackslashesAndControlCharacters() {
        #expect(LineLogHandler.quoted("a\"b\\c\nd\u{01}é") == "\"a\\\"b\\\\c\\nd\\u0001é\"")
    }
}
