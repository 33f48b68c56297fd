import Synchronization

/// The checked protected headers of DPoP proofs, by their exact base64url bytes: a client signs every proof with
/// one key, so the header part (`typ`, `alg`, `jwk`) repeats byte for byte, and reading it (base64url, JSON, the
/// public key's point or modulus, the RFC 7638 thumbprint) was most of a proof's cost besides the signature.
///
/// Only headers that passed every header check of ``DPoPProof/verify(_:method:uri:accessToken:nonce:now:keys:)``
/// are kept, and the same bytes always read the same (the `alg` of a kept header is one its key verifies), so an entry can never be stale; the signature, the claims and
/// the replay check still run for every proof. One per worker process (the owner passes it in); bounded: emptied
/// when it holds ``limit`` headers, and a header longer than ``maximumHeaderLength`` is never kept.
public final class DPoPKeyCache: Sendable {
    /// Headers kept at most.
    public static let limit = 512
    /// Longest header part kept, in bytes (an RSA-4096 `jwk` header is about 1 000).
    public static let maximumHeaderLength = 2048

    private let entries = Mutex<[[UInt8]: DPoPPublicKey]>([:])

    /// An empty cache.
    public init() {}

    /// How many headers are kept.
    public var count: Int { entries.withLock { $0.count } }

    func entry(for header: [UInt8]) -> DPoPPublicKey? {
        guard header.count <= Self.maximumHeaderLength else { return nil }
        return entries.withLock { $0[header] }
    }

    func remember(_ entry: DPoPPublicKey, for header: [UInt8]) {
        guard header.count <= Self.maximumHeaderLength else { return }
        entries.withLock { entries in
            if entries.count >= Self.limit { entries.removeAll(keepingCapacity: true) }
            entries[header] = entry
        }
    }
}
