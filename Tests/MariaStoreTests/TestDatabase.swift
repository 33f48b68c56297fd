import Domain
import Foundation
import Testing

@testable import MariaStore

/// The MariaDB server `make test` starts, described by environment variables:
/// `CW_TEST_DB_SOCKET`, `CW_TEST_DB_ADMIN_USER`, `CW_TEST_DB_ADMIN_PASSWORD_FILE` (an account that may create
/// and drop `cwtest_*` databases) and `CW_TEST_SECRETS_DIR` (the stack's own account passwords).
/// These tests need a real server: without one they fail with a message saying how to run them.
enum TestServer {
    struct Missing: Error, CustomStringConvertible {
        let description: String
    }

    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    static func value(_ name: String) throws -> String {
        guard let value = environment[name], !value.isEmpty else {
            throw Missing(description: "\(name) is not set: run these tests through `make test`, which starts MariaDB")
        }
        return value
    }

    static func password(file: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw Missing(description: "cannot read \(file)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func adminOptions(database: String, multiStatements: Bool = false) throws -> ConnectionOptions {
        ConnectionOptions(
            socket: try value("CW_TEST_DB_SOCKET"), user: try value("CW_TEST_DB_ADMIN_USER"),
            password: try password(file: try value("CW_TEST_DB_ADMIN_PASSWORD_FILE")), database: database,
            multiStatements: multiStatements)
    }

    /// Options for one of the stack's own accounts (`app`, `developers`, `migrator`).
    static func stackAccount(_ role: String, user: String, database: String) throws -> ConnectionOptions {
        ConnectionOptions(
            socket: try value("CW_TEST_DB_SOCKET"), user: user,
            password: try password(file: try value("CW_TEST_SECRETS_DIR") + "/db-\(role).password"), database: database)
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path
}

/// A fresh database per suite with `schema/<folder>` applied, dropped when the suite ends.
final class TestDatabase {
    let name: String
    let database: MariaDatabase
    private let admin: MariaDatabase

    private let folder: String

    /// `through`: apply only the migrations up to that version, as an install that has not upgraded yet
    /// (``migrateTheRest()`` upgrades it).
    init(schema folder: String = "main", through version: Int = .max) throws {
        MariaClient.initializeLibrary()
        name = "cwtest_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        self.folder = folder
        admin = MariaDatabase(options: try TestServer.adminOptions(database: "mysql"))
        try admin.execute("CREATE DATABASE \(unsafeRaw: name) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        let migrating = MariaDatabase(options: try TestServer.adminOptions(database: name, multiStatements: true))
        let files = try MariaMigrator.loadFiles(directory: TestServer.repositoryRoot + "/schema/" + folder)
        _ = try MariaMigrator(database: migrating).migrate(files: files.filter { $0.version <= version })
        database = MariaDatabase(options: try TestServer.adminOptions(database: name))
    }

    /// Applies the migrations a `through:` database has not had yet.
    func migrateTheRest() throws {
        let migrating = MariaDatabase(options: try TestServer.adminOptions(database: name, multiStatements: true))
        _ = try MariaMigrator(database: migrating).migrate(
            files: try MariaMigrator.loadFiles(directory: TestServer.repositoryRoot + "/schema/" + folder))
    }

    /// Another handle on the same database, as a second thread would have.
    func secondHandle(multiStatements: Bool = false) throws -> MariaDatabase {
        MariaDatabase(options: try TestServer.adminOptions(database: name, multiStatements: multiStatements))
    }

    deinit {
        _ = try? admin.execute("DROP DATABASE IF EXISTS \(unsafeRaw: name)")
    }
}

/// Rows the school-data suites start from.
extension TestDatabase {
    /// Two schools, `s1` (id 1) and `s2` (id 2).
    func insertTwoSchools(now: Date) throws {
        try database.execute(
            "INSERT INTO schools (sourced_id, name, created_at, updated_at) VALUES ('s1', 'One', \(now), \(now)), ('s2', 'Two', \(now), \(now))")
    }

    /// A user named and sourced `key` (email `key@x.test`); returns the id.
    func insertUser(_ key: String, role: String, school: Int64, now: Date) throws -> Int64 {
        try database.execute(
            """
            INSERT INTO users (school_id, sourced_id, role, given_name, family_name, email, created_at, updated_at)
            VALUES (\(school), \(key), \(role), \(key), 'F', \(key + "@x.test"), \(now), \(now))
            """
        ).insertID
    }
}
