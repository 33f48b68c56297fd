/// The rules an entry name must pass before anything is extracted under it.
enum ZipEntryName {
    /// Decodes a raw name as UTF-8.
    ///
    /// General purpose bit 11 (APPNOTE 4.4.4) declares UTF-8, and without it the names are CP437 by the
    /// letter of the spec. In practice macOS's Archive Utility and Info-ZIP on Linux write UTF-8 without
    /// setting the bit, and Windows writes the user's OEM code page, which cannot be told from CP437 or from
    /// each other. So ASCII (the same in all of them) and valid UTF-8 are accepted whatever the bit says, and
    /// anything else is refused rather than guessed at.
    static func decode(_ raw: ArraySlice<UInt8>) throws(ZipError) -> String {
        let name = String(decoding: raw, as: UTF8.self)
        // Decoding replaces invalid sequences with U+FFFD, so a round trip that changed the bytes was not UTF-8.
        guard name.utf8.elementsEqual(raw) else { throw .nameEncoding(name) }
        return name
    }

    /// Refuses a name that could write outside the folder it is extracted into (zip-slip) or that names no
    /// file at all.
    static func validate(_ name: String) throws(ZipError) {
        if name.isEmpty { throw .unsafeName(name, "is empty") }
        // A NUL ends the name for C code, which would then see a different file than we checked.
        if name.utf8.contains(0) { throw .unsafeName(name, "contains a NUL character") }
        // APPNOTE 4.4.17.1 requires forward slashes; Windows would take a backslash as a separator.
        if name.contains("\\") { throw .unsafeName(name, "contains a backslash (\\)") }
        if name.hasPrefix("/") || hasDriveLetter(name) { throw .unsafeName(name, "is an absolute path") }
        if name.split(separator: "/").contains("..") {
            throw .unsafeName(name, "climbs out of the zip's folder with \"..\"")
        }
    }

    /// Whether the entry is metadata macOS's Archive Utility and Finder add, which no user means to upload:
    /// the `__MACOSX/` resource-fork folder and `.DS_Store` files.
    static func isMacOSMetadata(_ name: String) -> Bool {
        name.hasPrefix("__MACOSX/") || name.split(separator: "/").last == ".DS_Store"
    }

    private static func hasDriveLetter(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars.prefix(2))
        return scalars.count == 2 && scalars[0].isASCII && scalars[0].properties.isAlphabetic && scalars[1] == ":"
    }
}
