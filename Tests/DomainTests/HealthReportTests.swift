import Testing

@testable import Domain

private struct FixedHealthStore: HealthStore {
    let result: Result<Int?, StoreError>
    func schemaVersion() throws -> Int? { try result.get() }
}

@Suite struct HealthReportTests {
    @Test func aDatabaseThatAnswersWithAVersionIsReady() {
        let (report, error) = HealthReport.check(FixedHealthStore(result: .success(3)))
        #expect(report == HealthReport(database: .up, schemaVersion: 3))
        #expect(report.isReady)
        #expect(error == nil)
    }

    @Test func aDatabaseWithoutMigrationsIsUpButNotReady() {
        let (report, _) = HealthReport.check(FixedHealthStore(result: .success(nil)))
        #expect(report.database == .up)
        #expect(!report.isReady)
    }

    @Test(arguments: [StoreError.Kind.unavailable, .denied, .other])
    func anyStoreFailureReportsTheDatabaseDown(kind: StoreError.Kind) {
        let (report, error) = HealthReport.check(FixedHealthStore(result: .failure(StoreError(kind, detail: "x"))))
        #expect(report.database == .down)
        #expect(!report.isReady)
        #expect(error?.kind == kind)
    }

    @Test func aStoreErrorPrintsNoDetail() {
        let error = StoreError(.unavailable, code: 2002, detail: "connect to catalyst_main as catalyst_app: secret path")
        #expect(!"\(error)".contains("catalyst_app"))
    }
}
