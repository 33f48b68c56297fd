import Domain
import FuzzSupport
import Native

@testable import FCGIApp

/// Roster zips through ``RosterImportJob/files(fromZip:)`` (``ZipArchive`` with the upload's limits, then
/// ``ZipArchive/extractAll()`` with zlib's inflate), then the extracted set through
/// ``OneRosterImport/read(files:schoolSourcedID:)``, as the roster upload does.
///
/// Input: the uploaded file's bytes. The school is `s1`, as the upload passes the admin's school.
///
/// Properties: every extracted name passes the zip-slip rules (no absolute path, no `..` segment, no backslash
/// or NUL); the files add up to no more than ``ZipLimits/default``'s total; no more files than entries allowed.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = FuzzInput.bytes(data, size)
    guard let files = try? RosterImportJob.files(fromZip: bytes) else { return 0 }
    var total = 0
    for (name, content) in files {
        fuzzRequire(!name.isEmpty && !name.hasPrefix("/") && !name.contains("\\") && !name.utf8.contains(0), "unsafe name \(name.debugDescription)")
        fuzzRequire(!name.split(separator: "/").contains(".."), "a name climbing out: \(name.debugDescription)")
        total += content.count
    }
    fuzzRequire(total <= ZipLimits.default.maxTotalBytes, "more than the limit extracted")
    fuzzRequire(files.count <= ZipLimits.default.maxEntries, "more files than entries allowed")
    _ = OneRosterImport.read(files: files, schoolSourcedID: "s1")
    return 0
}
