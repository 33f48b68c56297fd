/// Request ids for responses and logs when nginx did not supply one.
enum RequestID {
    /// 32 lower-case hex digits from the system's secure random source.
    static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex16(generator.next()) + hex16(generator.next())
    }

    private static func hex16(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }
}
