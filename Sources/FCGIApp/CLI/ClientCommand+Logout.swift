import ArgumentParser
import Domain
import Foundation

extension ClientCommand {
    /// `catalystwells client logout`: sets a client's logout registration (RP-Initiated and Back-Channel Logout),
    /// replacing what it had. Apps from the developer portal register these on their app form; sync writes the
    /// reviewed registration into the same tables, replacing what this command set.
    struct Logout: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a client's post-logout redirect URIs and back-channel logout URI (replacing what it had).",
            discussion: """
                Post-logout redirect URIs are matched exactly (https, or http on a loopback address). The back-channel \
                logout URI must be https; logout tokens are posted to it when a session the client was authorised in ends. \
                Prints the registration as one line of JSON.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(name: .customLong("client-id"), help: "The client's client_id.") var clientID: String
        @Option(name: .customLong("post-logout-redirect-uri"), help: "A post-logout redirect URI (repeatable).") var redirectURIs: [String] = []
        @Option(name: .customLong("backchannel-logout-uri"), help: "Where logout tokens are posted (https).") var backchannelURI: String?
        @Flag(name: .customLong("backchannel-logout-session-required"), help: "The client needs sid in logout tokens.")
        var sessionRequired = false

        func run() throws {
            let registration = ClientLogoutRegistration(
                postLogoutRedirectURIs: redirectURIs, backchannelLogoutURI: backchannelURI, backchannelLogoutSessionRequired: sessionRequired)
            let problems = registration.problems()
            guard problems.isEmpty else { OperatorServices.fail(problems.map(\.english).joined(separator: " "), code: 64) }
            let services = try OperatorServices.open(options)
            guard try services.oauth.logout.setLogoutRegistration(registration, of: ClientID(clientID)) else {
                OperatorServices.fail("--client-id: there is no client \(clientID)")
            }
            let json: JSONValue = .object([
                ("client_id", .string(clientID)), ("post_logout_redirect_uris", .array(redirectURIs.map(JSONValue.string))),
                ("backchannel_logout_uri", .optional(backchannelURI)), ("backchannel_logout_session_required", .bool(sessionRequired)),
            ])
            print(json.text)
        }
    }
}
