import Domain
import Foundation

/// An archive written by ``BackupWriter``, decrypted and unpacked into a private folder and checked whole before
/// anything else happens: the age key, the tar listing (no member may point outside the folder or be anything but a
/// file or a folder), the manifest, and the SHA-256 of every member against both the manifest and `SHA256SUMS`.
struct BackupArchive {
    /// The private working folder (remove it with ``close()``).
    let workDirectory: String
    /// Where the members are.
    let content: String
    /// The checked manifest.
    let manifest: BackupManifest

    /// The path of a member.
    func member(_ path: String) -> String { content + "/" + path }

    /// Removes the plaintext.
    func close() { try? FileManager.default.removeItem(atPath: workDirectory) }

    /// Decrypts `archive` with `identity` into a new private folder inside `workParent` and checks it; on any problem
    /// the folder is removed and the error says what is wrong with the archive.
    static func open(_ archive: String, identity: String, workParent: String) throws -> BackupArchive {
        let age = try Subprocess.require("age", package: "age")
        let tar = try Subprocess.require("tar", package: "tar")
        guard FileManager.default.isReadableFile(atPath: archive) else { throw OperationsError("cannot read the archive \(archive)") }
        guard FileManager.default.isReadableFile(atPath: identity) else { throw OperationsError("cannot read the identity file \(identity)") }
        let work = try LocalFile.makePrivateDirectory(in: workParent, prefix: "catalystwells-restore-")
        do {
            let packed = work + "/archive.tar.gz"
            let decrypting = try age.run(["--decrypt", "--identity", identity, "--output", packed, archive])
            guard decrypting.succeeded else { throw OperationsError(describeAgeFailure(decrypting, archive: archive, identity: identity)) }
            let listing = try tar.run(["-tzf", packed])
            guard listing.succeeded else {
                throw OperationsError(
                    "\(archive) decrypts, but what it holds is not a readable tar.gz (\(listing.lastError)): not a CatalystWells backup")
            }
            for raw in listing.output.split(separator: "\n") {
                var name = String(raw)
                if name.hasPrefix("./") { name.removeFirst(2) }
                if name.hasSuffix("/") { name.removeLast() }
                guard name.isEmpty || name == "." || BackupManifest.isSafeMemberPath(name) else {
                    throw OperationsError("\(archive) holds an unsafe member name \(name.debugDescription): refusing to unpack it")
                }
            }
            let content = work + "/content"
            try FileManager.default.createDirectory(atPath: content, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            let unpacking = try tar.run(["-xzf", packed, "-C", content, "--no-same-owner", "--no-same-permissions"])
            guard unpacking.succeeded else {
                throw OperationsError("cannot unpack \(archive): \(MariaDBClientTools.plain(unpacking.errors, unpacking.lastError))")
            }
            try? FileManager.default.removeItem(atPath: packed)
            let manifest = try verify(content: content, archive: archive)
            return BackupArchive(workDirectory: work, content: content, manifest: manifest)
        } catch {
            try? FileManager.default.removeItem(atPath: work)
            throw error
        }
    }

    /// The manifest, once every member is a plain file whose digest both lists agree on.
    private static func verify(content: String, archive: String) throws -> BackupManifest {
        var found: Set<String> = []
        guard let walker = FileManager.default.enumerator(atPath: content) else { throw OperationsError("cannot read the unpacked archive") }
        while let relative = walker.nextObject() as? String {
            let type = (try? FileManager.default.attributesOfItem(atPath: content + "/" + relative))?[.type] as? FileAttributeType
            switch type {
            case .typeDirectory: continue
            case .typeRegular: found.insert(relative)
            default: throw OperationsError("\(archive) holds \(relative), which is neither a file nor a folder: refusing it")
            }
        }
        guard let manifestData = FileManager.default.contents(atPath: content + "/" + BackupManifest.manifestPath) else {
            throw OperationsError("\(archive) has no manifest.json: not a CatalystWells backup")
        }
        let manifest: BackupManifest
        do {
            manifest = try BackupManifest.decode(manifestData)
        } catch {
            throw OperationsError("\(archive): \(error.message)")
        }
        guard let sumsData = FileManager.default.contents(atPath: content + "/" + BackupManifest.checksumsPath),
            let sumsText = String(data: sumsData, encoding: .utf8)
        else { throw OperationsError("\(archive) has no SHA256SUMS: not a CatalystWells backup") }
        let sums: [String: String]
        do {
            sums = try BackupManifest.parseChecksumList(sumsText)
        } catch {
            throw OperationsError("\(archive): \(error.message)")
        }
        let listed = Set(manifest.files.map(\.path)).union([BackupManifest.manifestPath])
        guard Set(sums.keys) == listed, found == listed.union([BackupManifest.checksumsPath]) else {
            let odd = found.symmetricDifference(listed.union([BackupManifest.checksumsPath])).union(Set(sums.keys).symmetricDifference(listed))
            throw OperationsError("\(archive) does not hold exactly the files its manifest lists (\(odd.sorted().joined(separator: ", "))): damaged")
        }
        for path in listed.sorted() {
            let digest = try LocalFile.sha256(content + "/" + path)
            let expected = manifest.files.first { $0.path == path }?.sha256 ?? sums[path]
            guard digest == sums[path], digest == expected else {
                throw OperationsError("\(archive): \(path) does not match its checksum: the archive is damaged")
            }
        }
        return manifest
    }

    /// What went wrong in `age --decrypt`, in the operator's terms.
    private static func describeAgeFailure(_ result: Subprocess.Result, archive: String, identity: String) -> String {
        let text = result.errors.lowercased()
        if text.contains("no identity matched") {
            return "\(archive) is not encrypted for the identity in \(identity): use the age key whose public key was in backup.recipients_file"
        }
        if text.contains("no space") { return "no space left on the device while decrypting into the work folder (--work-dir)" }
        if text.contains("identity") || text.contains("failed to read") && text.contains(identity.lowercased()) {
            return "the identity file \(identity) is not an age identity (\(result.lastError))"
        }
        if text.contains("header") || text.contains("introduction") || text.contains("not an age") {
            return "\(archive) is not an age-encrypted file, or its header is damaged (\(result.lastError))"
        }
        return "\(archive) is damaged or truncated: decryption failed (\(result.lastError))"
    }
}
