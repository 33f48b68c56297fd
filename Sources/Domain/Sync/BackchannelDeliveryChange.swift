import Foundation

/// A back-channel logout of main's queue that changed since sync last copied it to the developers database, where
/// the app's credentials page shows it (``AnalyticsStore/backchannelDeliveries(of:owner:limit:)``). It carries the
/// outcome of the tries only: the logout token is signed when sent and never stored.
public struct BackchannelDeliveryChange: Sendable, Equatable {
    /// The app's client.
    public let clientID: ClientID
    /// The row as it is now (its `id` is main's).
    public let entry: BackchannelLogoutEntry
    /// The row's revision when read: marking it copied only clears that revision, so a try recorded meanwhile is
    /// copied by the next run.
    public let revision: Int64

    public init(clientID: ClientID, entry: BackchannelLogoutEntry, revision: Int64) {
        self.clientID = clientID
        self.entry = entry
        self.revision = revision
    }
}

/// One back-channel logout as the developers database keeps it for an app.
public struct AppBackchannelDelivery: Sendable, Equatable {
    public let application: ApplicationID
    /// The row as main had it when copied (`id`: main's).
    public let entry: BackchannelLogoutEntry

    public init(application: ApplicationID, entry: BackchannelLogoutEntry) {
        self.application = application
        self.entry = entry
    }
}
