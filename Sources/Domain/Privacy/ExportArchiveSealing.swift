import Crypto

/// A stored export archive, sealed: the chunks ``ExportArchiveSealing/seal(_:job:key:using:)`` made, in order, or
/// (for an archive stored before chunks existed) one piece sealed whole with ``ExportRules/sealingContext(job:)``.
public enum SealedExportArchive: Sendable, Equatable {
    case chunks([[UInt8]])
    case whole([UInt8])

    /// The sealed bytes, all pieces together.
    public var byteCount: Int {
        switch self {
        case .chunks(let chunks): chunks.reduce(0) { $0 + $1.count }
        case .whole(let bytes): bytes.count
        }
    }
}

/// Seals an export archive as chunks that each fit well within MariaDB's `max_allowed_packet`: every chunk is
/// AES-256-GCM sealed on its own (``KeySealing``) with the job, its number and whether it is the last as associated
/// data, so a chunk moved to another job or position, a dropped chunk, or an archive cut short does not open.
public enum ExportArchiveSealing {
    /// A sealed chunk is at most 1 MiB: this much plaintext plus the nonce (12) and the tag (16).
    public static let plaintextChunkSize = 1_048_576 - 28

    /// The associated data of chunk `seq` of job `job`.
    public static func chunkContext(job: Int64, seq: Int, final: Bool) -> [UInt8] {
        Array("export archive \(job) chunk \(seq) \(final ? "final" : "more")".utf8)
    }

    /// Seals `archive` as chunks (at least one, also for an empty archive).
    public static func seal(
        _ archive: [UInt8], job: Int64, key: SymmetricKey, chunkSize: Int = plaintextChunkSize, using generator: inout some RandomNumberGenerator
    ) throws -> [[UInt8]] {
        let size = max(chunkSize, 1)
        let count = max(1, (archive.count + size - 1) / size)
        var chunks: [[UInt8]] = []
        chunks.reserveCapacity(count)
        for seq in 0..<count {
            let start = seq * size
            let piece = Array(archive[start..<min(start + size, archive.count)])
            chunks.append(
                try KeySealing.seal(piece, key: key, associatedData: chunkContext(job: job, seq: seq, final: seq == count - 1), using: &generator))
        }
        return chunks
    }

    /// Opens a stored archive; throws ``SigningKeyError/sealedKeyRejected`` when any chunk does not open in its
    /// place (wrong key, another job's chunk, reordered, missing or extra chunks, the last one missing, a changed byte).
    public static func open(_ sealed: SealedExportArchive, job: Int64, key: SymmetricKey) throws -> [UInt8] {
        switch sealed {
        case .whole(let bytes):
            return try KeySealing.open(bytes, key: key, associatedData: ExportRules.sealingContext(job: job))
        case .chunks(let chunks):
            guard !chunks.isEmpty else { throw SigningKeyError.sealedKeyRejected }
            var archive: [UInt8] = []
            archive.reserveCapacity(chunks.reduce(0) { $0 + max($1.count - 28, 0) })
            for (seq, chunk) in chunks.enumerated() {
                archive += try KeySealing.open(
                    chunk, key: key, associatedData: chunkContext(job: job, seq: seq, final: seq == chunks.count - 1))
            }
            return archive
        }
    }
}
