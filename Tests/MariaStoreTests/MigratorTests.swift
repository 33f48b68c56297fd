import Domain
import Testing

@testable import MariaStore

@Suite(.serialized) struct MigratorTests {
    let fixture: TestDatabase

    init() throws { fixture = try TestDatabase() }

    @Test func everyMigrationIsRecordedWithTheChecksumOfItsFile() throws {
        let files = try MariaMigrator.loadFiles(directory: TestServer.repositoryRoot + "/schema/main")
        let rows = try fixture.database.query("SELECT version, file_name, checksum FROM schema_migrations ORDER BY version")
        #expect(rows.map { $0.int("version") } == files.map(\.version))
        #expect(rows.map { $0.string("checksum") } == files.map(\.checksum))
    }

    @Test func aSecondRunAppliesNothing() throws {
        let files = try MariaMigrator.loadFiles(directory: TestServer.repositoryRoot + "/schema/main")
        let migrator = MariaMigrator(database: try fixture.secondHandle(multiStatements: true))
        #expect(try migrator.migrate(files: files).isEmpty)
    }

    @Test func anEditedAppliedFileStopsTheRun() throws {
        var files = try MariaMigrator.loadFiles(directory: TestServer.repositoryRoot + "/schema/main")
        files[0] = try MigrationFile(fileName: files[0].fileName, contents: Array((files[0].sql + "\n-- edited").utf8))
        let migrator = MariaMigrator(database: try fixture.secondHandle(multiStatements: true))
        #expect {
            try migrator.migrate(files: files)
        } throws: { error in
            (error as? MigrationError)?.message.contains("was edited after it was applied") == true
        }
    }

    @Test func aNewFileIsAppliedAndAFailingOneIsNotRecorded() throws {
        var files = try MariaMigrator.loadFiles(directory: TestServer.repositoryRoot + "/schema/main")
        files.append(
            try MigrationFile(
                fileName: "9000_probe.sql",
                contents: Array("CREATE TABLE probe (id INT PRIMARY KEY);\nINSERT INTO probe VALUES (1), (2);".utf8)))
        let migrator = MariaMigrator(database: try fixture.secondHandle(multiStatements: true))
        #expect(try migrator.migrate(files: files).map(\.file.version) == [9000])
        #expect(try fixture.database.query("SELECT COUNT(*) AS n FROM probe").first?.int("n") == 2)

        files.append(try MigrationFile(fileName: "9001_broken.sql", contents: Array("CREATE TABLE probe2 (id INT);\nSELEC nonsense;".utf8)))
        #expect {
            try migrator.migrate(files: files)
        } throws: { error in
            (error as? MigrationError)?.message.hasPrefix("9001_broken.sql failed and was not recorded") == true
        }
        #expect(try fixture.database.query("SELECT MAX(version) AS v FROM schema_migrations").first?.int("v") == 9000)
    }

    @Test func theHealthStoreReadsTheAppliedVersion() throws {
        let files = try MariaMigrator.loadFiles(directory: TestServer.repositoryRoot + "/schema/main")
        #expect(try MariaHealthStore(database: fixture.database).schemaVersion() == files.map(\.version).max())
    }
}
