import CXMLSec

/// libxml2 and libxmlsec1 set up once per process (xmlsec's initialisation is not thread-safe and must precede any
/// use): the parser, xmlsec and its OpenSSL engine, a loader that refuses every external entity or DTD, and quiet
/// error reporting. xmlsec's own URI handlers are removed, so no signature or encryption can make it open a file
/// or a URL, whatever it names.
enum XMLSecurityLibrary {
    /// Whether initialisation succeeded; evaluated once, by the first caller, under Swift's lazy-global lock.
    static let ready: Bool = {
        xmlInitParser()
        cw_xml_install_guards()
        guard xmlSecInit() == 0, cw_xmlsec_check_version() == 1, cw_xmlsec_crypto_app_init() == 0, cw_xmlsec_crypto_init() == 0 else {
            return false
        }
        xmlSecIOCleanupCallbacks()
        return true
    }()

    /// Initialises the libraries if needed and silences libxml2 on the calling thread (its error handlers are per thread).
    static func prepare() throws(SAMLXMLError) {
        guard ready else { throw SAMLXMLError("libxmlsec1 could not be initialised") }
        cw_xml_silence_thread()
    }
}
