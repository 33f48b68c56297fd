import Domain
import Testing

/// Developer teams' role table (issue 20 item 6): what each role may do, as a table, and the member-management
/// rules that keep exactly one owner.
@Suite struct OrganisationRoleTests {
    typealias Role = OrganisationRole
    typealias Action = OrganisationAction

    /// Every (role, action) pair: `true` where the role permits it.
    static let table: [(Role, Action, Bool)] = [
        (.viewer, .viewApp, true), (.viewer, .editApp, false), (.viewer, .manageCredentials, false),
        (.viewer, .manageMembers, false), (.viewer, .transferOwnership, false), (.viewer, .deleteApp, false),
        (.developer, .viewApp, true), (.developer, .editApp, true), (.developer, .manageCredentials, false),
        (.developer, .manageMembers, false), (.developer, .transferOwnership, false), (.developer, .deleteApp, false),
        (.admin, .viewApp, true), (.admin, .editApp, true), (.admin, .manageCredentials, true),
        (.admin, .manageMembers, true), (.admin, .transferOwnership, false), (.admin, .deleteApp, false),
        (.owner, .viewApp, true), (.owner, .editApp, true), (.owner, .manageCredentials, true),
        (.owner, .manageMembers, true), (.owner, .transferOwnership, true), (.owner, .deleteApp, true),
        (.viewer, .renameOrganisation, false), (.developer, .renameOrganisation, false), (.admin, .renameOrganisation, true),
        (.owner, .renameOrganisation, true),
    ]

    @Test func theTableCoversEveryRoleAndAction() {
        #expect(Self.table.count == Role.allCases.count * Action.allCases.count)
        #expect(Set(Self.table.map { "\($0.0)/\($0.1)" }).count == Self.table.count)
    }

    @Test(arguments: table)
    func eachRolePermitsExactlyItsActions(row: (Role, Action, Bool)) {
        #expect(row.0.permits(row.1) == row.2)
        #expect(Role.permitting(row.1).contains(row.0) == row.2)
    }

    @Test func aViewerReadsButChangesNothing() {
        #expect(Action.allCases.filter { Role.viewer.permits($0) } == [.viewApp])
    }

    @Test func nobodyIsInvitedAsOwner() {
        #expect(Role.invitable == [.viewer, .developer, .admin])
        for role in Role.allCases { #expect(!role.mayInvite(as: .owner)) }
        #expect(Role.admin.mayInvite(as: .admin))
        #expect(!Role.developer.mayInvite(as: .viewer))
        #expect(!Role.viewer.mayInvite(as: .viewer))
    }

    @Test func adminsManageMembersBelowOwnerAndNobodyMakesOrUnmakesAnOwner() {
        #expect(Role.admin.mayManage(current: .developer, to: .viewer, isSelf: false))
        #expect(Role.admin.mayManage(current: .admin, to: nil, isSelf: false))
        #expect(Role.owner.mayManage(current: .viewer, to: .admin, isSelf: false))
        #expect(!Role.admin.mayManage(current: .owner, to: .admin, isSelf: false))
        #expect(!Role.admin.mayManage(current: .owner, to: nil, isSelf: false))
        #expect(!Role.owner.mayManage(current: .admin, to: .owner, isSelf: false))
        #expect(!Role.owner.mayManage(current: .owner, to: nil, isSelf: true))
        #expect(!Role.developer.mayManage(current: .viewer, to: nil, isSelf: false))
        #expect(!Role.viewer.mayManage(current: .viewer, to: .admin, isSelf: true))
    }

    @Test func anyMemberButTheOwnerMayLeave() {
        for role in [Role.viewer, .developer, .admin] { #expect(role.mayManage(current: role, to: nil, isSelf: true)) }
    }

    @Test func onlyTheOwnerTransfersAndOnlyToAnAdmin() {
        #expect(Role.owner.mayTransferOwnership(to: .admin))
        #expect(!Role.owner.mayTransferOwnership(to: .developer))
        #expect(!Role.owner.mayTransferOwnership(to: .viewer))
        #expect(!Role.admin.mayTransferOwnership(to: .admin))
    }
}
