import Domain
import Testing

/// The scope registry (DESIGN §6) and `scope` parsing (RFC 6749 §3.3).
@Suite struct OAuthScopeTests {
    let registry = ScopeRegistry.standard

    @Test(arguments: [
        ("openid", "openid"),
        ("openid profile.read", "openid profile.read"),
        ("profile.read openid profile.read", "profile.read openid"),
        ("school.read", "school.read"),
        ("", "invalid_scope"),
        ("openid  profile.read", "invalid_scope"),
        (" openid", "invalid_scope"),
        ("openid ", "invalid_scope"),
        ("openid\tprofile.read", "invalid_scope"),
        ("openid \"x\"", "invalid_scope"),
        ("openid email", "invalid_scope"),
        ("OPENID", "invalid_scope"),
        ("profile", "invalid_scope"),
        ("opénid", "invalid_scope"),
        (String(repeating: "openid ", count: 300) + "openid", "invalid_scope"),
    ])
    func scopeParameterParsing(parameter: String, expected: String) {
        switch registry.parse(scopeParameter: parameter) {
        case .success(let scopes): #expect(scopes.joined(separator: " ") == expected)
        case .failure(let error): #expect(error.code.rawValue == expected)
        }
    }

    @Test(arguments: [
        (Role.student, "openid profile.read student.grades.read school.read"),
        (.teacher, "openid profile.read teacher.grades.write school.read"),
        (.parent, "openid profile.read school.read"),
        (.schoolAdmin, "openid profile.read admin.users.read school.read"),
        (.platformAdmin, "openid profile.read school.read"),
    ])
    func theConsentPageListsOnlyWhatTheRoleCanGrant(role: Role, expected: String) {
        let requested = ["openid", "profile.read", "student.grades.read", "teacher.grades.write", "admin.users.read", "school.read", "unknown"]
        let allowed: Set<String> = ["openid", "profile.read", "student.grades.read", "teacher.grades.write", "admin.users.read", "school.read"]
        let listed = registry.grantable(requested: requested, role: role, clientAllowed: allowed).map(\.name)
        #expect(listed.joined(separator: " ") == expected)
    }

    @Test func scopesTheClientMayNotRequestAreNeverListed() {
        let listed = registry.grantable(requested: ["openid", "student.grades.read"], role: .student, clientAllowed: ["openid"])
        #expect(listed.map(\.name) == ["openid"])
    }

    @Test func theRegistryHoldsTheOriginalVocabulary() {
        #expect(
            registry.scopesSupported == [
                "openid", "profile.read", "profile.email", "offline_access", "student.classes.read", "student.grades.read",
                "student.attendance.read", "teacher.students.read", "teacher.grades.read", "teacher.grades.write",
                "teacher.attendance.read", "teacher.attendance.write", "parent.children.read", "parent.grades.read",
                "parent.attendance.read", "admin.users.read", "admin.school.read", "school.read", OneRosterAccess.rosterCore,
                OneRosterAccess.roster, OneRosterAccess.gradebookRead, OneRosterAccess.gradebookCreatePut,
            ] + LTIScopes.all)
    }

    @Test func identityScopesAreGrantableByEveryRole() {
        for name in ["openid", "profile.read", "profile.email", "offline_access"] {
            #expect(registry.definition(named: name)?.grantableBy == Set(Role.allCases), "\(name)")
        }
    }

    @Test func onlySchoolReadAndTheOneRosterAndLTIScopesAreAppLevel() {
        #expect(
            registry.definitions.filter(\.isAppLevel).map(\.name) == [
                "school.read", OneRosterAccess.rosterCore, OneRosterAccess.roster, OneRosterAccess.gradebookRead,
                OneRosterAccess.gradebookCreatePut,
            ] + LTIScopes.all)
    }

    @Test func onlyTheTwoTeacherWriteScopesOneRostersCreatePutAndLTIsLineItemAndScoreWrite() {
        #expect(
            registry.definitions.filter { $0.access == .write }.map(\.name) == [
                "teacher.grades.write", "teacher.attendance.write", OneRosterAccess.gradebookCreatePut, LTIScopes.lineItem, LTIScopes.score,
            ])
    }

    @Test func everyScopeHasADescriptionAndARoleAndTokenSyntax() {
        for scope in registry.definitions {
            #expect(!scope.description.isEmpty)
            // OneRoster's and LTI's scopes are lent by schools to an app's own token; no user grants them.
            #expect(scope.grantableBy.isEmpty == (scope.name.hasPrefix(OneRosterAccess.scopePrefix) || LTIScopes.all.contains(scope.name)))
            #expect(registry.parse(scopeParameter: scope.name).failureCode == nil)
        }
    }

    @Test func gradesAndAttendanceAreHighlySensitive() {
        for scope in registry.definitions where scope.name.contains("grades") || scope.name.contains("attendance") {
            #expect(scope.sensitivity == .high, "\(scope.name)")
        }
    }
}
