/// Ordered name/value pairs from a query string or a form body. Names may repeat; OAuth refuses that, so the
/// repetition is visible rather than silently resolved.
struct Parameters: Sendable {
    let pairs: [(name: String, value: String)]

    init(_ pairs: [(String, String)] = []) { self.pairs = pairs.map { (name: $0.0, value: $0.1) } }

    /// The first value for a name.
    subscript(_ name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// Every value for a name, in order.
    func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    /// Names that occur more than once.
    var repeatedNames: Set<String> {
        var seen: Set<String> = []
        var repeated: Set<String> = []
        for pair in pairs where !seen.insert(pair.name).inserted { repeated.insert(pair.name) }
        return repeated
    }
}
