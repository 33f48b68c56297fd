import Domain

/// What a receiver answered to an outbound post. Redirects are never followed: a 3xx is returned as is, with
/// its `Location` in ``redirectLocation``.
public struct OutboundHTTPSResponse: Sendable, Equatable {
    /// The HTTP status.
    public let status: Int
    /// The first bytes of the body, at most the client's `responseBodyLimit`.
    public let bodyPrefix: [UInt8]
    /// Where a 3xx pointed (not followed); `nil` otherwise.
    public let redirectLocation: String?
    /// The checked address the connection was pinned to.
    public let address: IPAddress

    /// A response.
    public init(status: Int, bodyPrefix: [UInt8], redirectLocation: String?, address: IPAddress) {
        self.status = status
        self.bodyPrefix = bodyPrefix
        self.redirectLocation = redirectLocation
        self.address = address
    }
}
