import Domain
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// libldap (GnuTLS in Debian) reads a directory's CA only from a file (`LDAP_OPT_X_TLS_CACERTFILE`), and a school's
/// CA is stored as text (``SignInDirectory/caCertificates``): this writes it once to a directory only the pools' user
/// can open, under the name of its digest (``PEMCertificates/fileName(for:)``), so the file for a given text is
/// written once and a changed CA is a new file. The directory is in the temporary directory (the units' PrivateTmp)
/// and is checked before each use: a directory that is a link, is not the process user's or is open to others is
/// refused rather than trusted.
enum LDAPTrustFile {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The directory: `$TMPDIR/catalystwells-ldap-ca-<uid>`.
    static var directory: String {
        (NSTemporaryDirectory() as NSString).appendingPathComponent("catalystwells-ldap-ca-\(getuid())")
    }

    /// The path of a file holding exactly `pem`, written now if it is not there yet.
    static func path(for pem: String) throws(Failure) -> String {
        let directory = Self.directory
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw Failure(description: "\(directory): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard lstat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == getuid(), status.st_mode & 0o077 == 0 else {
            throw Failure(description: "\(directory) is not a private directory of this user")
        }
        let path = (directory as NSString).appendingPathComponent(PEMCertificates.fileName(for: pem))
        if lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG { return path }
        let temporary = path + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw Failure(description: "\(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array(pem.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        guard written == bytes.count, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Failure(description: "\(path): could not be written")
        }
        return path
    }
}
