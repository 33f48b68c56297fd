import Domain

/// Why an outbound post got no HTTP response. ``description`` is meant for the delivery log the developer
/// reads: it names what went wrong with their URL (the refused address, the TLS error), never a header value.
public struct OutboundHTTPSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Kind: Sendable, Equatable {
        /// The URL is not an `https://` URL with a host that libcurl can parse, or a header has a line break.
        case invalidRequest
        /// The host resolved to an address ``OutboundAddressRule`` refuses, or to none; nothing was sent.
        case refusedTarget
        /// The name did not resolve.
        case resolutionFailed
        /// No complete response within the time limit.
        case timedOut
        /// TCP or TLS failed, or the response was not HTTP.
        case connectionFailed
    }

    /// What failed.
    public let kind: Kind
    /// For the log.
    public let description: String

    /// A failure of `kind`.
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}
