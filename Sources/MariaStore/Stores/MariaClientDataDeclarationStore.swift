import Domain
import Foundation

/// ``ClientDataDeclarationStore`` over the main database's `oauth_client_data_declarations`.
public struct MariaClientDataDeclarationStore: ClientDataDeclarationStore {
    let database: MariaDatabase

    /// Creates the store over a thread's database handle.
    public init(database: MariaDatabase) { self.database = database }

    public func declarations(of client: ClientID) throws -> [DataDeclaration] {
        try declarations(of: [client])[client] ?? []
    }

    public func declarations(of clients: [ClientID]) throws -> [ClientID: [DataDeclaration]] {
        guard !clients.isEmpty else { return [:] }
        var found: [ClientID: [DataDeclaration]] = [:]
        for chunk in stride(from: 0, to: clients.count, by: 200).map({ Array(clients[$0..<min($0 + 200, clients.count)]) }) {
            for row in try database.query(
                """
                SELECT c.client_id, d.scope, d.purpose, d.retention, d.retention_days, d.sub_processors
                FROM oauth_client_data_declarations d JOIN oauth_clients c ON c.id = d.client_pk
                WHERE c.client_id IN (\(list: chunk.map(\.rawValue)))
                ORDER BY c.client_id, d.position
                """)
            {
                guard let client = row.string("client_id"), let declaration = row.clientDataDeclaration else { continue }
                found[ClientID(client), default: []].append(declaration)
            }
        }
        return found
    }
}

extension Row {
    /// A row of `oauth_client_data_declarations`; `nil` when unreadable.
    var clientDataDeclaration: DataDeclaration? {
        guard let scope = string("scope"), let purpose = string("purpose"),
            let retention = DataDeclaration.Retention(kind: string("retention") ?? "", days: int("retention_days")),
            let processors = DataDeclarationColumns.subProcessors(string("sub_processors") ?? "")
        else { return nil }
        return DataDeclaration(scope: scope, purpose: purpose, retention: retention, subProcessors: processors)
    }
}
