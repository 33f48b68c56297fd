import Domain
import Foundation

/// A pool's metrics folder (private to the pool's user, in its runtime directory): `worker-<pid>.json`, the latest
/// snapshot of each live worker, and `supervisor.json`, the supervisor's ``SupervisorRecord``. Files are replaced by
/// rename, so a reader sees a whole snapshot or the previous one.
struct MetricsFolder {
    /// What the supervisor keeps: the summed final snapshots of the workers that exited (and its own counters and
    /// gauges), and which workers those were, so that a worker file still on disk is not counted twice.
    struct SupervisorRecord: Codable {
        var retired = MetricsSnapshot()
        var folded: [Int32] = []
    }

    let path: String

    /// The folder for a pool: beside its socket, or in the temporary folder when the socket is inherited.
    static func path(socket: String, site: String) -> String {
        let parent = socket.isEmpty ? NSTemporaryDirectory() : (socket as NSString).deletingLastPathComponent
        return (parent as NSString).appendingPathComponent(".\(site)-metrics")
    }

    /// Empties or creates the folder (0700): a new supervisor starts counting from zero, as Prometheus expects after a
    /// restart.
    static func prepare(_ path: String) throws -> MetricsFolder {
        try? FileManager.default.removeItem(atPath: path)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return MetricsFolder(path: path)
    }

    /// Writes a worker's snapshot.
    func write(worker pid: Int32, _ snapshot: MetricsSnapshot) {
        write(snapshot, to: "worker-\(pid).json")
    }

    /// Writes the supervisor's record.
    func write(_ record: SupervisorRecord) {
        write(record, to: "supervisor.json")
    }

    /// The last snapshot of a worker that exited, removed from the folder (`nil` when it never wrote one).
    func take(worker pid: Int32) -> MetricsSnapshot? {
        let file = path + "/worker-\(pid).json"
        defer { try? FileManager.default.removeItem(atPath: file) }
        return read(MetricsSnapshot.self, file)
    }

    /// The pool's metrics: the supervisor's record, plus every live worker's snapshot (the calling worker's own
    /// taken fresh rather than from its file).
    func aggregate(own: Int32, live: MetricsSnapshot) -> MetricsSnapshot {
        let record = read(SupervisorRecord.self, path + "/supervisor.json") ?? SupervisorRecord()
        var total = record.retired
        let folded = Set(record.folded)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for name in names where name.hasPrefix("worker-") && name.hasSuffix(".json") {
            guard let pid = Int32(name.dropFirst("worker-".count).dropLast(".json".count)), pid != own, !folded.contains(pid) else { continue }
            if let snapshot = read(MetricsSnapshot.self, path + "/" + name) { total.add(snapshot) }
        }
        total.add(live)
        return total
    }

    /// Removes the folder (the pool stopped).
    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    private func write(_ value: some Encodable, to name: String) {
        guard let data = try? JSONEncoder().encode(value) else { return }
        let temporary = path + "/.\(name).\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        if rename(temporary, path + "/" + name) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
    }

    private func read<Value: Decodable>(_ type: Value.Type, _ file: String) -> Value? {
        FileManager.default.contents(atPath: file).flatMap { try? JSONDecoder().decode(type, from: $0) }
    }
}
