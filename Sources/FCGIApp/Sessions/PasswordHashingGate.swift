import Domain
import Foundation

/// Bounds how many password hashes (argon2id, 64 MiB and tens of milliseconds each) a worker process runs at
/// once. Every hash and check of the worker goes through it — sign-in, password changes and resets, the timing
/// decoy, the portal's pages — so no burst of password posts (a signed-in student's, or anyone's) can take every
/// request thread and the memory with it.
///
/// A check waits up to ``maximumWait`` for a turn, and only while few others wait; past that it is refused with
/// ``Busy`` (503 with `Retry-After`): the queue is bounded, never unbounded.
final class PasswordHashingGate: PasswordHasher, @unchecked Sendable {
    /// The answer when no turn came: 503, `Retry-After: 2`.
    struct Busy: RenderableError {
        var logDetail: String? { "password hashing gate full" }

        func response(_ style: ErrorStyle) -> HTTPResponse {
            HTTPError(
                status: 503, code: "temporarily_unavailable",
                "The server is busy checking passwords. Please try again in a few seconds.", headers: [("Retry-After", "2")]
            ).response(style)
        }
    }

    /// How long a check waits for a turn.
    static let maximumWait: DispatchTimeInterval = .seconds(1)

    private let hasher: any PasswordHasher
    private let turns: DispatchSemaphore
    private let maximumWaiting: Int
    private let lock = NSLock()
    private var waiting = 0

    /// A gate of `concurrency` turns over `hasher`; at most twice as many checks wait.
    init(_ hasher: any PasswordHasher, concurrency: Int) {
        self.hasher = hasher
        turns = DispatchSemaphore(value: max(1, concurrency))
        maximumWaiting = 2 * max(1, concurrency)
    }

    var parameters: String { hasher.parameters }

    func hash(_ password: String) throws -> String { try withTurn { try hasher.hash(password) } }

    func verify(_ password: String, against hash: String) throws -> Bool { try withTurn { try hasher.verify(password, against: hash) } }

    func needsRehash(_ hash: String) -> Bool { hasher.needsRehash(hash) }

    private func withTurn<T>(_ body: () throws -> T) throws -> T {
        if turns.wait(timeout: .now()) != .success {
            let mayWait = lock.withLock {
                guard waiting < maximumWaiting else { return false }
                waiting += 1
                return true
            }
            guard mayWait else { throw Busy() }
            let result = turns.wait(timeout: .now() + Self.maximumWait)
            lock.withLock { waiting -= 1 }
            guard result == .success else { throw Busy() }
        }
        defer { turns.signal() }
        return try body()
    }
}
