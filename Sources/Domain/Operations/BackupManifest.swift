import Foundation

/// What a backup archive holds, written as `manifest.json` at its root (issue 21, item 1).
///
/// An archive is a gzip'd tar, encrypted with `age` for the operator's recipient keys, holding:
/// - `manifest.json` (this value) and `SHA256SUMS` (`sha256sum -c` format, over every other member, this manifest
///   included), so the archive can be checked by hand as well as by `catalystwells restore`;
/// - `databases.sql`: both databases, dumped in one `--single-transaction` snapshot so that the main and the
///   developers database agree with each other (sync moves state between them);
/// - `files/…`: the configuration and the key, password and secret files it names, each under the configuration key
///   that names it (`files/oauth.key_file`), with its original path, mode, owner and group.
///
/// Format 1. A reader refuses a format it does not know rather than guess.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// The format this code writes and reads.
    public static let currentFormat = 1
    /// The archive member holding both databases.
    public static let databaseDumpPath = "databases.sql"
    /// The archive member holding this manifest.
    public static let manifestPath = "manifest.json"
    /// The archive member holding the `sha256sum` list.
    public static let checksumsPath = "SHA256SUMS"

    /// One of the two databases.
    public struct Database: Codable, Sendable, Equatable {
        /// `main` or `developers`.
        public var role: String
        /// Its name on the server it was dumped from; a restore needs the same name.
        public var name: String
        /// The highest applied migration (0 for none).
        public var schemaHead: Int
        /// Every applied migration, as the database's `schema_migrations` recorded it.
        public var migrations: [Migration]

        /// Creates a database entry.
        public init(role: String, name: String, migrations: [Migration]) {
            self.role = role
            self.name = name
            self.schemaHead = migrations.map(\.version).max() ?? 0
            self.migrations = migrations
        }
    }

    /// An applied migration.
    public struct Migration: Codable, Sendable, Equatable {
        /// Its version.
        public var version: Int
        /// Its file name.
        public var fileName: String
        /// The SHA-256 of the file when it was applied.
        public var checksum: String

        /// Creates a record.
        public init(version: Int, fileName: String, checksum: String) {
            self.version = version
            self.fileName = fileName
            self.checksum = checksum
        }

        /// As the migration planner takes it.
        public var applied: AppliedMigration { AppliedMigration(version: version, fileName: fileName, checksum: checksum) }
    }

    /// One member of the archive other than the manifest and the checksum list.
    public struct File: Codable, Sendable, Equatable {
        /// Its path inside the archive (``BackupManifest/isSafeMemberPath(_:)``).
        public var path: String
        /// What it is: `database_dump`, or a ``BackupFileRole`` raw value.
        public var role: String
        /// Where it was on the machine backed up (empty for the dump).
        public var originalPath: String
        /// Lower-case hex SHA-256 of its bytes.
        public var sha256: String
        /// Its size in bytes.
        public var size: Int64
        /// Its permission bits, e.g. 0o400 (0 for the dump).
        public var mode: Int
        /// Its owner's and group's names on the machine backed up (empty for the dump).
        public var owner: String
        /// Its group's name.
        public var group: String

        /// Creates a file entry.
        public init(path: String, role: String, originalPath: String, sha256: String, size: Int64, mode: Int, owner: String, group: String) {
            self.path = path
            self.role = role
            self.originalPath = originalPath
            self.sha256 = sha256
            self.size = size
            self.mode = mode
            self.owner = owner
            self.group = group
        }
    }

    /// The program that wrote the archive.
    public struct Binary: Codable, Sendable, Equatable {
        /// SHA-256 of the `catalystwells` executable.
        public var sha256: String
        /// The newest migration of each database this binary's schema folder holds (`main`, `developers`).
        public var knownSchemaHeads: [String: Int]

        /// Creates a binary entry.
        public init(sha256: String, knownSchemaHeads: [String: Int]) {
            self.sha256 = sha256
            self.knownSchemaHeads = knownSchemaHeads
        }
    }

    /// How the databases were dumped.
    public struct Dump: Codable, Sendable, Equatable {
        /// The tool and its consistency option, e.g. `mariadb-dump --single-transaction`.
        public var method: String
        /// The server's version string.
        public var serverVersion: String

        /// Creates a dump entry.
        public init(method: String, serverVersion: String) {
            self.method = method
            self.serverVersion = serverVersion
        }
    }

    /// The manifest's format.
    public var format: Int
    /// When the snapshot was taken (UTC).
    public var createdAt: Date
    /// The host name of the machine backed up.
    public var host: String
    /// The program that wrote it.
    public var binary: Binary
    /// How the databases were dumped.
    public var dump: Dump
    /// Both databases.
    public var databases: [Database]
    /// The dump and the files.
    public var files: [File]

    /// Creates a manifest of the current format.
    public init(createdAt: Date, host: String, binary: Binary, dump: Dump, databases: [Database], files: [File]) {
        self.format = Self.currentFormat
        self.createdAt = createdAt
        self.host = host
        self.binary = binary
        self.dump = dump
        self.databases = databases
        self.files = files
    }

    /// The database entry of a role.
    public func database(_ role: String) -> Database? { databases.first { $0.role == role } }

    /// The file entry of a role.
    public func file(role: BackupFileRole) -> File? { files.first { $0.role == role.rawValue } }

    // MARK: - Encoding

    /// The manifest as pretty, key-sorted JSON (snake_case keys, ISO 8601 times).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Parses and checks a manifest: its format, member paths, roles and checksums' shape.
    public static func decode(_ data: Data) throws(BackupError) -> BackupManifest {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        struct Header: Decodable { var format: Int }
        guard let header = try? decoder.decode(Header.self, from: data) else {
            throw BackupError("manifest.json is not a CatalystWells backup manifest")
        }
        guard header.format == currentFormat else {
            throw BackupError(
                "the archive's manifest has format \(header.format); this binary reads format \(currentFormat) only: restore it with the version that wrote it"
            )
        }
        let manifest: BackupManifest
        do {
            manifest = try decoder.decode(BackupManifest.self, from: data)
        } catch {
            throw BackupError("manifest.json is damaged: \(error)")
        }
        try manifest.validate()
        return manifest
    }

    /// The rules every manifest keeps: safe unique member paths, known roles, one dump, both databases.
    public func validate() throws(BackupError) {
        var seen: Set<String> = []
        for file in files {
            guard Self.isSafeMemberPath(file.path), file.path != Self.manifestPath, file.path != Self.checksumsPath else {
                throw BackupError("the manifest names an unsafe member path \(file.path.debugDescription)")
            }
            guard seen.insert(file.path).inserted else { throw BackupError("the manifest names \(file.path) twice") }
            guard file.role == "database_dump" || BackupFileRole(rawValue: file.role) != nil else {
                throw BackupError("the manifest names an unknown file role \(file.role.debugDescription)")
            }
            guard file.sha256.count == 64, file.sha256.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
                throw BackupError("the manifest's checksum of \(file.path) is not a SHA-256")
            }
        }
        guard files.filter({ $0.role == "database_dump" }).map(\.path) == [Self.databaseDumpPath] else {
            throw BackupError("the manifest does not name exactly one database dump (\(Self.databaseDumpPath))")
        }
        guard Set(databases.map(\.role)) == ["main", "developers"], databases.count == 2 else {
            throw BackupError("the manifest does not describe exactly the main and the developers database")
        }
        guard file(role: .configuration) != nil else { throw BackupError("the archive holds no configuration file") }
    }

    /// A member path the archive may hold: relative, made of `[A-Za-z0-9._-]` segments separated by `/`, none of them
    /// `.` or `..`, at most 200 bytes. Anything else could write outside the folder it is unpacked into.
    public static func isSafeMemberPath(_ path: String) -> Bool {
        guard !path.isEmpty, path.utf8.count <= 200, !path.hasPrefix("/"), !path.hasSuffix("/") else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { segment in
            !segment.isEmpty && segment != "." && segment != ".."
                && segment.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
        }
    }

    /// The `SHA256SUMS` text over `entries` (path → hex digest), sorted by path, as `sha256sum` writes it.
    public static func checksumList(_ entries: [String: String]) -> String {
        entries.sorted { $0.key < $1.key }.map { "\($0.value)  \($0.key)\n" }.joined()
    }

    /// Parses a `SHA256SUMS` text; throws on a malformed line or an unsafe path.
    public static func parseChecksumList(_ text: String) throws(BackupError) -> [String: String] {
        var entries: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 64, parts[1].hasPrefix(" ") else {
                throw BackupError("SHA256SUMS has a malformed line")
            }
            let path = String(parts[1].dropFirst())
            guard isSafeMemberPath(path) else { throw BackupError("SHA256SUMS names an unsafe path \(path.debugDescription)") }
            entries[path] = String(parts[0])
        }
        return entries
    }
}

/// A backup or restore that cannot go on; the message names the problem and what to do.
public struct BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A message for the operator.
    public let message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
