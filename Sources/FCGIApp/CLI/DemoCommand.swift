import ArgumentParser
import Domain
import Foundation

/// `catalystwells demo load`: the generated demo school, for development and tests only.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Demo data for development and tests.", subcommands: [Load.self])

    struct Load: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the demo school (roster, passwords, a term of grades and attendance, OAuth clients) and print its sign-ins.",
            discussion: "Refused when general.environment is production. Running it again changes nothing.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Also write the sign-ins as JSON to this file.") var output: String?
        @Option(help: "The password of every demo account.") var password = "catalyst-demo-2026"

        func run() throws {
            let services = try OperatorServices.open(options)
            guard services.configuration.environment != .production else {
                OperatorServices.fail("demo data is only for development and test installations (general.environment is production)", code: 64)
            }
            let demo = DemoSchool()
            let logger = LogSetup.logger("catalystwells.demo", level: .warning)
            let outcome = try RosterImportJob.run(
                files: demo.files(), school: DemoSchool.schoolSourcedID, startedBy: "demo", source: "demo generator",
                services: services, logger: logger, sendInvitations: false)
            let now = services.clock()
            let hash = { try services.people.hasher.hash(password) }
            var ids: [String: UserID] = [:]
            for person in demo.everyone {
                guard let found = try services.people.accounts.signInCandidate(identifier: person.email) else {
                    OperatorServices.fail("demo user \(person.email) is missing after the import")
                }
                ids[person.sourcedID] = found.user.id
                if found.passwordHash == nil { try services.people.accounts.setPasswordHash(try hash(), for: found.user.id, now: now) }
            }
            let platformEmail = "platform@\(DemoSchool.domain)"
            if try services.people.accounts.signInCandidate(identifier: platformEmail) == nil {
                _ = try services.people.accounts.createUser(
                    NewUser(
                        role: .platformAdmin, schoolID: nil, givenName: "Pat", familyName: "Platform", email: platformEmail, passwordHash: try hash()),
                    now: now)
            }
            // The admins must have a second factor (the platform admin always, school admins by the default policy): the
            // demo gives them an authenticator seed of their own, written to demo.json and printed below.
            var seeds: [String: [UInt8]] = [:]
            for email in [demo.admin.email, platformEmail] {
                guard let admin = try services.people.accounts.signInCandidate(identifier: email)?.user else { continue }
                seeds[email] = try DemoSignIns.enrolTOTP(admin.id, email: email, services: services, now: now)
            }
            let seeded = try DemoSchoolwork.seed(demo: demo, ids: ids, services: services, today: CalendarDate(now))
            print(outcome.summary.changedAnything ? "demo roster imported" : "demo roster already up to date")
            print(seeded ? "demo grades and attendance created" : "demo grades and attendance already present")
            let oauthSeeded = try DemoClients.seed(services: services, keys: ClientCommand.keys(services), now: now)
            print(oauthSeeded ? "demo OAuth clients and signing keys created" : "demo OAuth clients and signing keys already present")
            let signIns = try DemoSignIns.document(
                demo: demo, ids: ids, platformEmail: platformEmail, password: password, seeds: seeds, services: services)
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: Data(signIns.serialized())) else {
                    OperatorServices.fail("cannot write \(output)")
                }
            }
            print("demo sign-ins (password for all: \(password)):")
            print("  student        \(demo.students[0].email)")
            print("  parent         \(demo.parents[0].email)  (two children)")
            print("  teacher        \(demo.teachers[0].email)")
            if let teacher = ids[demo.teachers[0].sourcedID], let first = try services.schoolwork.teaching.classes(taughtBy: teacher).first {
                print("                 prints sign-in cards of \(first.title) at \(services.configuration.appURL)/teacher/classes/\(first.id)/cards")
            }
            print("  school admin   \(demo.admin.email)  (authenticator key \(seeds[demo.admin.email].map { Base32.encode($0) } ?? "-"))")
            print("  platform admin \(platformEmail)  (authenticator key \(seeds[platformEmail].map { Base32.encode($0) } ?? "-"))")
            let issuer = services.configuration.appURL
            print("demo OAuth clients (redirect URI \(DemoClients.redirectURI), every scope allowed):")
            print("  confidential   client_id \(DemoClients.confidentialID)  client_secret \(DemoClients.confidentialSecret)")
            print("  public (PKCE)  client_id \(DemoClients.publicID)")
            print("  discovery      \(issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer)/.well-known/openid-configuration")
            if let output { print("  all of them as JSON: \(output)") }
        }
    }
}
