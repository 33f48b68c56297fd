import Foundation
import Testing

@testable import Native

/// The fixtures are written by `Tests/Fixtures/zip/make_fixtures.py` (Python's zipfile and Info-ZIP's zip).
private func fixture(_ name: String) throws -> [UInt8] {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    return try [UInt8](Data(contentsOf: folder.appendingPathComponent("Fixtures/zip/\(name)")))
}

/// The contents make_fixtures.py puts in every roster fixture.
private let users = String(
    repeating: "id,name,class\n1,Ada Lovelace,7b\n2,Grace Hopper,7b\n3,Alan Turing,8a\n", count: 3)
private let classes = "class,teacher\n7b,Ms Noether\n8a,Mr Babbage\n"

private func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

@Suite struct ZipArchiveReadsRealArchivesTests {
    @Test func storedEntriesAreReadAsTheyAre() throws {
        let archive = try ZipArchive(bytes: fixture("stored.zip"))
        #expect(archive.entries.map(\.name) == ["users.csv", "classes.csv"])
        #expect(archive.entries.map(\.method) == [.stored, .stored])
        let files = try archive.extractAll()
        #expect(text(files["users.csv"]) == users)
        #expect(text(files["classes.csv"]) == classes)
    }

    @Test func deflatedEntriesAreInflatedIncludingAnEmptyOne() throws {
        let archive = try ZipArchive(bytes: fixture("deflated.zip"))
        #expect(archive.entries.map(\.method) == [.deflated, .deflated, .deflated])
        #expect(archive.entries.first?.uncompressedSize == users.utf8.count)
        #expect(archive.entries.first?.crc32 == 0x55F4_15AC)
        let files = try archive.extractAll()
        #expect(text(files["users.csv"]) == users)
        #expect(text(files["classes.csv"]) == classes)
        #expect(files["empty.csv"] == [])
    }

    @Test func entriesWrittenWithDataDescriptorsTakeTheirSizesFromTheCentralDirectory() throws {
        // Written to an unseekable stream: flag bit 3 set, zeros for CRC and sizes in the local headers.
        let files = try ZipArchive(bytes: fixture("data-descriptor.zip")).extractAll()
        #expect(text(files["users.csv"]) == users)
        #expect(text(files["classes.csv"]) == classes)
    }

    @Test func aFinderStyleFolderKeepsItsPathsAndDropsMacOSMetadata() throws {
        let archive = try ZipArchive(bytes: fixture("macos-folder.zip"))
        #expect(archive.entries.map(\.name) == ["Klasse 7b/", "Klasse 7b/users.csv", "Klasse 7b/Schüler/classes.csv"])
        #expect(archive.entries.map(\.isDirectory) == [true, false, false])
        let files = try archive.extractAll()
        #expect(files.keys.sorted() == ["Klasse 7b/Schüler/classes.csv", "Klasse 7b/users.csv"])
        #expect(text(files["Klasse 7b/Schüler/classes.csv"]) == classes)
    }

    @Test func theCRC32IsZipsChecksum() {
        // The check value of the CRC-32 catalogue: CRC-32 of the ASCII digits 1 to 9.
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        #expect(ZipBuilder.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}

@Suite struct ZipArchiveRefusesTests {
    @Test func aZipSlipNameIsRefusedNamingTheEntry() throws {
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: fixture("zip-slip.zip")) }
        #expect(error?.code == .unsafeName)
        #expect(
            error?.description
                == #"the zip contains an entry whose name climbs out of the zip's folder with "..": "../../etc/cron.d/evil""#)
    }

    @Test func anEncryptedEntryIsRefusedWithAHint() throws {
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: fixture("encrypted.zip")) }
        #expect(error?.code == .encrypted)
        #expect(error?.description == #""users.csv" in the zip is encrypted; upload an unencrypted zip"#)
    }

    @Test func aTruncatedUploadIsNotAZip() throws {
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: fixture("truncated.zip")) }
        #expect(error?.code == .notAZip)
        #expect(error?.description == "the file is not a zip file, or it is incomplete")
    }

    @Test(arguments: [[UInt8](), Array("id,name\n1,Ada\n".utf8), [UInt8](repeating: 0, count: 100)])
    func bytesThatAreNoZipAreRefused(bytes: [UInt8]) {
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: bytes) }
        #expect(error?.code == .notAZip)
    }

    @Test func aChangedByteFailsTheCRC32OnExtraction() throws {
        let archive = try ZipArchive(bytes: fixture("corrupt-crc.zip"))
        let error = #expect(throws: ZipError.self) { try archive.extractAll() }
        #expect(error?.code == .damaged)
        #expect(error?.description == #"the zip file is damaged: "users.csv" fails its CRC-32 check"#)
    }

    @Test func aZipWhoseDeclaredSizesExceedTheLimitIsRefusedBeforeInflating() throws {
        let error = #expect(throws: ZipError.self) {
            try ZipArchive(bytes: fixture("bomb.zip"), limits: ZipLimits(maxTotalBytes: 1_000_000))
        }
        #expect(error?.code == .tooLarge)
        #expect(error?.description == "the files in the zip add up to more than 1 MB when unpacked")
    }

    @Test func aHighlyCompressedEntryWithinTheLimitIsExtracted() throws {
        let files = try ZipArchive(bytes: fixture("bomb.zip")).extractAll()
        #expect(files["users.csv"]?.count == 10_000_000)
        #expect(files["users.csv"]?.allSatisfy { $0 == 0 } == true)
    }

    @Test func inflatingStopsAtTheDeclaredSizeWhenTheSizesLie() throws {
        // Both headers claim 1000 bytes for 10 MB of zeros: within any limit on paper.
        let archive = try ZipArchive(bytes: fixture("lying-size.zip"), limits: ZipLimits(maxTotalBytes: 2000))
        #expect(archive.entries.first?.uncompressedSize == 1000)
        let error = #expect(throws: ZipError.self) { try archive.extractAll() }
        #expect(error?.code == .damaged)
        #expect(error?.description == #"the zip file is damaged: "users.csv" unpacks to more than its recorded size"#)
    }

    @Test func everyTruncationOfARealArchiveIsRefusedWithoutCrashing() throws {
        for name in ["deflated.zip", "data-descriptor.zip", "macos-folder.zip"] {
            let bytes = try fixture(name)
            for length in 0..<bytes.count {
                #expect(throws: ZipError.self, "\(name) cut to \(length) bytes") {
                    try ZipArchive(bytes: Array(bytes.prefix(length))).extractAll()
                }
            }
        }
    }

    @Test func noSingleCorruptedByteCrashesOrYieldsOtherContents() throws {
        let original = try fixture("deflated.zip")
        let contents = Set([users, classes, ""].map { Array($0.utf8) })
        for index in original.indices {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var bytes = original
                bytes[index] ^= mask
                // A changed date or name may still read; changed data must not.
                if let files = try? ZipArchive(bytes: bytes).extractAll() {
                    #expect(files.values.allSatisfy(contents.contains), "byte \(index) ^ \(mask)")
                }
            }
        }
    }
}

@Suite struct ZipArchiveNameRulesTests {
    @Test(arguments: [
        ("../evil.csv", "climbs out of the zip's folder"),
        ("roster/../../evil.csv", "climbs out of the zip's folder"),
        ("roster/..", "climbs out of the zip's folder"),
        ("/etc/passwd", "is an absolute path"),
        ("C:/Windows/evil.csv", "is an absolute path"),
        ("roster\\..\\evil.csv", "contains a backslash"),
        ("users.csv\0.txt", "contains a NUL character"),
        ("", "is empty"),
    ])
    func anUnsafeNameIsRefused(name: String, reason: String) throws {
        let bytes = ZipBuilder([.init(name, "x")]).bytes()
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: bytes) }
        #expect(error?.code == .unsafeName)
        #expect(error?.description.contains(reason) == true, "\(error?.description ?? "")")
    }

    @Test(arguments: ["users.csv", "roster/users.csv", "./users.csv", "..users.csv", "users..csv", "roster/.../x.csv"])
    func aHarmlessNameIsAccepted(name: String) throws {
        let files = try ZipArchive(bytes: ZipBuilder([.init(name, "x")]).bytes()).extractAll()
        #expect(files == [name: Array("x".utf8)])
    }

    @Test func aNULInANameIsShownAsAQuestionMark() throws {
        let error = #expect(throws: ZipError.self) {
            try ZipArchive(bytes: ZipBuilder([.init("users.csv\0.txt")]).bytes())
        }
        #expect(error?.description.hasSuffix(#": "users.csv?.txt""#) == true)
    }

    @Test func aDuplicateNameIsRefused() throws {
        let bytes = ZipBuilder([.init("users.csv", "a"), .init("classes.csv"), .init("users.csv", "b")]).bytes()
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: bytes) }
        #expect(error?.code == .duplicateName)
        #expect(error?.description == #"the zip contains "users.csv" twice"#)
    }

    @Test(arguments: [UInt16(0), 0x0800])
    func aUTF8NameIsAcceptedWithOrWithoutTheUTF8Flag(flags: UInt16) throws {
        // macOS's Archive Utility writes UTF-8 names without setting bit 11.
        let archive = try ZipArchive(bytes: ZipBuilder([.init("Schüler.csv", flags: flags)]).bytes())
        #expect(archive.entries.map(\.name) == ["Schüler.csv"])
    }

    @Test(arguments: [UInt16(0), 0x0800])
    func aNameThatIsNotUTF8IsRefused(flags: UInt16) throws {
        // "Schüler" in CP437, where ü is 0x81: not valid UTF-8.
        let name = Array("Sch".utf8) + [0x81] + Array("ler.csv".utf8)
        let bytes = ZipBuilder([.init(rawName: name, flags: flags)]).bytes()
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: bytes) }
        #expect(error?.code == .nameEncoding)
        #expect(error?.description.contains("Sch\u{FFFD}ler.csv") == true)
    }

    @Test func aVeryLongNameIsShortenedInTheMessage() throws {
        let name = String(repeating: "a/", count: 200) + "..", bytes = ZipBuilder([.init(name)]).bytes()
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: bytes) }
        #expect((error?.description.count ?? 0) < 250)
    }
}

@Suite struct ZipArchiveStructureTests {
    @Test func anEmptyZipHasNoEntries() throws {
        let archive = try ZipArchive(bytes: ZipBuilder([]).bytes())
        #expect(archive.entries.isEmpty)
        #expect(try archive.extractAll().isEmpty)
    }

    @Test func aCommentHoldingTheEndSignatureIsNotMistakenForTheEnd() throws {
        var builder = ZipBuilder([.init("users.csv", "x")])
        builder.comment = Array("made by PK".utf8) + [0x05, 0x06] + Array(" on a Tuesday".utf8)
        let files = try ZipArchive(bytes: builder.bytes()).extractAll()
        #expect(files.keys.sorted() == ["users.csv"])
    }

    @Test(arguments: [(UInt16(12), "bzip2"), (14, "LZMA"), (9, "Deflate64"), (93, "Zstandard"), (42, "method 42")])
    func anUnsupportedMethodIsRefusedByName(method: UInt16, shown: String) throws {
        var entry = ZipBuilder.Entry("users.csv", "x")
        entry.method = method
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: ZipBuilder([entry]).bytes()) }
        #expect(error?.code == .unsupportedMethod)
        #expect(
            error?.description == "\"users.csv\" in the zip is compressed with \(shown), which is not supported; "
                + "create the zip again with standard (deflate) compression")
    }

    @Test func winZipAESIsReportedAsEncryption() throws {
        var entry = ZipBuilder.Entry("users.csv", "x", flags: 0x0001)
        entry.method = 99
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: ZipBuilder([entry]).bytes()) }
        #expect(error?.code == .encrypted)
    }

    @Test func saturatedSizesMeanZIP64AndAreRefused() throws {
        var entry = ZipBuilder.Entry("users.csv", "x")
        entry.compressedSize = .max
        entry.uncompressedSize = .max
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: ZipBuilder([entry]).bytes()) }
        #expect(error?.code == .zip64)
        #expect(error?.description.contains("ZIP64") == true)
    }

    @Test func aSaturatedEntryCountMeansZIP64AndIsRefused() throws {
        var builder = ZipBuilder([.init("users.csv", "x")])
        builder.entryCount = .max
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: builder.bytes()) }
        #expect(error?.code == .zip64)
    }

    @Test func onePartOfASplitArchiveIsRefused() throws {
        var builder = ZipBuilder([.init("users.csv", "x")])
        builder.diskNumber = 1
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: builder.bytes()) }
        #expect(error?.code == .multiDisk)
        #expect(error?.description == "the zip file is one part of a split archive; upload it as a single zip file")
    }

    @Test func storedSizesThatDisagreeAreDamage() throws {
        var entry = ZipBuilder.Entry("users.csv", "abc")
        entry.uncompressedSize = 4
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: ZipBuilder([entry]).bytes()) }
        #expect(error?.code == .damaged)
    }

    @Test func dataRunningIntoTheCentralDirectoryIsCutShort() throws {
        var entry = ZipBuilder.Entry("users.csv", "abc")
        entry.compressedSize = 300
        entry.uncompressedSize = 300
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: ZipBuilder([entry]).bytes()) }
        #expect(error?.code == .damaged)
        #expect(error?.description == #"the zip file is damaged: "users.csv" is cut short"#)
    }

    @Test func theEntryLimitCountsEveryEntry() throws {
        let bytes = ZipBuilder([.init("a/"), .init("a/users.csv"), .init("__MACOSX/a/._users.csv")]).bytes()
        #expect(try ZipArchive(bytes: bytes, limits: ZipLimits(maxEntries: 3)).entries.count == 2)
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: bytes, limits: ZipLimits(maxEntries: 2)) }
        #expect(error?.code == .tooManyEntries)
        #expect(error?.description == "the zip contains more than 2 files and folders")
    }

    @Test func theSizeLimitIsInclusiveAndIgnoresSkippedMetadata() throws {
        let bytes = ZipBuilder([.init("a.csv", "12345"), .init("b.csv", "678"), .init(".DS_Store", "metadata")]).bytes()
        #expect(try ZipArchive(bytes: bytes, limits: ZipLimits(maxTotalBytes: 8)).extractAll().count == 2)
        let error = #expect(throws: ZipError.self) { try ZipArchive(bytes: bytes, limits: ZipLimits(maxTotalBytes: 7)) }
        #expect(error?.code == .tooLarge)
        #expect(error?.description == "the files in the zip add up to more than 7 bytes when unpacked")
    }
}
