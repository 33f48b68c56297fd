import Domain
import Testing

@testable import MariaStore

/// What `backup`, `restore` and `doctor` ask the server (``MariaOperations``), on a fresh database and on the test
/// stack's own accounts.
@Suite struct OperationsStoreTests {
    init() { MariaClient.initializeLibrary() }

    @Test func theHistoryAndTablesOfADatabaseAreReadAndRecreateEmptiesIt() throws {
        let test = try TestDatabase(schema: "developers", through: 3)
        let operations = MariaOperations(database: MariaDatabase(options: try TestServer.adminOptions(database: "")))
        #expect(try operations.databaseExists(test.name))
        #expect(try operations.tables(in: test.name).contains("schema_migrations"))
        #expect(try operations.appliedMigrations(in: test.name).map(\.version) == [1, 2, 3])
        #expect(try operations.serverVersion().contains("MariaDB"))
        try operations.recreate(test.name)
        #expect(try operations.tables(in: test.name).isEmpty)
        #expect(try operations.appliedMigrations(in: test.name).isEmpty)
        #expect(try !operations.databaseExists(test.name + "_none"))
    }

    /// Doctor reads each account's privileges through the account itself: that view must be the administrator's.
    @Test(arguments: [("app", "catalyst_app", "catalyst_main"), ("developers", "catalyst_dev", "catalyst_developers")])
    func anAccountSeesExactlyTheGrantsTheServerRecordsForIt(role: String, user: String, database: String) throws {
        let own = try MariaOperations(database: MariaDatabase(options: try TestServer.stackAccount(role, user: user, database: database)))
            .ownGrants()
        // GrantTests writes privileges space-separated, doctor's form comma-separated: compare the words.
        func words(_ list: String) -> [Substring] { list.split(whereSeparator: { $0 == " " || $0 == "," }).sorted() }
        let recorded = try GrantTests.grants(of: user).mapValues(words)
        #expect(!own.isEmpty)
        #expect(own.mapValues(words) == recorded)
    }

    /// The test stack's accounts, as bootstrap.sh left them, hold exactly what the policy doctor checks says.
    @Test func theStacksDevelopersAccountHoldsExactlyThePolicysGrants() throws {
        let admin = MariaOperations(database: MariaDatabase(options: try TestServer.adminOptions(database: "")))
        let tables = Set(try admin.tables(in: "catalyst_developers"))
        let expected = DatabaseGrantPolicy.tableGrants(DatabaseGrantPolicy.developersTables, existing: tables)
            .reduce(into: [String: String]()) { $0["catalyst_developers.\($1.key)"] = $1.value }
        let own = try MariaOperations(
            database: MariaDatabase(options: try TestServer.stackAccount("developers", user: "catalyst_dev", database: "catalyst_developers"))
        ).ownGrants()
        #expect(DatabaseGrantPolicy.differences(expected: expected, actual: own).isEmpty)
    }
}
