import CXMLSec
import Domain

/// One parsed XML document, owned: libxml2's tree, freed in `deinit`.
///
/// Parsing is the safe subset SAML needs (saml-core §1.3 forbids DTDs in protocol messages): the bytes are read as
/// UTF-8 whatever they declare, a document with a `<!DOCTYPE` or a NUL byte is refused before libxml2 sees it
/// (so no entity can be declared, expanded or loaded: no XXE, no billion laughs), the parser runs with
/// `XML_PARSE_NONET` and without `XML_PARSE_NOENT`, `XML_PARSE_DTDLOAD` or `XML_PARSE_HUGE`, and a document that
/// still came out with a DTD is refused after parsing. Size and depth are bounded.
final class SAMLXMLDocument {
    let document: xmlDocPtr

    /// How deep elements may nest, and how many there may be, when a tree is copied out.
    static let depthLimit = 48
    static let elementLimit = 20_000

    init(parsing bytes: [UInt8], sizeLimit: Int) throws(SAMLXMLError) {
        try XMLSecurityLibrary.prepare()
        guard !bytes.isEmpty, bytes.count <= sizeLimit else { throw SAMLXMLError("the document is empty or larger than \(sizeLimit) bytes") }
        guard !bytes.contains(0) else { throw SAMLXMLError("the document contains a NUL byte") }
        guard !Self.contains(bytes, Array("<!DOCTYPE".utf8)) else { throw SAMLXMLError("the document has a DOCTYPE (DTDs are refused)") }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOCDATA.rawValue)
        let parsed = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                xmlReadMemory($0, Int32(buffer.count), "saml.xml", "UTF-8", options)
            }
        }
        guard let parsed else { throw SAMLXMLError("the document is not well-formed XML") }
        guard parsed.pointee.intSubset == nil, parsed.pointee.extSubset == nil, xmlDocGetRootElement(parsed) != nil else {
            xmlFreeDoc(parsed)
            throw SAMLXMLError("the document has a DTD or no root element")
        }
        document = parsed
    }

    deinit { xmlFreeDoc(document) }

    var root: xmlNodePtr { xmlDocGetRootElement(document) }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], Array(haystack[index..<(index + needle.count)]) == needle { return true }
            index += 1
        }
        return false
    }

    // MARK: Reading the tree

    /// An element's namespace URI.
    static func namespace(_ node: xmlNodePtr) -> String? {
        node.pointee.ns.flatMap { $0.pointee.href.map { String(cString: $0) } }
    }

    static func name(_ node: xmlNodePtr) -> String { node.pointee.name.map { String(cString: $0) } ?? "" }

    static func isElement(_ node: xmlNodePtr, _ namespace: String, _ name: String) -> Bool {
        node.pointee.type == XML_ELEMENT_NODE && Self.name(node) == name && Self.namespace(node) == namespace
    }

    /// An element's direct child elements.
    static func childElements(_ node: xmlNodePtr) -> [xmlNodePtr] {
        var out: [xmlNodePtr] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { out.append(current) }
            child = current.pointee.next
        }
        return out
    }

    /// Every element below `node` (and `node`), depth first; throws past the limits.
    static func allElements(_ node: xmlNodePtr) throws(SAMLXMLError) -> [xmlNodePtr] {
        var out: [xmlNodePtr] = []
        var stack: [(xmlNodePtr, Int)] = [(node, 0)]
        while let (current, depth) = stack.popLast() {
            guard depth <= depthLimit else { throw SAMLXMLError("elements nest deeper than \(depthLimit)") }
            out.append(current)
            guard out.count <= elementLimit else { throw SAMLXMLError("more than \(elementLimit) elements") }
            for child in childElements(current).reversed() { stack.append((child, depth + 1)) }
        }
        return out
    }

    /// An unqualified attribute's value.
    static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
        var property = node.pointee.properties
        while let current = property {
            if current.pointee.ns == nil, current.pointee.name.map({ String(cString: $0) }) == name { return text(of: current.pointee.children) }
            property = current.pointee.next
        }
        return nil
    }

    /// The text of a node list (an attribute's value).
    private static func text(of first: xmlNodePtr?) -> String {
        var out = ""
        var node = first
        while let current = node {
            if current.pointee.type == XML_TEXT_NODE || current.pointee.type == XML_CDATA_SECTION_NODE, let content = current.pointee.content {
                out += String(cString: content)
            }
            node = current.pointee.next
        }
        return out
    }

    /// The value tree of `node` (``SAMLElement``), within the limits.
    static func element(_ node: xmlNodePtr) throws(SAMLXMLError) -> SAMLElement {
        var count = 0
        return try element(node, depth: 0, count: &count)
    }

    private static func element(_ node: xmlNodePtr, depth: Int, count: inout Int) throws(SAMLXMLError) -> SAMLElement {
        count += 1
        guard depth <= depthLimit, count <= elementLimit else { throw SAMLXMLError("the document is nested too deeply or too large") }
        var attributes: [String: String] = [:]
        var property = node.pointee.properties
        while let current = property {
            if current.pointee.ns == nil, let name = current.pointee.name { attributes[String(cString: name)] = text(of: current.pointee.children) }
            property = current.pointee.next
        }
        var children: [SAMLElement] = []
        var text = ""
        var marked = false
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE: children.append(try element(current, depth: depth + 1, count: &count))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: if let content = current.pointee.content { text += String(cString: content) }
            default: marked = true
            }
            child = current.pointee.next
        }
        return SAMLElement(
            namespace: namespace(node), name: name(node), attributes: attributes, children: children, text: text, hasCommentOrInstruction: marked)
    }
}

/// Safe parsing of a whole SAML document into a value tree, for documents that carry no signature we rely on
/// (an identity provider's metadata, imported by an admin).
public enum SAMLXML {
    /// The document's root element as a ``SAMLElement``.
    public static func parse(_ bytes: [UInt8], sizeLimit: Int) throws(SAMLXMLError) -> SAMLElement {
        let document = try SAMLXMLDocument(parsing: bytes, sizeLimit: sizeLimit)
        return try SAMLXMLDocument.element(document.root)
    }
}
