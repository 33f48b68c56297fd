import Foundation
import Testing

@testable import Domain

private func migration(_ sql: String, name: String = "0034_change.sql") throws -> MigrationFile {
    try MigrationFile(fileName: name, contents: Array(sql.utf8))
}

@Suite struct MigrationLockRuleTests {
    @Test(arguments: [
        "ALTER TABLE oauth_tokens ADD COLUMN note VARCHAR(20) NULL, ALGORITHM=INSTANT;",
        "ALTER TABLE `oauth_tokens` ADD INDEX ix_note (note), ALGORITHM=INPLACE, LOCK=NONE;",
        "alter table catalyst_main.grades add column x int null, algorithm = nocopy, lock = none;",
        "CREATE INDEX ix_x ON data_access_log (x) ALGORITHM=INPLACE LOCK=NONE;",
        "ALTER TABLE grades ADD COLUMN y INT NULL, ALGORITHM INSTANT;",
    ])
    func anOnlineChangeOfABigTableIsAllowed(sql: String) throws {
        let report = MigrationLockRule.report(try migration(sql), folder: "main")
        #expect(report.findings.count == 1)
        #expect(report.violations.isEmpty)
        #expect(report.summary.hasPrefix("online change of "))
    }

    @Test(arguments: [
        ("ALTER TABLE oauth_tokens ADD COLUMN note VARCHAR(20) NULL;", "oauth_tokens"),
        ("ALTER TABLE grades ADD INDEX ix (a), ALGORITHM=INPLACE;", "grades"),
        ("ALTER TABLE grades ADD INDEX ix (a), ALGORITHM=COPY, LOCK=NONE;", "grades"),
        ("CREATE UNIQUE INDEX ix ON data_access_log (a);", "data_access_log"),
        ("DROP INDEX ix ON sessions;", "sessions"),
        ("OPTIMIZE TABLE security_audit_log;", "security_audit_log"),
        ("ALTER IGNORE TABLE users\n  MODIFY name VARCHAR(300) NOT NULL;", "users"),
    ])
    func aLockingChangeOfABigTableIsRefusedWithTheTableNamed(sql: String, table: String) throws {
        let violations = MigrationLockRule.violations([try migration(sql)], folder: "main")
        #expect(violations.count == 1)
        #expect(violations.first?.contains("locks the big table \(table)") == true)
        #expect(violations.first?.hasPrefix("main/0034_change.sql: ") == true)
    }

    @Test func theRefusalQuotesTheStatementAsWrittenAndSaysWhatToDo() throws {
        let violations = MigrationLockRule.violations([try migration("ALTER TABLE grades\n  ADD INDEX ix_x (id);")], folder: "main")
        #expect(
            violations == [
                "main/0034_change.sql: `ALTER TABLE grades ADD INDEX ix_x …` locks the big table grades: add ALGORITHM=INSTANT "
                    + "(or ALGORITHM=INPLACE, LOCK=NONE), or split it into expand and contract steps and mark the contract file "
                    + "with a line `-- contract: why`"
            ])
    }

    @Test func aMarkedContractStepMayLockAndThePlanSaysSo() throws {
        let file = try migration("-- contract: drops the column 0034 stopped using; run it in a quiet hour\nALTER TABLE grades DROP COLUMN old;")
        let report = MigrationLockRule.report(file, folder: "main")
        #expect(report.violations.isEmpty)
        #expect(report.lockedTables == ["grades"])
        #expect(report.summary == "LOCKS grades (marked contract: run it in a quiet hour)")
    }

    @Test func smallTablesCommentsAndOtherStatementsAreNotFindings() throws {
        let sql = """
            -- ALTER TABLE oauth_tokens ADD COLUMN x INT; (a comment)
            ALTER TABLE schools ADD COLUMN motto VARCHAR(100) NULL;
            CREATE TABLE grades_archive (id INT);
            INSERT INTO grades (id) VALUES (1);
            UPDATE sessions SET note = 'ALTER TABLE users; -- not a statement';
            """
        let report = MigrationLockRule.report(try migration(sql), folder: "main")
        #expect(report.findings.isEmpty)
        #expect(report.summary == "no big table touched")
    }

    @Test func eachFolderHasItsOwnBigTables() throws {
        let sql = "ALTER TABLE webhook_deliveries ADD COLUMN x INT NULL;"
        #expect(MigrationLockRule.violations([try migration(sql, name: "0014_x.sql")], folder: "developers").count == 1)
        #expect(MigrationLockRule.violations([try migration(sql, name: "0034_x.sql")], folder: "main").isEmpty)
    }

    @Test func filesFromBeforeTheRuleAreShownButNotRefused() throws {
        let old = try migration("ALTER TABLE users ADD COLUMN x INT NOT NULL DEFAULT 0;", name: "0023_x.sql")
        #expect(MigrationLockRule.violations([old], folder: "main").isEmpty)
        #expect(MigrationLockRule.report(old, folder: "main").lockedTables == ["users"])
    }

    /// The lint: every migration in the repository follows the rule.
    @Test(arguments: ["main", "developers"])
    func theRepositorysMigrationsFollowTheRule(folder: String) throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("schema/\(folder)")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(!names.isEmpty)
        let files = try names.map { name in
            try MigrationFile(fileName: name, contents: Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
        #expect(MigrationLockRule.violations(files, folder: folder) == [])
    }
}
