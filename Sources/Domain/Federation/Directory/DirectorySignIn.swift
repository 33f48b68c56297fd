import Foundation

/// The password form of a school whose directory checks passwords (issue 15, items 1 and 3), as rules over a
/// ``DirectoryConnector``. In order:
///
/// 1. the typed name must be 1 to ``maximumNameLength`` bytes after trimming, and the password non-empty (an empty
///    one would be an unauthenticated bind, which a directory "accepts" without checking anything: RFC 4513 §5.1.2)
///    and at most ``maximumPasswordLength`` bytes: refused before the directory is asked;
/// 2. the service account searches the base DN with the school's filter, the name RFC 4515-escaped into it
///    (``LDAPFilterTemplate``), for at most two entries: none, or more than one, is refused (nobody is guessed); a
///    referral is never followed (a search answered with one is a failure, continuation references are ignored);
/// 3. a disabled entry (``DirectoryDisabledCheck``) is refused before its password is tried;
/// 4. a simple bind as the entry's DN with the typed password decides;
/// 5. the entry's link attribute finds the roster person of the school by the school's rule (``UpstreamLinking``):
///    one active person, or nobody signs in.
///
/// Nothing the directory answered is kept: every sign-in asks it again. Throttling, sessions and the audit are the
/// site's sign-in seam's (FCGIApp `SignInCompletion`).
public struct DirectorySignIn {
    /// The longest name sent to a directory (UTF-8 bytes); AD's `userPrincipalName` is at most 1024 characters, but
    /// no school's people type names that long.
    public static let maximumNameLength = 256
    /// The longest password sent to a directory (UTF-8 bytes).
    public static let maximumPasswordLength = 1024
    /// Seconds a sign-in (or an admin's test) may spend on the directory, over every endpoint and step: a school
    /// may list three endpoints, each with a connect, StartTLS, two binds and a search, which with their own timeouts
    /// alone could hold a worker for minutes and outlast nginx's 60 s wait for the answer. Past it the person sees
    /// "the directory could not be reached" while nginx still waits.
    public static let timeBudget: TimeInterval = 25

    let directory: SignInDirectory
    let server: DirectoryServer
    let connector: any DirectoryConnector
    let linking: UpstreamLinking

    public init(directory: SignInDirectory, server: DirectoryServer, connector: any DirectoryConnector, linking: UpstreamLinking) {
        self.directory = directory
        self.server = server
        self.connector = connector
        self.linking = linking
    }

    /// How a sign-in ended.
    public enum Outcome: Sendable, Equatable {
        /// The directory accepted the password and the entry names this active person of the school.
        case signedIn(UserAccount, dn: String)
        case refused(DirectoryRefusal)
        /// The directory could not be used (down, slow, a certificate that did not verify, a referral).
        case failed(DirectoryFailure)
    }

    /// Checks `password` for the name typed on the school's sign-in page. Throws only the store's errors.
    public func authenticate(name: String, password: DirectorySecret) throws -> Outcome {
        let deadline = Date().addingTimeInterval(Self.timeBudget)
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { return .refused(.emptyName) }
        guard name.utf8.count <= Self.maximumNameLength else { return .refused(.nameTooLong) }
        guard !password.value.isEmpty else { return .refused(.emptyPassword) }
        guard password.value.utf8.count <= Self.maximumPasswordLength else { return .refused(.passwordTooLong) }
        let entry: DirectoryEntry
        switch find(name, deadline: deadline) {
        case .failure(let failure): return .failed(failure)
        case .success(let result):
            guard result.entries.count <= 1, !result.moreEntries else { return .refused(.severalEntries) }
            // Continuation references (RFC 4511 §4.5.3) alongside are not followed: Active Directory sends them for
            // its application partitions on every subtree search of a domain's root, so they cannot mean "elsewhere".
            guard let only = result.entries.first else { return .refused(.noEntry) }
            entry = only
        }
        if directory.disabledCheck.isDisabled(entry) { return .refused(.disabled(dn: entry.dn)) }
        do {
            guard try connector.checkPassword(server, dn: entry.dn, password: password, deadline: deadline) else {
                return .refused(.wrongPassword(dn: entry.dn))
            }
        } catch {
            return .failed(error)
        }
        guard let identity = identity(of: entry) else { return .refused(.noSuchPerson(dn: entry.dn)) }
        switch try linking.match(identity, rule: directory.linkRule, school: directory.schoolID) {
        case .person(let user, _): return .signedIn(user, dn: entry.dn)
        case .inactive(let user): return .refused(.inactive(user, dn: entry.dn))
        case .noSuchPerson, .newStudent: return .refused(.noSuchPerson(dn: entry.dn))
        }
    }

    /// What "test this provider" found for `name`: the service bind and the search, the entry's disabled state and the
    /// roster person it would sign in as. No password is checked and nothing is written.
    public func test(name: String) throws -> DirectoryTestResult {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let filter = directory.filter.filter(for: name)
        guard !name.isEmpty, name.utf8.count <= Self.maximumNameLength else {
            return DirectoryTestResult(filter: filter, answer: .badName)
        }
        switch find(name, deadline: Date().addingTimeInterval(Self.timeBudget)) {
        case .failure(let failure):
            return DirectoryTestResult(filter: filter, answer: .failed(failure))
        case .success(let result):
            guard result.entries.count == 1, !result.moreEntries, let entry = result.entries.first else {
                return DirectoryTestResult(filter: filter, answer: .entries(result))
            }
            let person: UpstreamLinking.Outcome =
                if let identity = identity(of: entry) {
                    try linking.match(identity, rule: directory.linkRule, school: directory.schoolID)
                } else { .noSuchPerson }
            return DirectoryTestResult(
                filter: filter, answer: .one(entry, disabled: directory.disabledCheck.isDisabled(entry), person: person))
        }
    }

    /// The search for `name`: two entries at most, which is enough to tell one from several.
    private func find(_ name: String, deadline: Date) -> Result<DirectorySearchResult, DirectoryFailure> {
        do {
            return .success(
                try connector.search(
                    server, base: directory.baseDN, filter: directory.filter.filter(for: name), attributes: directory.requestedAttributes, limit: 2,
                    deadline: deadline))
        } catch {
            return .failure(error)
        }
    }

    /// The entry as an upstream identity for the linking rules: its DN as the subject, and the link attribute's value
    /// as the email (the school's own directory vouches for its addresses; candidates are the school's people only)
    /// or as the claim the rule compares.
    func identity(of entry: DirectoryEntry) -> UpstreamIdentity? {
        guard let value = entry.value(directory.linkAttribute)?.trimmingCharacters(in: .whitespaces), !value.isEmpty, value.utf8.count <= 255
        else { return nil }
        switch directory.linkRule {
        case .email:
            return UpstreamIdentity(subject: entry.dn, email: value.lowercased(), emailVerified: true, claims: .object([]))
        case .sourcedID(let claim), .username(let claim):
            return UpstreamIdentity(subject: entry.dn, email: nil, emailVerified: false, claims: .object([(claim, .string(value))]))
        }
    }
}

/// Why a directory sign-in was refused. The person sees one message for every refusal that could tell a stranger
/// whether a name exists (``revealsNothing``); the log and the audit get ``logReason``.
public enum DirectoryRefusal: Sendable, Equatable {
    case emptyName
    case nameTooLong
    case emptyPassword
    case passwordTooLong
    /// No entry matches the filter.
    case noEntry
    /// Several entries match: the filter is ambiguous for this name.
    case severalEntries
    case disabled(dn: String)
    case wrongPassword(dn: String)
    /// The password was right, but the entry names no roster person of the school.
    case noSuchPerson(dn: String)
    /// The password was right, but the person is deactivated.
    case inactive(UserAccount, dn: String)

    /// Whether the answer is the same "do not match" as a wrong password (and counts against the throttle). Only a
    /// right password earns a more precise answer.
    public var revealsNothing: Bool {
        switch self {
        case .noSuchPerson, .inactive: false
        default: true
        }
    }

    /// For the log and the audit (the DN is the directory's, not what was typed).
    public var logReason: String {
        switch self {
        case .emptyName: "empty name"
        case .nameTooLong: "name too long"
        case .emptyPassword: "empty password (no bind attempted)"
        case .passwordTooLong: "password too long"
        case .noEntry: "no directory entry matches"
        case .severalEntries: "several directory entries match"
        case .disabled(let dn): "directory account disabled: \(dn)"
        case .wrongPassword(let dn): "wrong password for \(dn)"
        case .noSuchPerson(let dn): "no roster person matches \(dn)"
        case .inactive(let user, let dn): "user \(user.id) is deactivated (\(dn))"
        }
    }
}

/// The result of a school admin's "test this provider" for a directory.
public struct DirectoryTestResult: Sendable, Equatable {
    /// The filter sent, the name escaped in it.
    public let filter: String
    public let answer: Answer

    public enum Answer: Sendable, Equatable {
        /// The name is empty or too long: nothing was sent.
        case badName
        case failed(DirectoryFailure)
        /// None or several entries (or only references).
        case entries(DirectorySearchResult)
        /// Exactly one entry: whether it is disabled, and who would sign in.
        case one(DirectoryEntry, disabled: Bool, person: UpstreamLinking.Outcome)
    }

    public init(filter: String, answer: Answer) {
        self.filter = filter
        self.answer = answer
    }
}
