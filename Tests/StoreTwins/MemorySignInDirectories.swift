import Domain
import Foundation

/// The in-memory twin of ``SignInDirectoryStore``.
final class MemorySignInDirectories: SignInDirectoryStore, @unchecked Sendable {
    private let lock = NSLock()
    private var directories: [SchoolID: SignInDirectory] = [:]

    init() {}

    func signInDirectory(of school: SchoolID) throws -> SignInDirectory? { lock.withLock { directories[school] } }

    func saveSignInDirectory(_ directory: SignInDirectory, now: Date) throws { lock.withLock { directories[directory.schoolID] = directory } }

    func removeSignInDirectory(of school: SchoolID) throws -> Bool { lock.withLock { directories.removeValue(forKey: school) != nil } }
}
