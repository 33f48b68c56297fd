import Foundation

/// An XML element as the SAML rules read it: a plain value tree made by the XML layer (`Native`) from a parsed
/// document, after that layer refused DTDs and checked the signatures. Only elements, attributes and text exist here:
/// comments and processing instructions are not values, but an element remembers that it had some among its
/// children, so a value split by a comment (`user@school<!---->.evil`) is refused instead of being read as either half.
public struct SAMLElement: Sendable, Equatable {
    /// The namespace URI (`nil`: no namespace).
    public let namespace: String?
    /// The local name.
    public let name: String
    /// Attributes without a namespace, by name (SAML's own attributes are all unqualified).
    public let attributes: [String: String]
    /// Child elements, in document order.
    public let children: [SAMLElement]
    /// The element's own text: every text and CDATA child, joined in order.
    public let text: String
    /// Whether a comment or processing instruction sits among the element's direct children.
    public let hasCommentOrInstruction: Bool

    public init(
        namespace: String?, name: String, attributes: [String: String] = [:], children: [SAMLElement] = [], text: String = "",
        hasCommentOrInstruction: Bool = false
    ) {
        self.namespace = namespace
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
        self.hasCommentOrInstruction = hasCommentOrInstruction
    }

    /// Whether this is `name` in `namespace`.
    public func `is`(_ namespace: String, _ name: String) -> Bool { self.namespace == namespace && self.name == name }

    /// The direct children named `name` in `namespace`.
    public func children(_ namespace: String, _ name: String) -> [SAMLElement] { children.filter { $0.is(namespace, name) } }

    /// The one direct child named `name` in `namespace`; `nil` when there is none or more than one.
    public func child(_ namespace: String, _ name: String) -> SAMLElement? {
        let found = children(namespace, name)
        return found.count == 1 ? found[0] : nil
    }

    /// The text of a leaf value (NameID, Issuer, AttributeValue, Audience), trimmed; `nil` when a comment or
    /// processing instruction splits it or it has child elements (a value is never read from half a node).
    public var value: String? {
        guard !hasCommentOrInstruction, children.isEmpty else { return nil }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Every element of the tree (this one first), depth first.
    public var allElements: [SAMLElement] { [self] + children.flatMap(\.allElements) }
}
