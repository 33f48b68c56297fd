import Crypto
import Foundation

/// One forward-only schema migration: a file named `NNNN_description.sql`.
public struct MigrationFile: Sendable, Equatable {
    /// The number at the start of the file name; migrations apply in increasing order.
    public let version: Int
    /// The file name, for messages and the history table.
    public let fileName: String
    /// The SQL text.
    public let sql: String
    /// Lower-case hex SHA-256 of the file's bytes: an applied file whose checksum changes was edited.
    public let checksum: String

    /// Parses a migration from its file name and contents.
    ///
    /// Throws ``MigrationError`` when the name is not `NNNN_description.sql` (four or more digits, a version
    /// above zero) or the contents are not UTF-8 text.
    public init(fileName: String, contents: [UInt8]) throws(MigrationError) {
        guard fileName.hasSuffix(".sql") else {
            throw MigrationError("\(fileName): a migration file name must end in .sql")
        }
        let stem = fileName.dropLast(4)
        let digits = stem.prefix { $0.isASCII && $0.isNumber }
        guard digits.count >= 4, stem.dropFirst(digits.count).first == "_",
            let version = Int(digits), version > 0
        else {
            throw MigrationError("\(fileName): a migration file name must look like 0001_create_tables.sql")
        }
        guard let sql = String(validating: contents, as: UTF8.self) else {
            throw MigrationError("\(fileName): the file is not valid UTF-8")
        }
        self.version = version
        self.fileName = fileName
        self.sql = sql
        self.checksum = SHA256.hash(data: contents).map { String(format: "%02x", $0) }.joined()
    }
}

/// A migration recorded as applied in a database's history table.
public struct AppliedMigration: Sendable, Equatable {
    /// The applied version.
    public let version: Int
    /// The file name it was applied from.
    public let fileName: String
    /// The checksum of the file when it was applied.
    public let checksum: String

    /// Creates a record.
    public init(version: Int, fileName: String, checksum: String) {
        self.version = version
        self.fileName = fileName
        self.checksum = checksum
    }
}

/// Why migrations cannot run; the message names the file and says what to do.
public struct MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A message for the operator.
    public let message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
