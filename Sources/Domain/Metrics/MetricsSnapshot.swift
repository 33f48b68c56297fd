import Foundation

/// The metrics of one process (a worker, or the supervisor's record of the workers that have exited), in a form
/// that adds up: a pool's figures are the sum of its processes' snapshots (issue 21, item 3).
///
/// Series are keyed by their Prometheus spelling, `name{label="value",…}` with labels sorted by name
/// (``MetricSeries``). Counters and histogram buckets only grow within a process; gauges (requests in flight,
/// workers) are summed as they stand.
public struct MetricsSnapshot: Codable, Sendable, Equatable {
    /// A histogram's state: per-bucket counts (not cumulative; one more than the family's bounds, for `+Inf`), the
    /// sum and the count of observations.
    public struct Histogram: Codable, Sendable, Equatable {
        /// Observations per bucket, the last one for values above every bound.
        public var buckets: [Double]
        /// The sum of the observed values.
        public var sum: Double
        /// How many values were observed.
        public var count: Double

        /// An empty histogram for `bounds`.
        public init(bounds: [Double]) {
            buckets = Array(repeating: 0, count: bounds.count + 1)
            sum = 0
            count = 0
        }

        mutating func observe(_ value: Double, bounds: [Double]) {
            let index = bounds.firstIndex { value <= $0 } ?? bounds.count
            buckets[index] += 1
            sum += value
            count += 1
        }

        mutating func add(_ other: Histogram) {
            guard other.buckets.count == buckets.count else { return }
            for index in buckets.indices { buckets[index] += other.buckets[index] }
            sum += other.sum
            count += other.count
        }
    }

    /// Counter series → value.
    public var counters: [String: Double] = [:]
    /// Gauge series → value.
    public var gauges: [String: Double] = [:]
    /// Histogram series → state.
    public var histograms: [String: Histogram] = [:]

    /// An empty snapshot.
    public init() {}

    /// Adds `amount` to a counter.
    public mutating func increment(_ family: MetricFamily, _ labels: [String: String] = [:], by amount: Double = 1) {
        precondition(family.kind == .counter, "\(family.name) is not a counter")
        counters[MetricSeries.key(family.name, labels), default: 0] += amount
    }

    /// Adds `amount` to a counter whose series key the caller built once with ``MetricSeries/key(_:_:)`` (a
    /// request's series, recorded on every request).
    public mutating func increment(series key: String, by amount: Double = 1) {
        counters[key, default: 0] += amount
    }

    /// Sets a gauge.
    public mutating func set(_ family: MetricFamily, _ labels: [String: String] = [:], to value: Double) {
        precondition(family.kind == .gauge, "\(family.name) is not a gauge")
        gauges[MetricSeries.key(family.name, labels)] = value
    }

    /// Records one observation of a histogram.
    public mutating func observe(_ family: MetricFamily, _ labels: [String: String] = [:], value: Double) {
        precondition(family.kind == .histogram, "\(family.name) is not a histogram")
        observe(family, series: MetricSeries.key(family.name, labels), value: value)
    }

    /// Records one observation of a histogram whose series key the caller built once with
    /// ``MetricSeries/key(_:_:)``. The buckets are changed in place (no copy of the series per observation).
    public mutating func observe(_ family: MetricFamily, series key: String, value: Double) {
        precondition(family.kind == .histogram, "\(family.name) is not a histogram")
        histograms[key, default: Histogram(bounds: family.buckets)].observe(value, bounds: family.buckets)
    }

    /// Adds another process's snapshot to this one.
    public mutating func add(_ other: MetricsSnapshot) {
        for (key, value) in other.counters { counters[key, default: 0] += value }
        for (key, value) in other.gauges { gauges[key, default: 0] += value }
        for (key, value) in other.histograms {
            if var mine = histograms[key] {
                mine.add(value)
                histograms[key] = mine
            } else {
                histograms[key] = value
            }
        }
    }

    /// Drops the gauges: what a process that has exited leaves behind counts, what it was doing does not.
    public var withoutGauges: MetricsSnapshot {
        var copy = self
        copy.gauges = [:]
        return copy
    }

    /// The Prometheus text exposition format (version 0.0.4) of the snapshot: every family of `families` with its
    /// `# HELP` and `# TYPE` (also when it has no series yet), series sorted, histograms as cumulative `_bucket`
    /// series with `le`, then `_sum` and `_count`. Series of families not in the list are left out.
    public func prometheusText(families: [MetricFamily]) -> String {
        var text = ""
        for family in families {
            text += "# HELP \(family.name) \(MetricSeries.escapeHelp(family.help))\n# TYPE \(family.name) \(family.kind.rawValue)\n"
            switch family.kind {
            case .counter, .gauge:
                let values = family.kind == .counter ? counters : gauges
                for key in values.keys.filter({ MetricSeries.name(of: $0) == family.name }).sorted() {
                    text += "\(key) \(MetricSeries.format(values[key]!))\n"
                }
            case .histogram:
                for key in histograms.keys.filter({ MetricSeries.name(of: $0) == family.name }).sorted() {
                    let histogram = histograms[key]!
                    let labels = MetricSeries.labels(of: key)
                    var cumulative = 0.0
                    for (index, bound) in (family.buckets.map(MetricSeries.format) + ["+Inf"]).enumerated() {
                        cumulative += index < histogram.buckets.count ? histogram.buckets[index] : 0
                        text +=
                            MetricSeries.key(family.name + "_bucket", labels.merging(["le": bound]) { $1 }) + " \(MetricSeries.format(cumulative))\n"
                    }
                    text += MetricSeries.key(family.name + "_sum", labels) + " \(MetricSeries.format(histogram.sum))\n"
                    text += MetricSeries.key(family.name + "_count", labels) + " \(MetricSeries.format(histogram.count))\n"
                }
            }
        }
        return text
    }
}

/// A metric family: its name, type, help text and (for a histogram) bucket bounds.
public struct MetricFamily: Sendable, Equatable {
    /// The Prometheus types used here.
    public enum Kind: String, Sendable { case counter, gauge, histogram }

    /// `catalystwells_…`, `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public let name: String
    /// Its type.
    public let kind: Kind
    /// One line for `# HELP`.
    public let help: String
    /// Upper bounds of a histogram's buckets, increasing.
    public let buckets: [Double]

    /// Creates a family.
    public init(_ name: String, _ kind: Kind, _ help: String, buckets: [Double] = []) {
        self.name = name
        self.kind = kind
        self.help = help
        self.buckets = buckets
    }
}

/// The spelling of a series: `name{a="1",b="x"}`.
public enum MetricSeries {
    /// The key of a series: labels sorted by name, values escaped (backslash, double quote, line feed).
    public static func key(_ name: String, _ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return name }
        return name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(escape($0.value))\"" }.joined(separator: ",") + "}"
    }

    /// The family name of a key.
    public static func name(of key: String) -> String {
        key.firstIndex(of: "{").map { String(key[..<$0]) } ?? key
    }

    /// The labels of a key (values unescaped).
    public static func labels(of key: String) -> [String: String] {
        guard let open = key.firstIndex(of: "{"), key.hasSuffix("}") else { return [:] }
        var labels: [String: String] = [:]
        var rest = Substring(key[key.index(after: open)..<key.index(before: key.endIndex)])
        while let equals = rest.firstIndex(of: "=") {
            let name = String(rest[..<equals])
            rest = rest[rest.index(after: equals)...].dropFirst()  // the opening quote
            var value = ""
            var escaped = false
            var index = rest.startIndex
            while index < rest.endIndex {
                let character = rest[index]
                index = rest.index(after: index)
                if escaped {
                    value.append(character == "n" ? "\n" : character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    break
                } else {
                    value.append(character)
                }
            }
            labels[name] = value
            rest = rest[index...]
            if rest.first == "," { rest = rest.dropFirst() }
        }
        return labels
    }

    static func escape(_ value: String) -> String {
        // Most values (routes, methods, statuses, sites) need nothing: skip the three searches.
        let special: (UInt8) -> Bool = { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") }
        guard value.utf8.contains(where: special) else { return value }
        return value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeHelp(_ help: String) -> String {
        help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// A sample value: integers without a fraction, others as Swift prints doubles.
    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
