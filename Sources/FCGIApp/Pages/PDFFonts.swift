import Domain
import Foundation
import Synchronization

/// The TrueType faces PDFs embed (`general.pdf_font`, `general.pdf_font_bold`): named when a worker starts
/// (``install(regular:bold:)``), read and parsed the first time a PDF is written, then shared read-only by the
/// worker's threads. A worker that never writes a PDF never reads them (about 1.5 MB for DejaVu Sans).
///
/// No faces (both paths empty, or a file missing or not a TrueType font): PDFs fall back to the standard Helvetica
/// pair, which prints Latin text only — ``SignInCardsPDF`` then prints a page in another script in English. The
/// reason is logged once per worker, so a school admin sees why in the log.
enum PDFFonts {
    private enum State {
        case named(regular: String, bold: String)
        case loaded(PDFDocument.EmbeddedFonts?)
    }

    private static let state = Mutex<State>(.named(regular: "", bold: ""))

    /// Names the files; read on first use.
    static func install(regular: String, bold: String) { state.withLock { $0 = .named(regular: regular, bold: bold) } }

    /// The faces, read on first use; nil when none are configured or they cannot be read.
    static var embedded: PDFDocument.EmbeddedFonts? {
        state.withLock { state in
            switch state {
            case .loaded(let fonts):
                return fonts
            case .named(let regular, let bold):
                let fonts = load(regular: regular, bold: bold)
                state = .loaded(fonts)
                return fonts
            }
        }
    }

    /// Reads both files; a problem is written to standard error (the pool's log) and answers nil.
    static func load(regular: String, bold: String) -> PDFDocument.EmbeddedFonts? {
        guard !regular.isEmpty, !bold.isEmpty else { return nil }
        do {
            return PDFDocument.EmbeddedFonts(regular: try face(regular, key: "general.pdf_font"), bold: try face(bold, key: "general.pdf_font_bold"))
        } catch {
            FileHandle.standardError.write(Data("catalystwells: warning: \(error.description); PDFs use Helvetica (Latin only)\n".utf8))
            return nil
        }
    }

    private static func face(_ path: String, key: String) throws(TrueTypeFont.Failure) -> TrueTypeFont {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TrueTypeFont.Failure("\(key): cannot read \(path) (Debian: apt-get install fonts-dejavu-core)")
        }
        do {
            return try TrueTypeFont(bytes: Array(data))
        } catch {
            throw TrueTypeFont.Failure("\(key): \(path): \(error.description)")
        }
    }
}
