import Testing

@testable import Domain

private func file(_ name: String, _ sql: String = "SELECT 1;") throws -> MigrationFile {
    try MigrationFile(fileName: name, contents: Array(sql.utf8))
}

private func applied(_ file: MigrationFile) -> AppliedMigration {
    AppliedMigration(version: file.version, fileName: file.fileName, checksum: file.checksum)
}

@Suite struct MigrationFileTests {
    @Test func theChecksumIsTheSHA256OfTheBytes() throws {
        // FIPS 180-2 example: SHA-256("abc").
        let migration = try MigrationFile(fileName: "0001_x.sql", contents: Array("abc".utf8))
        #expect(migration.checksum == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(migration.version == 1)
    }

    @Test(arguments: ["0001_create.sql", "0042_add_users.sql", "12345_big.sql"])
    func wellFormedNamesParse(name: String) throws {
        #expect(try file(name).fileName == name)
    }

    @Test(arguments: ["001_short.sql", "0001-dash.sql", "abcd_x.sql", "0001_x.txt", "0000_zero.sql", "0001.sql"])
    func malformedNamesAreRefusedWithTheFileNamed(name: String) {
        #expect {
            try file(name)
        } throws: { error in
            (error as? MigrationError)?.message.hasPrefix(name) == true
        }
    }

    @Test func nonUTF8ContentsAreRefused() {
        #expect(throws: MigrationError("0001_x.sql: the file is not valid UTF-8")) {
            try MigrationFile(fileName: "0001_x.sql", contents: [0x53, 0xFF, 0xFE])
        }
    }
}

@Suite struct MigrationPlanTests {
    @Test func aFreshDatabaseGetsEveryFileInOrder() throws {
        let files = [try file("0002_b.sql"), try file("0001_a.sql"), try file("0003_c.sql")]
        let pending = try MigrationPlan.pending(files: files, applied: [])
        #expect(pending.map(\.version) == [1, 2, 3])
    }

    @Test func anUpToDateDatabaseGetsNothing() throws {
        let files = [try file("0001_a.sql"), try file("0002_b.sql")]
        #expect(try MigrationPlan.pending(files: files, applied: files.map(applied)).isEmpty)
    }

    @Test func onlyNewerFilesArePending() throws {
        let files = [try file("0001_a.sql"), try file("0002_b.sql"), try file("0003_c.sql")]
        let pending = try MigrationPlan.pending(files: files, applied: [applied(files[0])])
        #expect(pending.map(\.fileName) == ["0002_b.sql", "0003_c.sql"])
    }

    @Test func anEditedAppliedFileIsRefused() throws {
        let original = try file("0001_a.sql", "CREATE TABLE a (id INT);")
        let edited = try file("0001_a.sql", "CREATE TABLE a (id BIGINT);")
        #expect {
            try MigrationPlan.pending(files: [edited], applied: [applied(original)])
        } throws: { error in
            (error as? MigrationError)?.message.contains("0001_a.sql was edited after it was applied") == true
        }
    }

    @Test func anAppliedVersionWithoutItsFileIsRefused() throws {
        let files = [try file("0001_a.sql")]
        let ghost = AppliedMigration(version: 2, fileName: "0002_b.sql", checksum: "00")
        #expect {
            try MigrationPlan.pending(files: files, applied: [applied(files[0]), ghost])
        } throws: { error in
            (error as? MigrationError)?.message.contains("its file is missing") == true
        }
    }

    @Test func twoFilesWithOneVersionAreRefused() throws {
        #expect(throws: MigrationError.self) {
            try MigrationPlan.pending(files: [try file("0001_a.sql"), try file("0001_b.sql")], applied: [])
        }
    }

    @Test func aFileSlippedInBelowTheHeadIsRefused() throws {
        let one = try file("0001_a.sql")
        let three = try file("0003_c.sql")
        let two = try file("0002_b.sql")
        #expect {
            try MigrationPlan.pending(files: [one, two, three], applied: [applied(one), applied(three)])
        } throws: { error in
            (error as? MigrationError)?.message.contains("migrations only go forward") == true
        }
    }
}
