/// The problems found so far while reading a set; checks append to it instead of stopping at the first one.
struct RosterProblemList: Sendable {
    private(set) var all: [RosterProblem] = []

    var isEmpty: Bool { all.isEmpty }

    mutating func add(_ file: String, _ line: Int?, _ column: String?, _ problem: Message) {
        all.append(RosterProblem(file: file, line: line, column: column, problem: problem))
    }

    var report: RosterReport { RosterReport(problems: all) }
}
