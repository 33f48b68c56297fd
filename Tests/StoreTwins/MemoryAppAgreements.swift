import Domain
import Foundation

/// The in-memory twin of ``AppAgreementStore`` (`MariaAppAgreementStore`) and ``ClientDataDeclarationStore``
/// (`MariaClientDataDeclarationStore`, whose rows sync writes: tests set them with ``setDeclarations(_:of:)``).
/// Whether an app is blocked for a school comes from ``appBlocked``, which the test wires to the OAuth twin.
final class MemoryAppAgreements: AppAgreementStore, ClientDataDeclarationStore, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String: (agreement: AppAgreement, bytes: [UInt8]?, appName: String)] = [:]
    private var schoolSettings: [SchoolID: AgreementSettings] = [:]
    private var declared: [ClientID: [DataDeclaration]] = [:]
    /// Whether a client exists (the OAuth twin answers).
    var clientExists: @Sendable (ClientID) -> Bool = { _ in true }
    /// The school's admins' addresses and languages (the accounts twin answers).
    var adminRecipientsOf: @Sendable (SchoolID) -> [SchoolAdminRecipient] = { _ in [] }
    /// Whether the school has the app blocked (the OAuth twin answers).
    var appBlocked: @Sendable (SchoolID, ClientID) -> Bool = { _, _ in false }
    /// Blocks for the school the apps that have no current agreement (not in the set given) and that it allowed or
    /// that are connected to its users; returns them (the OAuth twin does it, as the MariaDB store's transaction).
    var blockAppsWithoutAgreement: @Sendable (SchoolID, Set<ClientID>, UserID, Date) -> [ClientID] = { _, _, _, _ in [] }
    /// An app's name (the OAuth twin answers; the client id when it has none).
    var appName: @Sendable (ClientID) -> String? = { _ in nil }
    /// Whether a client is active (the OAuth twin answers): the daily run looks at active apps' agreements only.
    var clientActive: @Sendable (ClientID) -> Bool = { _ in true }

    private func key(_ school: SchoolID, _ client: ClientID) -> String { "\(school)|\(client.rawValue)" }

    func setDeclarations(_ declarations: [DataDeclaration], of client: ClientID) { lock.withLock { declared[client] = declarations } }

    func declarations(of client: ClientID) throws -> [DataDeclaration] { lock.withLock { declared[client] ?? [] } }

    func declarations(of clients: [ClientID]) throws -> [ClientID: [DataDeclaration]] {
        lock.withLock { declared.filter { clients.contains($0.key) && !$0.value.isEmpty } }
    }

    func agreement(school: SchoolID, client: ClientID) throws -> AppAgreement? { lock.withLock { stored[key(school, client)]?.agreement } }

    func agreements(school: SchoolID) throws -> [ClientID: AppAgreement] {
        lock.withLock {
            Dictionary(uniqueKeysWithValues: stored.values.filter { $0.agreement.school == school }.map { ($0.agreement.client, $0.agreement) })
        }
    }

    func document(school: SchoolID, client: ClientID) throws -> AgreementDocument? {
        lock.withLock { stored[key(school, client)]?.bytes.map(AgreementDocument.init(bytes:)) }
    }

    func saveAgreement(
        school: SchoolID, client: ClientID, kind: String, signedOn: CalendarDate, expiresOn: CalendarDate?, document: AgreementDocument?,
        keepDocument: Bool, by admin: UserID, now: Date
    ) throws {
        guard clientExists(client) else { throw StoreError(.constraint, detail: "saveAgreement: no client \(client)") }
        lock.withLock {
            let previous = stored[key(school, client)]
            let bytes = document?.bytes ?? (keepDocument ? previous?.bytes : nil)
            stored[key(school, client)] = (
                AppAgreement(
                    school: school, client: client, kind: kind, signedOn: signedOn, expiresOn: expiresOn,
                    document: bytes.map { AgreementDocument(bytes: $0).summary }),
                bytes, appName(client) ?? client.rawValue
            )
        }
    }

    func removeAgreement(school: SchoolID, client: ClientID) throws -> Bool {
        lock.withLock { stored.removeValue(forKey: key(school, client)) != nil }
    }

    func settings(school: SchoolID) throws -> AgreementSettings { lock.withLock { schoolSettings[school] ?? .default } }

    func setSettings(_ settings: AgreementSettings, school: SchoolID, by admin: UserID, now: Date) throws -> [ClientID] {
        let today = CalendarDate(now)
        let current = lock.withLock {
            schoolSettings[school] = settings
            return Set(stored.values.filter { $0.agreement.school == school && $0.agreement.isCurrent(on: today) }.map(\.agreement.client))
        }
        guard settings.requireAgreement else { return [] }
        return blockAppsWithoutAgreement(school, current, admin, now)
    }

    func agreementsExpiring(onOrBefore day: CalendarDate, limit: Int) throws -> [ExpiringAgreement] {
        let candidates = lock.withLock {
            stored.values.filter { entry in
                guard let expiry = entry.agreement.expiresOn, expiry <= day, clientActive(entry.agreement.client) else { return false }
                return entry.agreement.warnedFor != expiry || entry.agreement.blockedFor != expiry
            }
            .sorted { ($0.agreement.expiresOn!, $0.agreement.client.rawValue) < ($1.agreement.expiresOn!, $1.agreement.client.rawValue) }
            .prefix(limit).map { ($0.agreement, $0.appName, schoolSettings[$0.agreement.school] ?? .default) }
        }
        return candidates.map {
            ExpiringAgreement(agreement: $0.0, appName: $0.1, settings: $0.2, appBlocked: appBlocked($0.0.school, $0.0.client))
        }
    }

    func markWarned(school: SchoolID, client: ClientID, expiresOn: CalendarDate) throws {
        mark(school, client, expiresOn) {
            AppAgreement(
                school: $0.school, client: $0.client, kind: $0.kind, signedOn: $0.signedOn, expiresOn: $0.expiresOn, document: $0.document,
                warnedFor: expiresOn, blockedFor: $0.blockedFor)
        }
    }

    func markBlocked(school: SchoolID, client: ClientID, expiresOn: CalendarDate) throws {
        mark(school, client, expiresOn) {
            AppAgreement(
                school: $0.school, client: $0.client, kind: $0.kind, signedOn: $0.signedOn, expiresOn: $0.expiresOn, document: $0.document,
                warnedFor: $0.warnedFor, blockedFor: expiresOn)
        }
    }

    private func mark(_ school: SchoolID, _ client: ClientID, _ expiresOn: CalendarDate, _ change: (AppAgreement) -> AppAgreement) {
        lock.withLock {
            guard let entry = stored[key(school, client)], entry.agreement.expiresOn == expiresOn else { return }
            stored[key(school, client)] = (change(entry.agreement), entry.bytes, entry.appName)
        }
    }

    func adminRecipients(school: SchoolID) throws -> [SchoolAdminRecipient] { adminRecipientsOf(school) }
}
