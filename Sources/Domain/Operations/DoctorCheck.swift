import Foundation

/// One finding of `catalystwells doctor`: what was checked, how it stands, and what to do about it.
public struct DoctorCheck: Sendable, Equatable {
    /// How a check came out. A `fail` makes doctor exit non-zero; `warn` and `skip` do not.
    public enum Status: String, Sendable, Equatable, Comparable {
        case ok, skip, warn, fail

        /// The column doctor prints.
        public var label: String {
            switch self {
            case .ok: "ok"
            case .skip: "skip"
            case .warn: "WARN"
            case .fail: "FAIL"
            }
        }

        private var rank: Int {
            switch self {
            case .ok: 0
            case .skip: 1
            case .warn: 2
            case .fail: 3
            }
        }

        /// Ordered by severity.
        public static func < (a: Status, b: Status) -> Bool { a.rank < b.rank }
    }

    /// The area: `config`, `keys`, `database`, `grants`, `schema`, `nginx`, `tls`, `clock`, `schedule`, `disk`.
    public var area: String
    /// The outcome.
    public var status: Status
    /// What was found, never a secret.
    public var detail: String
    /// What to do, for a warning or a failure.
    public var fix: String?

    /// Creates a finding.
    public init(_ area: String, _ status: Status, _ detail: String, fix: String? = nil) {
        self.area = area
        self.status = status
        self.detail = detail
        self.fix = fix
    }

    /// The one line doctor prints: `FAIL  keys      /etc/…/oauth.key is readable by others → chmod 0400 …`.
    public var line: String {
        let head = status.label.padding(toLength: 6, withPad: " ", startingAt: 0) + area.padding(toLength: 10, withPad: " ", startingAt: 0)
        guard let fix, status == .warn || status == .fail else { return head + detail }
        return head + detail + " → " + fix
    }

    /// The exit status for a set of findings: 1 when any failed, else 0.
    public static func exitStatus(_ checks: [DoctorCheck]) -> Int32 {
        checks.contains { $0.status == .fail } ? 1 : 0
    }
}

/// The thresholds doctor judges by; plain functions of what was measured.
public enum DoctorRules {
    /// A certificate that expires within this many days is a warning (certbot renews at 30).
    public static let certificateWarningDays = 21

    /// Whether a database host is this machine (a connection to it does not cross a network).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// A certificate's remaining validity.
    public static func certificate(path: String, notAfter: Date, now: Date) -> DoctorCheck {
        let days = Int((notAfter.timeIntervalSince(now) / 86400).rounded(.down))
        if notAfter <= now {
            return DoctorCheck("tls", .fail, "\(path) expired \(-days) days ago", fix: "renew it (certbot renew) and reload nginx")
        }
        if days < certificateWarningDays {
            return DoctorCheck("tls", .warn, "\(path) expires in \(days) days", fix: "renew it (certbot renew) and reload nginx")
        }
        return DoctorCheck("tls", .ok, "\(path) valid for \(days) more days")
    }

    /// Free space on a file system holding `what`: a warning under 15 % or 2 GiB, a failure under 5 % or 512 MiB.
    public static func disk(what: String, path: String, free: Int64, total: Int64) -> DoctorCheck {
        let percent = total > 0 ? Double(free) * 100 / Double(total) : 0
        let text = "\(what) (\(path)): \(formatBytes(free)) free of \(formatBytes(total)) (\(Int(percent)) %)"
        if percent < 5 || free < 512 << 20 {
            return DoctorCheck("disk", .fail, text, fix: "free space now: MariaDB stops writing on a full disk")
        }
        if percent < 15 || free < 2 << 30 {
            return DoctorCheck("disk", .warn, text, fix: "free space or grow the disk soon")
        }
        return DoctorCheck("disk", .ok, text)
    }

    /// The permissions of a secret file: nothing for others, no write or execute for the group, and readable by the
    /// pool users that need it and by no pool user that must not read it (`canRead` answers for a user name).
    public static func secretFile(
        key: String, path: String, mode: Int, owner: String, group: String, mustRead: [String], mustNotRead: [String],
        canRead: (String) -> Bool
    ) -> DoctorCheck {
        let shown = "\(key) \(path) (\(String(mode, radix: 8, uppercase: false).leftPadded(to: 4)) \(owner):\(group))"
        if mode & 0o007 != 0 {
            return DoctorCheck("keys", .fail, "\(shown) is open to every user", fix: "chmod o-rwx \(path)")
        }
        if mode & 0o133 != 0 {
            return DoctorCheck(
                "keys", .fail, "\(shown) is writable or executable beyond its owner's read", fix: "chmod 0400 \(path) (0440 if a group reads it)")
        }
        if let user = mustNotRead.first(where: canRead) {
            return DoctorCheck(
                "keys", .fail, "\(shown) is readable by \(user), which must not read it", fix: "see README \"Production install\" step 3")
        }
        if let user = mustRead.first(where: { !canRead($0) }) {
            return DoctorCheck("keys", .fail, "\(shown) cannot be read by \(user), which needs it", fix: "see README \"Production install\" step 3")
        }
        return DoctorCheck("keys", .ok, shown)
    }

    /// Bytes as KiB/MiB/GiB with one decimal.
    public static func formatBytes(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
