/// Why the XML layer refused a SAML document (a response or metadata). The description is for the log: it never
/// contains the document.
public struct SAMLXMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
