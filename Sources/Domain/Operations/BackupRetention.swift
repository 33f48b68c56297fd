import Foundation

/// Which backups to keep: the newest of each of the last `daily` days, `weekly` ISO weeks and `monthly` months
/// (grandfather-father-son), in UTC, counted from the newest backup rather than the clock, so a machine that stopped
/// backing up never prunes its last good archives away.
///
/// Only archives whose names ``BackupArchiveName`` parses are considered; anything else in the folder is left alone.
/// The newest archive is always kept, whatever the counts.
public struct BackupRetention: Sendable, Equatable {
    /// Days with their newest backup kept.
    public var daily: Int
    /// ISO weeks with their newest backup kept.
    public var weekly: Int
    /// Months with their newest backup kept.
    public var monthly: Int

    /// Creates a policy; counts below zero count as zero.
    public init(daily: Int, weekly: Int, monthly: Int) {
        self.daily = max(0, daily)
        self.weekly = max(0, weekly)
        self.monthly = max(0, monthly)
    }

    /// The archive names to keep, from `names` (the folder's file names); the rest of the parsed names are to delete.
    public func keep(_ names: [String]) -> Set<String> {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let archives = names.compactMap { name in BackupArchiveName.date(of: name).map { (name: name, date: $0) } }
            .sorted { $0.date > $1.date || ($0.date == $1.date && $0.name > $1.name) }
        guard let newest = archives.first else { return [] }
        var kept: Set<String> = [newest.name]
        func bucket(_ count: Int, _ key: (Date) -> DateComponents) {
            guard count > 0 else { return }
            var seen: [DateComponents] = []
            for archive in archives {
                let period = key(archive.date)
                if seen.contains(period) { continue }
                if seen.count == count { break }
                seen.append(period)
                kept.insert(archive.name)
            }
        }
        bucket(daily) { calendar.dateComponents([.year, .month, .day], from: $0) }
        bucket(weekly) { calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: $0) }
        bucket(monthly) { calendar.dateComponents([.year, .month], from: $0) }
        return kept
    }

    /// The parsed names of `names` not kept, oldest first.
    public func prune(_ names: [String]) -> [String] {
        let kept = keep(names)
        return names.filter { BackupArchiveName.date(of: $0) != nil && !kept.contains($0) }
            .sorted { BackupArchiveName.date(of: $0)! < BackupArchiveName.date(of: $1)! }
    }
}

/// The file name of a backup archive: `catalystwells-backup-YYYYMMDDTHHMMSSZ.tar.gz.age`, the time in UTC, so names
/// sort in time order and say how to open them by hand (`age -d … | tar -xz`).
public enum BackupArchiveName {
    static let prefix = "catalystwells-backup-"
    static let suffix = ".tar.gz.age"

    /// The name for a backup taken at `date`.
    public static func name(for date: Date) -> String {
        prefix + stamp(date) + suffix
    }

    /// The time of an archive from its name, or `nil` for any other name.
    public static func date(of name: String) -> Date? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let stamp = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard stamp.count == 16, stamp.allSatisfy({ $0.isASCII }) else { return nil }
        let chars = Array(stamp)
        guard chars[8] == "T", chars[15] == "Z" else { return nil }
        let digits = chars[0..<8] + chars[9..<15]
        guard digits.allSatisfy(\.isNumber) else { return nil }
        func number(_ range: Range<Int>) -> Int { Int(String(chars[range]))! }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(
            year: number(0..<4), month: number(4..<6), day: number(6..<8), hour: number(9..<11), minute: number(11..<13),
            second: number(13..<15))
        guard let date = calendar.date(from: components), Self.stamp(date) == String(stamp) else { return nil }
        return date
    }

    private static func stamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return String(format: "%04d", c.year ?? 0) + two(c.month) + two(c.day) + "T" + two(c.hour) + two(c.minute) + two(c.second) + "Z"
    }
}
