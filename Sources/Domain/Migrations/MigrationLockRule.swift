/// The expand/contract rule for migrations that touch the big tables (ARCHITECTURE.md "Migrations").
///
/// During an upgrade the pools keep serving while `migrate` runs, so a statement that rebuilds or locks a big
/// table (tokens, the logs, grades) would stall every request that reads it. A change to such a table must
/// either be online — `ALGORITHM=INSTANT`, or `ALGORITHM=INPLACE`/`NOCOPY` with `LOCK=NONE`, so MariaDB refuses
/// the statement instead of silently copying the table — or be a deliberate contract step, marked in its file
/// with a line starting `-- contract:` that says why (it runs in a quiet hour; `migrate --plan` shows it).
///
/// The statements looked at: `ALTER TABLE`, `CREATE … INDEX … ON`, `DROP INDEX … ON`, `RENAME TABLE`,
/// `OPTIMIZE TABLE` and `TRUNCATE TABLE`. The reading is deliberately simple (comments dropped, statements split
/// at `;`): it finds what a reviewer would, not every way SQL can lock.
public enum MigrationLockRule {
    /// The tables that grow with use, per migration folder: the ones a locking change would stall the pools on.
    public static let bigTables: [String: Set<String>] = [
        "main": [
            "oauth_tokens", "oauth_grants", "oauth_codes", "sessions", "users", "enrollments", "grades", "attendance",
            "data_access_log", "security_audit_log", "usage_daily_users",
        ],
        "developers": ["webhook_deliveries", "application_daily_stats"],
    ]

    /// The first version each folder's rule applies to: files written before the rule existed are shown by
    /// `migrate --plan` but not refused.
    public static let firstChecked: [String: Int] = ["main": 34, "developers": 14]

    /// The line prefix that marks a file as a deliberate contract step.
    public static let contractMarker = "-- contract:"

    /// One statement of a migration that changes a big table.
    public struct Finding: Sendable, Equatable {
        /// The big table.
        public let table: String
        /// The statement's first words, for messages.
        public let statement: String
        /// Whether the statement asks MariaDB to run it without blocking reads and writes.
        public let online: Bool
    }

    /// What one migration file does to the big tables.
    public struct Report: Sendable, Equatable {
        /// The file.
        public let fileName: String
        /// Its statements on big tables, in file order.
        public let findings: [Finding]
        /// Whether the file carries the contract marker.
        public let markedContract: Bool

        /// The big tables a statement of this file locks.
        public var lockedTables: [String] { findings.filter { !$0.online }.map(\.table) }

        /// The locking statements the rule refuses: not online and not marked as a contract step.
        public var violations: [Finding] { markedContract ? [] : findings.filter { !$0.online } }

        /// One line for `migrate --plan`.
        public var summary: String {
            if findings.isEmpty { return "no big table touched" }
            let locked = Array(Set(lockedTables)).sorted()
            let online = Array(Set(findings.filter(\.online).map(\.table))).sorted()
            var parts: [String] = []
            if !online.isEmpty { parts.append("online change of \(online.joined(separator: ", "))") }
            if !locked.isEmpty {
                parts.append(
                    "LOCKS \(locked.joined(separator: ", "))"
                        + (markedContract ? " (marked contract: run it in a quiet hour)" : " (not online and not marked contract)"))
            }
            return parts.joined(separator: "; ")
        }
    }

    /// Reads one migration file of `folder` (`main` or `developers`).
    public static func report(_ file: MigrationFile, folder: String) -> Report {
        let big = bigTables[folder] ?? []
        var marked = false
        var code = ""
        for line in file.sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.lowercased().hasPrefix(contractMarker) { marked = true }
            code += stripComment(String(line)) + "\n"
        }
        var findings: [Finding] = []
        for statement in code.split(separator: ";") {
            let words = tokens(String(statement))
            guard let table = target(of: words), big.contains(table) else { continue }
            let shown = statement.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }).prefix(6)
            findings.append(Finding(table: table, statement: shown.joined(separator: " "), online: isOnline(words)))
        }
        return Report(fileName: file.fileName, findings: findings, markedContract: marked)
    }

    /// The refusals for the files the rule applies to, as messages naming the file, the table and the fix.
    public static func violations(_ files: [MigrationFile], folder: String) -> [String] {
        let first = firstChecked[folder] ?? 1
        return files.filter { $0.version >= first }.flatMap { file in
            report(file, folder: folder).violations.map { finding in
                "\(folder)/\(file.fileName): `\(finding.statement) …` locks the big table \(finding.table): "
                    + "add ALGORITHM=INSTANT (or ALGORITHM=INPLACE, LOCK=NONE), or split it into expand and contract steps "
                    + "and mark the contract file with a line `\(contractMarker) why`"
            }
        }
    }

    // MARK: - Reading SQL

    /// The line without a `-- ` or `#` comment (outside quotes).
    private static func stripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        var result = ""
        for character in line {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" || character == "`" {
                quote = character
            } else if character == "#" || (character == "-" && previous == "-") {
                if character == "-" { result.removeLast() }
                return result
            }
            result.append(character)
            previous = character
        }
        return result
    }

    /// Upper-cased words with `=`, `,` and parentheses as separate tokens and backticks removed.
    private static func tokens(_ statement: String) -> [String] {
        var spaced = ""
        for character in statement.uppercased() where character != "`" {
            if character == "=" || character == "," || character == "(" || character == ")" {
                spaced += " \(character) "
            } else {
                spaced.append(character.isWhitespace ? " " : character)
            }
        }
        return spaced.split(separator: " ").map(String.init)
    }

    /// The table a statement changes, lower-cased without a database prefix; nil for other statements.
    private static func target(of words: [String]) -> String? {
        func name(after index: Int) -> String? {
            var position = index
            while position < words.count, ["IF", "EXISTS", "NOT", "ONLINE", "IGNORE"].contains(words[position]) {
                position += 1
            }
            guard position < words.count else { return nil }
            return words[position].split(separator: ".").last.map { $0.lowercased() }
        }
        guard let first = words.first else { return nil }
        switch first {
        case "ALTER", "OPTIMIZE", "TRUNCATE", "RENAME":
            guard let tableIndex = words.firstIndex(of: "TABLE"), tableIndex <= 3 else { return nil }
            return name(after: tableIndex + 1)
        case "CREATE", "DROP":
            guard words.prefix(4).contains("INDEX"), let on = words.firstIndex(of: "ON") else { return nil }
            return name(after: on + 1)
        default:
            return nil
        }
    }

    /// `ALGORITHM=INSTANT`, or `ALGORITHM=INPLACE|NOCOPY` together with `LOCK=NONE`.
    private static func isOnline(_ words: [String]) -> Bool {
        func value(of option: String) -> String? {
            guard let index = words.firstIndex(of: option), index + 1 < words.count else { return nil }
            let next = index + (words[index + 1] == "=" ? 2 : 1)
            return next < words.count ? words[next] : nil
        }
        if ["OPTIMIZE", "TRUNCATE", "RENAME"].contains(words.first ?? "") { return false }
        switch value(of: "ALGORITHM") {
        case "INSTANT": return true
        case "INPLACE", "NOCOPY": return value(of: "LOCK") == "NONE"
        default: return false
        }
    }
}
