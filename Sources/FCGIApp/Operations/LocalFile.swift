import Crypto
import Foundation

/// A file on this machine as the backup tools see it: its digest, permissions and owner, and writing one in place
/// without ever leaving a half-written file under the final name.
enum LocalFile {
    /// Permissions and ownership.
    struct Status {
        var size: Int64
        var mode: Int
        var owner: String
        var group: String
        var isRegularFile: Bool
    }

    /// `lstat`-like status (a symbolic link is reported as such, not followed), or `nil` when there is nothing there.
    static func status(_ path: String) -> Status? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        return Status(
            size: (attributes[.size] as? NSNumber)?.int64Value ?? 0,
            mode: (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0,
            owner: attributes[.ownerAccountName] as? String ?? String((attributes[.ownerAccountID] as? NSNumber)?.intValue ?? -1),
            group: attributes[.groupOwnerAccountName] as? String ?? String((attributes[.groupOwnerAccountID] as? NSNumber)?.intValue ?? -1),
            isRegularFile: (attributes[.type] as? FileAttributeType) == .typeRegular)
    }

    /// Lower-case hex SHA-256 of a file, read in 1 MiB pieces.
    static func sha256(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw OperationsError("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: 1 << 20) ?? Data()
            } catch {
                throw OperationsError("cannot read \(path): \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// Creates a private folder (0700) whose name starts with `prefix` inside `parent`.
    static func makePrivateDirectory(in parent: String, prefix: String) throws -> String {
        let path = parent + "/" + prefix + UUID().uuidString.prefix(8).lowercased()
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw OperationsError("cannot create a working folder in \(parent): \(error.localizedDescription)")
        }
        return path
    }

    /// Writes `data` to `path` (0600) or throws, naming the file; a full disk is said in so many words.
    static func write(_ data: Data, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw OperationsError("cannot create \(path)") }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
        } catch {
            throw OperationsError("cannot write \(path): \(describe(error))")
        }
    }

    /// Copies `source` to `destination` under a temporary name in the same folder, sets mode, owner and group, then
    /// renames it into place, so a reader sees the old file or the new one, never half of one. Owner and group are
    /// applied only when they exist on this machine; the names of those that do not are returned.
    static func install(_ source: String, at destination: String, mode: Int, owner: String, group: String) throws -> [String] {
        let folder = (destination as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            throw OperationsError("cannot create \(folder): \(error.localizedDescription)")
        }
        let temporary = folder + "/." + (destination as NSString).lastPathComponent + ".restore-" + UUID().uuidString.prefix(8).lowercased()
        guard let data = FileManager.default.contents(atPath: source) else { throw OperationsError("cannot read \(source)") }
        try write(data, to: temporary)
        var missing: [String] = []
        var attributes: [FileAttributeKey: Any] = [.posixPermissions: mode]
        if userExists(owner) { attributes[.ownerAccountName] = owner } else { missing.append("user \(owner)") }
        if groupExists(group) { attributes[.groupOwnerAccountName] = group } else { missing.append("group \(group)") }
        do {
            try FileManager.default.setAttributes(attributes, ofItemAtPath: temporary)
            if rename(temporary, destination) != 0 {
                throw OperationsError("cannot move \(temporary) to \(destination): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            if let error = error as? OperationsError { throw error }
            throw OperationsError("cannot set the owner or mode of \(destination): \(error.localizedDescription)")
        }
        return missing
    }

    /// Whether a user name is known to this machine (`getent passwd`).
    static func userExists(_ name: String) -> Bool {
        !name.isEmpty && (try? Subprocess.find("getent")?.run(["passwd", name]).succeeded) == true
    }

    /// Whether a group name is known to this machine.
    static func groupExists(_ name: String) -> Bool {
        !name.isEmpty && (try? Subprocess.find("getent")?.run(["group", name]).succeeded) == true
    }

    /// An error's message, with "no space left on device" made plain.
    static func describe(_ error: Error) -> String {
        let text = "\(error.localizedDescription) \(error)"
        if text.localizedCaseInsensitiveContains("no space") || (error as NSError).code == Int(ENOSPC) {
            return "no space left on the device"
        }
        return error.localizedDescription
    }
}
