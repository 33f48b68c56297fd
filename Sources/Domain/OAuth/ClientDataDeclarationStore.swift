/// The data declarations of the apps the main database runs, as the last approved version of each declared
/// them (written by sync in the transaction that applies the app: ``SyncTargetStore/apply(_:as:now:)``).
public protocol ClientDataDeclarationStore {
    /// The client's declarations in declared order; empty when it has none (a first-party client, or an app
    /// approved before declarations existed).
    func declarations(of client: ClientID) throws -> [DataDeclaration]
    /// The declarations of several clients; clients without any are absent.
    func declarations(of clients: [ClientID]) throws -> [ClientID: [DataDeclaration]]
}
