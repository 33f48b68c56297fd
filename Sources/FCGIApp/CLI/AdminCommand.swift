import ArgumentParser
import Domain
import Foundation

/// `catalystwells admin create`: the first platform admin, and school admins, created by an operator.
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Manage administrator accounts.", subcommands: [Create.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a platform admin or a school admin.",
            discussion: """
                Without --password-stdin the new admin gets a single-use link to choose a password: it is mailed and \
                also printed here, for hosts that cannot send mail yet.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "Email address; it is also the sign-in name.") var email: String
        @Option(help: "platform_admin or school_admin.") var role: String
        @Option(help: "The school's sourcedId (school_admin only; import the school's roster first).") var school: String?
        @Option(help: "Given name (default: Platform or School, after the role).") var givenName: String?
        @Option(help: "Family name.") var familyName = "Administrator"
        @Flag(help: "Read the password from the first line of standard input instead of sending a link.") var passwordStdin = false

        func run() throws {
            let email = self.email.trimmingCharacters(in: .whitespaces).lowercased()
            guard EmailAddress.isPlausible(email) else { OperatorServices.fail("--email: '\(self.email)' is not an email address", code: 64) }
            guard let role = Role(rawValue: role), role == .platformAdmin || role == .schoolAdmin else {
                OperatorServices.fail("--role must be platform_admin or school_admin, not '\(self.role)'", code: 64)
            }
            if role == .platformAdmin, school != nil { OperatorServices.fail("--school is only for school_admin", code: 64) }
            if role == .schoolAdmin, school == nil { OperatorServices.fail("--school is required for school_admin", code: 64) }
            let givenName = self.givenName ?? (role == .platformAdmin ? "Platform" : "School")
            for (flag, value) in [("--given-name", givenName), ("--family-name", familyName)] where value.isEmpty || value.count > 255 {
                OperatorServices.fail("\(flag) must have 1 to 255 characters", code: 64)
            }
            let services = try OperatorServices.open(options)
            var password: String?
            if passwordStdin {
                let typed = OperatorServices.passwordFromStandardInput()
                if let problem = PasswordRules.problem(with: typed, confirmation: typed, identifiers: [email]) {
                    OperatorServices.fail("the password is not acceptable: \(problem)", code: 64)
                }
                password = typed
            }
            var schoolID: SchoolID?
            if let school {
                guard let id = try services.people.accounts.schoolID(sourcedID: school) else {
                    OperatorServices.fail("no school has sourcedId '\(school)'; import its roster first (catalystwells roster import)")
                }
                schoolID = id
            }
            let now = services.clock()
            let user: UserID
            do {
                user = try services.people.accounts.createUser(
                    NewUser(
                        role: role, schoolID: schoolID, givenName: givenName, familyName: familyName, email: email,
                        passwordHash: try password.map { try services.people.hasher.hash($0) }),
                    now: now)
            } catch let error as StoreError where error.kind == .duplicate {
                OperatorServices.fail("a user with the email \(email) already exists")
            }
            print("created \(role.rawValue) \(email) (user \(user))")
            if password == nil {
                do {
                    let link = try PasswordLinks.send(
                        to: user, email: email, name: givenName, purpose: .set, services: services, now: now)
                    print("a set-password link was mailed; it works once: \(link)")
                } catch let error as MailError {
                    OperatorServices.fail(
                        "the account exists but the set-password mail failed (\(error)); run `catalystwells admin create` again after fixing [mail], or use \"Forgot your password?\""
                    )
                }
            }
        }
    }
}

/// A cheap plausibility check for operator input (the roster import applies the same rule).
enum EmailAddress {
    static func isPlausible(_ value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && value.utf8.count <= 254
            && !value.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" })
    }
}
