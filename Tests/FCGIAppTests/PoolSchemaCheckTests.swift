import Domain
import Testing

@testable import FCGIApp

private func file(_ name: String) throws -> MigrationFile {
    try MigrationFile(fileName: name, contents: Array("SELECT 1;".utf8))
}

private func applied(_ file: MigrationFile) -> AppliedMigration {
    AppliedMigration(version: file.version, fileName: file.fileName, checksum: file.checksum)
}

@Suite struct PoolSchemaCheckTests {
    @Test func aPoolStartsOnTheSchemaItKnows() throws {
        let files = [try file("0001_a.sql"), try file("0002_b.sql")]
        #expect(
            PoolSchemaCheck.decide(database: "catalyst_main", files: files, applied: files.map(applied), known: 2)
                == .current("catalyst_main is at schema version 2, the one this binary knows"))
    }

    @Test func aNewerSchemaIsRefusedNamingBothVersions() throws {
        let files = [try file("0001_a.sql"), try file("0002_b.sql")]
        let newer = files.map(applied) + [AppliedMigration(version: 3, fileName: "0003_c.sql", checksum: "x")]
        guard case .refused(let message) = PoolSchemaCheck.decide(database: "catalyst_main", files: files, applied: newer, known: 2) else {
            Issue.record("a newer schema must be refused")
            return
        }
        #expect(message.contains("schema is at version 3, newer than this binary knows (2)"))
    }

    @Test func anOlderSchemaIsRefusedTellingToMigrate() throws {
        let files = [try file("0001_a.sql"), try file("0002_b.sql")]
        #expect(
            PoolSchemaCheck.decide(database: "catalyst_developers", files: files, applied: [applied(files[0])], known: 2)
                == .refused(
                    "catalyst_developers is at schema version 1 but this binary needs version 2 (1 migration(s) not applied: "
                        + "0002_b.sql): run `catalystwells migrate` (then deploy/mariadb/bootstrap.sh), then start the pool"))
    }
}
