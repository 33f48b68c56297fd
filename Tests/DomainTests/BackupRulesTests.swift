import Foundation
import Testing

@testable import Domain

private func file(_ name: String, _ sql: String = "SELECT 1;") throws -> MigrationFile {
    try MigrationFile(fileName: name, contents: Array(sql.utf8))
}

private func applied(_ file: MigrationFile) -> AppliedMigration {
    AppliedMigration(version: file.version, fileName: file.fileName, checksum: file.checksum)
}

private let digest = String(repeating: "ab", count: 32)

private func sampleManifest() -> BackupManifest {
    BackupManifest(
        createdAt: Date(timeIntervalSince1970: 1_800_000_000), host: "vm",
        binary: .init(sha256: digest, knownSchemaHeads: ["main": 30, "developers": 12]),
        dump: .init(method: "mariadb-dump --single-transaction", serverVersion: "10.11.6-MariaDB"),
        databases: [
            .init(role: "main", name: "catalyst_main", migrations: [.init(version: 1, fileName: "0001_a.sql", checksum: digest)]),
            .init(role: "developers", name: "catalyst_developers", migrations: []),
        ],
        files: [
            .init(path: "databases.sql", role: "database_dump", originalPath: "", sha256: digest, size: 10, mode: 0, owner: "", group: ""),
            .init(
                path: "files/configuration", role: "configuration", originalPath: "/etc/catalystwells/catalystwells.conf", sha256: digest,
                size: 5, mode: 0o640, owner: "root", group: "catalystwells"),
            .init(
                path: "files/oauth.key_file", role: "oauth.key_file", originalPath: "/etc/catalystwells/secrets/oauth.key", sha256: digest,
                size: 65, mode: 0o400, owner: "catalystwells-app", group: "root"),
        ])
}

@Suite struct BackupManifestTests {
    @Test func aManifestSurvivesEncodingAndDecoding() throws {
        let manifest = sampleManifest()
        let decoded = try BackupManifest.decode(try manifest.encoded())
        #expect(decoded == manifest)
        #expect(decoded.database("main")?.schemaHead == 1)
        #expect(decoded.database("developers")?.schemaHead == 0)
        #expect(String(decoding: try manifest.encoded(), as: UTF8.self).contains("\"schema_head\" : 1"))
    }

    @Test func anUnknownFormatIsRefusedWithoutGuessing() throws {
        var manifest = sampleManifest()
        manifest.format = 2
        #expect(throws: BackupError.self) { try BackupManifest.decode(try manifest.encoded()) }
        #expect(throws: BackupError("manifest.json is not a CatalystWells backup manifest")) {
            try BackupManifest.decode(Data("[1,2]".utf8))
        }
    }

    @Test(arguments: ["../etc/passwd", "/etc/passwd", "files/../../x", "files//x", "files/./x", "files/x y", "files/é", "", "files/"])
    func unsafeMemberPathsAreRefused(path: String) {
        #expect(!BackupManifest.isSafeMemberPath(path))
        var manifest = sampleManifest()
        manifest.files[1].path = path
        #expect(throws: BackupError.self) { try manifest.validate() }
    }

    @Test(arguments: ["databases.sql", "files/oauth.key_file", "files/database.app.password_file"])
    func plainMemberPathsAreAccepted(path: String) {
        #expect(BackupManifest.isSafeMemberPath(path))
    }

    @Test func aManifestWithoutBothDatabasesOrTheConfigurationOrWithAnUnknownRoleIsRefused() {
        var oneDatabase = sampleManifest()
        oneDatabase.databases.removeLast()
        #expect(throws: BackupError.self) { try oneDatabase.validate() }
        var noConfiguration = sampleManifest()
        noConfiguration.files.remove(at: 1)
        #expect(throws: BackupError("the archive holds no configuration file")) { try noConfiguration.validate() }
        var unknownRole = sampleManifest()
        unknownRole.files[2].role = "ssh.key"
        #expect(throws: BackupError.self) { try unknownRole.validate() }
        var twice = sampleManifest()
        twice.files[2].path = "files/configuration"
        #expect(throws: BackupError("the manifest names files/configuration twice")) { try twice.validate() }
    }

    @Test func theChecksumListIsWhatSha256sumWritesAndReadsBack() throws {
        let list = BackupManifest.checksumList(["manifest.json": digest, "databases.sql": String(repeating: "0", count: 64)])
        #expect(list == "\(String(repeating: "0", count: 64))  databases.sql\n\(digest)  manifest.json\n")
        #expect(try BackupManifest.parseChecksumList(list) == ["manifest.json": digest, "databases.sql": String(repeating: "0", count: 64)])
        #expect(throws: BackupError.self) { try BackupManifest.parseChecksumList("\(digest)  ../x\n") }
        #expect(throws: BackupError.self) { try BackupManifest.parseChecksumList("abc  x\n") }
    }

    @Test(arguments: [(0o400, 0o400), (0o440, 0o440), (0o600, 0o600), (0o640, 0o640), (0o644, 0o640), (0o777, 0o640), (0o000, 0o400), (0o060, 0o440)])
    func aRestoredFileIsNeverOpenToOthersNorWritableOrExecutableByItsGroup(recorded: Int, restored: Int) {
        #expect(BackupFileRole.restoredMode(from: recorded) == restored)
    }

    @Test func onlyTheThreeDataKeysTravelIntoAConfigurationThatIsKept() {
        #expect(Set(BackupFileRole.allCases.filter(\.isDataKey)) == [.oauthKey, .credentialsKey, .portalKey])
        #expect(BackupFileRole.allCases.filter { !$0.isRequired } == [.cronSecret, .backupRecipients])
    }
}

@Suite struct SchemaCompatibilityTests {
    @Test func aDatabaseAtTheBinarysHeadIsCurrentAndAnOlderOneIsBehindByItsPendingFiles() throws {
        let files = [try file("0001_a.sql"), try file("0002_b.sql"), try file("0003_c.sql")]
        #expect(try SchemaCompatibility.check(files: files, applied: files.map(applied)) == .current(head: 3))
        #expect(
            try SchemaCompatibility.check(files: files, applied: files.prefix(1).map(applied))
                == .behind(head: 1, pending: ["0002_b.sql", "0003_c.sql"]))
    }

    @Test func aSchemaNewerThanTheBinaryIsRefusedNamingBothVersions() throws {
        let files = [try file("0001_a.sql"), try file("0002_b.sql")]
        let newer = files.map(applied) + [AppliedMigration(version: 3, fileName: "0003_c.sql", checksum: digest)]
        #expect {
            try SchemaCompatibility.check(files: files, applied: newer)
        } throws: { error in
            (error as? MigrationError)?.message.hasPrefix("the schema is at version 3, newer than this binary knows (2)") == true
        }
    }

    @Test func anEditedMigrationIsRefused() throws {
        let files = [try file("0001_a.sql")]
        #expect(throws: MigrationError.self) {
            try SchemaCompatibility.check(files: files, applied: [AppliedMigration(version: 1, fileName: "0001_a.sql", checksum: digest)])
        }
    }
}

@Suite struct BackupRetentionTests {
    private static func at(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text)!
    }

    private static func names(_ stamps: [String]) -> [String] { stamps.map { BackupArchiveName.name(for: at($0)) } }

    @Test func theNameCarriesTheUTCTimeAndParsesBack() {
        let date = Self.at("2026-03-04T05:06:07Z")
        #expect(BackupArchiveName.name(for: date) == "catalystwells-backup-20260304T050607Z.tar.gz.age")
        #expect(BackupArchiveName.date(of: "catalystwells-backup-20260304T050607Z.tar.gz.age") == date)
    }

    @Test(arguments: [
        "catalystwells-backup-20260304T050607Z.tar.gz.age.partial", ".catalystwells-backup-20260304T050607Z.tar.gz.age.partial",
        "catalystwells-backup-20261304T050607Z.tar.gz.age", "catalystwells-backup-2026030T4050607Z.tar.gz.age", "notes.txt",
        "catalystwells-backup-20260230T050607Z.tar.gz.age",
    ])
    func otherNamesAreNotArchivesAndAreNeverPruned(name: String) {
        #expect(BackupArchiveName.date(of: name) == nil)
        #expect(BackupRetention(daily: 0, weekly: 0, monthly: 0).prune([name, BackupArchiveName.name(for: Self.at("2026-03-04T00:00:00Z"))]).isEmpty)
    }

    @Test func dailyKeepsTheNewestOfEachOfTheLastDays() {
        let all = Self.names([
            "2026-03-10T02:00:00Z", "2026-03-10T14:00:00Z", "2026-03-09T02:00:00Z", "2026-03-08T02:00:00Z", "2026-03-07T02:00:00Z",
        ])
        let kept = BackupRetention(daily: 3, weekly: 0, monthly: 0).keep(all)
        #expect(kept == Set(Self.names(["2026-03-10T14:00:00Z", "2026-03-09T02:00:00Z", "2026-03-08T02:00:00Z"])))
        #expect(
            BackupRetention(daily: 3, weekly: 0, monthly: 0).prune(all) == Self.names(["2026-03-07T02:00:00Z", "2026-03-10T02:00:00Z"]))
    }

    @Test func weeksAndMonthsKeepTheNewestOfEachPeriodBeyondTheDays() {
        // Daily backups for 100 days from 2026-01-01 (a Thursday).
        let start = Self.at("2026-01-01T02:00:00Z")
        let all = (0..<100).map { BackupArchiveName.name(for: start.addingTimeInterval(Double($0) * 86400)) }
        let kept = BackupRetention(daily: 7, weekly: 4, monthly: 3).keep(all)
        let newest = BackupArchiveName.name(for: start.addingTimeInterval(99 * 86400))  // 2026-04-10, a Friday
        #expect(kept.contains(newest))
        // 7 days (04-04…04-10) ∪ 4 weeks (newest of weeks ending 04-10, 04-05, 03-29, 03-22) ∪ 3 months (04-10, 03-31, 02-28).
        let expected = Self.names([
            "2026-04-04T02:00:00Z", "2026-04-05T02:00:00Z", "2026-04-06T02:00:00Z", "2026-04-07T02:00:00Z", "2026-04-08T02:00:00Z",
            "2026-04-09T02:00:00Z", "2026-04-10T02:00:00Z", "2026-03-29T02:00:00Z", "2026-03-22T02:00:00Z", "2026-03-31T02:00:00Z",
            "2026-02-28T02:00:00Z",
        ])
        #expect(kept == Set(expected))
    }

    @Test func countsAreFromTheNewestArchiveSoAMachineThatStoppedKeepsItsLastBackups() {
        let old = Self.names(["2025-01-01T02:00:00Z", "2025-01-02T02:00:00Z"])
        #expect(BackupRetention(daily: 1, weekly: 0, monthly: 0).keep(old) == [old[1]])
        #expect(BackupRetention(daily: 0, weekly: 0, monthly: 0).keep(old) == [old[1]])
    }
}

@Suite struct DoctorRuleTests {
    private let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test(arguments: [(-1.0, DoctorCheck.Status.fail), (0.5, .warn), (20.9, .warn), (21.5, .ok), (90, .ok)])
    func aCertificateWarnsUnderTwentyOneDaysAndFailsOnceExpired(days: Double, status: DoctorCheck.Status) {
        #expect(DoctorRules.certificate(path: "/c.pem", notAfter: now.addingTimeInterval(days * 86400), now: now).status == status)
    }

    @Test(arguments: [
        (Int64(50) << 30, Int64(100) << 30, DoctorCheck.Status.ok), (Int64(10) << 30, Int64(100) << 30, .warn),
        (Int64(1) << 30, Int64(4) << 30, .warn), (Int64(4) << 30, Int64(100) << 30, .fail), (Int64(400) << 20, Int64(1) << 30, .fail),
    ])
    func diskSpaceWarnsUnderFifteenPercentOrTwoGibAndFailsUnderFivePercentOrHalfAGib(free: Int64, total: Int64, status: DoctorCheck.Status) {
        #expect(DoctorRules.disk(what: "data", path: "/", free: free, total: total).status == status)
    }

    @Test func aSecretFileMustBeClosedToOthersAndReadExactlyByWhoNeedsIt() {
        func check(_ mode: Int, readers: Set<String>, must: [String] = ["app"], mustNot: [String] = ["dev"]) -> DoctorCheck.Status {
            DoctorRules.secretFile(
                key: "oauth.key_file", path: "/k", mode: mode, owner: "app", group: "root", mustRead: must, mustNotRead: mustNot,
                canRead: readers.contains
            ).status
        }
        #expect(check(0o400, readers: ["app"]) == .ok)
        #expect(check(0o600, readers: ["app"]) == .ok)
        #expect(check(0o404, readers: ["app"]) == .fail)
        #expect(check(0o460, readers: ["app"]) == .fail)
        #expect(check(0o440, readers: ["app", "dev"]) == .fail)
        #expect(check(0o000, readers: []) == .fail)
        let line = DoctorRules.secretFile(
            key: "oauth.key_file", path: "/k", mode: 0o644, owner: "app", group: "root", mustRead: [], mustNotRead: [], canRead: { _ in true }
        ).line
        #expect(line == "FAIL  keys      oauth.key_file /k (0644 app:root) is open to every user → chmod o-rwx /k")
    }

    @Test func doctorExitsNonZeroOnlyWhenACheckFailed() {
        #expect(DoctorCheck.exitStatus([DoctorCheck("a", .ok, ""), DoctorCheck("b", .warn, ""), DoctorCheck("c", .skip, "")]) == 0)
        #expect(DoctorCheck.exitStatus([DoctorCheck("a", .ok, ""), DoctorCheck("b", .fail, "")]) == 1)
    }
}

@Suite struct DatabaseGrantPolicyTests {
    @Test func privilegeListsCompareInOneCanonicalForm() {
        #expect(DatabaseGrantPolicy.normalize("SELECT, UPDATE (b, a), insert") == "INSERT, SELECT, UPDATE(a,b)")
        #expect(DatabaseGrantPolicy.normalize("SELECT (id, name), UPDATE (state)") == "SELECT(id,name), UPDATE(state)")
        #expect(
            DatabaseGrantPolicy.privileges("CREATE TEMPORARY TABLES, LOCK TABLES, SELECT(a,b)") == [
                "CREATE TEMPORARY TABLES", "LOCK TABLES", "SELECT(a,b)",
            ])
    }

    @Test func differencesNameWhatIsMissingAndWhatIsExtraPerObject() {
        let found = DatabaseGrantPolicy.differences(
            expected: ["d.a": "INSERT, SELECT", "d.b": "SELECT"], actual: ["d.a": "SELECT", "d.b": "SELECT", "d.c": "DELETE"])
        #expect(found.map(\.object) == ["d.a", "d.c"])
        #expect(found[0].missing == ["INSERT"] && found[0].extra.isEmpty)
        #expect(found[1].missing.isEmpty && found[1].extra == ["DELETE"])
    }

    /// The script is what grants; doctor compares against this copy. Both must change together.
    @Test func theListsAreExactlyThoseOfDeployMariadbBootstrapSh() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = try String(contentsOf: root.appendingPathComponent("deploy/mariadb/bootstrap.sh"), encoding: .utf8)
        func array(_ name: String) -> [String] {
            guard let start = script.range(of: "readonly \(name)=(\n") else { return [] }
            var entries: [String] = []
            for line in script[start.upperBound...].split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed == ")" { break }
                entries.append(String(trimmed.dropFirst().dropLast()))
            }
            return entries
        }
        #expect(array("APP_DEVELOPERS_GRANTS") == DatabaseGrantPolicy.appDevelopersTables)
        #expect(array("DEVELOPERS_GRANTS") == DatabaseGrantPolicy.developersTables)
        #expect(script.contains("grant_sql \"\(DatabaseGrantPolicy.appMainDatabase)\""))
    }
}

@Suite struct RestoredFileRuleTests {
    private let key = String(repeating: "0f", count: 32)

    @Test func aFileIsRestoredOnlyWithTheShapeTheProductWrites() {
        #expect(BackupFileRole.oauthKey.problem(withContent: Array("\(key)\n".utf8)) == nil)
        #expect(BackupFileRole.oauthKey.problem(withContent: Array("* * * * * root sh -c evil\n".utf8)) != nil)
        #expect(BackupFileRole.migratorPassword.problem(withContent: Array("3f9a0c2e8b7d6a5f4e3d2c1b\n".utf8)) == nil)
        #expect(BackupFileRole.migratorPassword.problem(withContent: Array("short\n".utf8)) != nil)
        #expect(BackupFileRole.appPassword.problem(withContent: Array("abcdefghijklmnop\nsecond line".utf8)) != nil)
        #expect(BackupFileRole.cronSecret.problem(withContent: Array("/var/tmp/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.so\n".utf8)) != nil)
        let recipient = "age1gf8ut8hn4jyuq20a7e2jgh9sdyutn28svh2zylf28rg7d2wkfa0qfsdcua"
        #expect(BackupFileRole.backupRecipients.problem(withContent: Array("# Ada's laptop\n\(recipient)\n\n".utf8)) == nil)
        #expect(BackupFileRole.backupRecipients.problem(withContent: Array("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA attacker\n".utf8)) != nil)
        #expect(BackupFileRole.portalKey.problem(withContent: [0xFF, 0xFE]) != nil)
    }

    @Test(arguments: [
        ("/etc/catalystwells/secrets/oauth.key", true), ("/etc/catalystwells/backup-recipients.txt", true),
        ("/etc/catalystwells/../cron.d/evil", false), ("/root/.ssh/authorized_keys", false), ("/etc/catalystwells", false),
        ("/etc/catalystwellsX/key", false), ("secrets/oauth.key", false),
    ])
    func aFullRestoreWritesOnlyUnderTheConfigurationsFolder(path: String, inside: Bool) {
        #expect(BackupFileRole.isInside(path, folder: "/etc/catalystwells") == inside)
    }
}
