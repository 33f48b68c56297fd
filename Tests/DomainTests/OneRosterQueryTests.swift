import Domain
import Foundation
import Testing

/// OneRoster 1.2's collection parameters: the filter grammar, paging, sorting and field selection.
@Suite struct OneRosterQueryTests {
    func parse(_ text: String, _ entity: OneRosterEntity = .user) -> Result<OneRosterFilter, OneRosterFailure> {
        OneRosterFilter.parse(text, for: entity)
    }

    @Test func aSingleClauseParsesWithItsFieldPredicateAndValue() throws {
        let filter = try parse("familyName='Lee'").get()
        #expect(filter.clauses.count == 1)
        #expect(filter.clauses[0].field.name == "familyName")
        #expect(filter.clauses[0].predicate == .equal)
        #expect(filter.clauses[0].value == .text("Lee"))
        #expect(filter.logical == nil)
    }

    @Test func everyPredicateOfTheSpecificationParses() throws {
        let table: [(String, OneRosterFilter.Predicate)] = [
            ("givenName='a'", .equal), ("givenName!='a'", .notEqual), ("givenName>'a'", .greater), ("givenName>='a'", .greaterOrEqual),
            ("givenName<'a'", .less), ("givenName<='a'", .lessOrEqual), ("givenName~'a'", .contains),
        ]
        for (text, predicate) in table { #expect(try parse(text).get().clauses[0].predicate == predicate, "\(text)") }
    }

    @Test func oneLogicalOperatorJoinsTwoClausesAndTypedValuesAreRead() throws {
        let filter = try parse("startDate>='2024-09-01' AND type='term'", .academicSession).get()
        #expect(filter.logical == .and)
        #expect(filter.clauses.map(\.field.name) == ["startDate", "type"])
        #expect(filter.clauses[0].value == .date(CalendarDate("2024-09-01")!))
        let modified = try parse("dateLastModified>'2024-01-02T03:04:05Z' OR status='active'").get()
        #expect(modified.logical == .or)
        #expect(modified.clauses[0].value == .dateTime(Date(timeIntervalSince1970: 1_704_164_645)))
    }

    @Test func whatTheGrammarDoesNotAllowIsRefusedNamingTheProblem() {
        let table: [(String, String)] = [
            ("familyName='a' AND givenName='b' AND email='c'", "only one logical operator"),
            ("familyName='a' AND givenName='b' OR email='c'", "only one logical operator"),
            ("shoeSize='9'", "does not exist"),
            ("agents='x'", "cannot be filtered"),
            ("familyName=Lee", "single quotes"),
            ("familyName='Lee", "no closing single quote"),
            ("familyName=='Lee'", "single quotes"),
            ("familyName 'Lee'", "Expected one of"),
            ("familyName='a' and givenName='b'", "AND"),
            ("", "Expected a field name"),
            ("status='deleted'", "must be one of"),
            ("enabledUser~'t'", "contains"),
            ("dateLastModified>'yesterday'", "ISO 8601"),
            ("familyName='a';DROP TABLE users", "AND"),
        ]
        for (text, problem) in table {
            guard case .failure(let failure) = parse(text) else {
                Issue.record("accepted \(text)")
                continue
            }
            #expect(failure.status == 400)
            #expect(failure.codeMinor == "invalid_filter_field")
            #expect(failure.description.contains(problem), "\(text): \(failure.description)")
        }
        if case .failure(let failure) = parse("startDate>'2024-13-01'", .academicSession) {
            #expect(failure.description.contains("YYYY-MM-DD"))
        } else {
            Issue.record("accepted an impossible day")
        }
    }

    func query(_ pairs: [String: String], _ entity: OneRosterEntity = .user, repeated: Set<String> = []) -> Result<
        OneRosterListQuery, OneRosterFailure
    > {
        OneRosterListQuery.parse(entity: entity, repeated: repeated) { pairs[$0] }
    }

    @Test func pagingDefaultsTo100FromTheStartAndTakesLimitOffsetSortOrderAndFields() throws {
        let plain = try query([:]).get()
        #expect(plain.limit == 100 && plain.offset == 0 && plain.sort == nil && !plain.descending && plain.fields == nil)
        let full = try query(["limit": "25", "offset": "50", "sort": "familyName", "orderBy": "desc", "fields": "givenName,sourcedId"]).get()
        #expect(full.limit == 25 && full.offset == 50 && full.sort?.name == "familyName" && full.descending)
        // Selected fields come in the collection's order.
        #expect(full.fields == ["sourcedId", "givenName"])
    }

    @Test func badParametersAreRefusedWithTheSpecificationsCodes() {
        let table: [([String: String], String)] = [
            (["limit": "0"], "invaliddata"), (["limit": "1001"], "invaliddata"), (["limit": "ten"], "invaliddata"),
            (["offset": "-1"], "invaliddata"), (["orderBy": "up"], "invaliddata"), (["sort": "shoeSize"], "invalid_selection_field"),
            (["sort": "agents"], "invalid_selection_field"), (["fields": "givenName,shoeSize"], "invalid_selection_field"),
            (["fields": ""], "invalid_selection_field"), (["filter": "x"], "invalid_filter_field"),
        ]
        for (pairs, code) in table {
            guard case .failure(let failure) = query(pairs) else {
                Issue.record("accepted \(pairs)")
                continue
            }
            #expect(failure.status == 400 && failure.codeMinor == code, "\(pairs)")
        }
        if case .success = query(["limit": "5"], repeated: ["limit"]) { Issue.record("accepted a repeated limit") }
    }

    @Test func linksPointNextPrevFirstAndLastAndStopAtTheEnds() {
        let middle = OneRosterListQuery(limit: 10, offset: 10)
        #expect(middle.links(total: 35).map(\.relation) == ["next", "prev", "first", "last"])
        #expect(middle.links(total: 35).map(\.offset) == [20, 0, 0, 30])
        let first = OneRosterListQuery(limit: 10, offset: 0)
        #expect(first.links(total: 35).map(\.relation) == ["next", "first", "last"])
        let last = OneRosterListQuery(limit: 10, offset: 30)
        #expect(last.links(total: 35).map(\.relation) == ["prev", "first", "last"])
        // Paging past the end: prev leads back to the last page.
        let past = OneRosterListQuery(limit: 10, offset: 100)
        #expect(past.links(total: 35).map(\.offset) == [30, 0, 30])
        #expect(OneRosterListQuery().links(total: 0).map(\.offset) == [0, 0])
    }

    @Test func schoolsLendTheirDataUnlessTheyBlockTheAppOrLimitItsScopes() {
        let school = { (n: Int64) in SchoolID(n) }
        let policies: [(school: SchoolID, policy: SchoolAppPolicy?)] = [
            (school(1), nil), (school(2), SchoolAppPolicy(status: .blocked, scopeLimit: nil)),
            (school(3), SchoolAppPolicy(status: .allowed, scopeLimit: ["school.read"])),
            (school(4), SchoolAppPolicy(status: .allowed, scopeLimit: [OneRosterAccess.roster])),
        ]
        let core = OneRosterAccess.schools(policies, scopes: [OneRosterAccess.rosterCore], accepted: OneRosterAccess.rosteringScopes)
        #expect(core == [school(1)])
        let full = OneRosterAccess.schools(policies, scopes: [OneRosterAccess.roster], accepted: OneRosterAccess.rosteringScopes)
        #expect(full == [school(1), school(4)])
        #expect(OneRosterAccess.schools(policies, scopes: ["school.read"], accepted: OneRosterAccess.rosteringScopes).isEmpty)
    }

    @Test func everyEndpointHasAUniqueOperationIdAndAFullPathUnderItsService() {
        var ids: Set<String> = []
        for endpoint in OneRosterAPI.endpoints {
            #expect(ids.insert(endpoint.operationID).inserted, "\(endpoint.operationID)")
            #expect(endpoint.fullPath.hasPrefix("/ims/oneroster/\(endpoint.service.rawValue)/v1p2/"))
            #expect(endpoint.isObject == endpoint.path.hasSuffix("{id}"))
        }
    }
}
