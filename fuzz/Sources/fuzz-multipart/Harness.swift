import Domain
import FuzzSupport

@testable import FCGIApp

/// `multipart/form-data` bodies through ``MultipartForm`` (the roster upload and the portal's app form), and
/// each uploaded file through ``LogoImage/inspect(_:)`` as the portal's logo field does.
///
/// Input: `Content-Type \0 body`.
///
/// Properties: a file name never holds a folder part; the parts' bytes add up to no more than the body.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let fields = FuzzInput.fields(FuzzInput.bytes(data, size), count: 2)
    let contentType = FuzzInput.text(fields[0])
    guard let form = try? MultipartForm(contentType: contentType, body: fields[1]) else { return 0 }
    var total = 0
    for file in form.files {
        fuzzRequire(!file.fileName.contains("/") && !file.fileName.contains("\\"), "a file name with a folder part")
        total += file.content.count
        if case .success(let image) = LogoImage.inspect(file.content) {
            fuzzRequire(image.width > 0 && image.height > 0, "a logo without size")
        }
    }
    for field in form.fields { total += field.value.utf8.count }
    fuzzRequire(total <= fields[1].count, "parts larger than the body")
    _ = form["csrf"]
    _ = form.all("scopes")
    return 0
}
