import ArgumentParser
import Domain
import Foundation

extension ClientCommand {
    /// `catalystwells client update`: changes an existing first-party client's settings. Today that is the ID token
    /// signing algorithm (`client create --id-token-signed-response-alg` set it once); a portal app's algorithm is
    /// reviewed content on its app form, which sync writes, so this command refuses those.
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a first-party client's settings: how its ID tokens and logout tokens are signed.",
            discussion: """
                The next ID token and logout token the client gets are signed with the current key of the new \
                algorithm; tokens issued before keep their signature, and both algorithms' keys stay in the JWKS. \
                Apps registered on the developer portal set this on their app form instead. Prints the client's \
                settings as one line of JSON.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(name: .customLong("client-id"), help: "The client's client_id.") var clientID: String
        @Option(
            name: .customLong("id-token-signed-response-alg"),
            help: "How its ID tokens and logout tokens are signed: RS256 or ES256, with the current key of that algorithm.")
        var idTokenAlgorithm: String?

        func run() throws {
            guard !clientID.isEmpty, clientID.utf8.count <= ClientAuthentication.maximumLength else {
                OperatorServices.fail("--client-id: '\(clientID)' is not a client_id", code: 64)
            }
            guard let idTokenAlgorithm else {
                OperatorServices.fail("nothing to change: give --id-token-signed-response-alg RS256 or ES256", code: 64)
            }
            guard let algorithm = SigningKeyRecord.Algorithm(rawValue: idTokenAlgorithm) else {
                OperatorServices.fail("--id-token-signed-response-alg: '\(idTokenAlgorithm)' is not RS256 or ES256", code: 64)
            }
            let services = try OperatorServices.open(options)
            guard let client = try services.oauth.clients.client(ClientID(clientID)) else {
                OperatorServices.fail("--client-id: no client has the client_id '\(clientID)'", code: 64)
            }
            guard client.firstParty else {
                OperatorServices.fail(
                    "--client-id: '\(clientID)' is an app from the developer portal; its developer sets the ID token signing algorithm on the app form, and sync would undo a change made here",
                    code: 64)
            }
            // Without a current key of that algorithm every ID token the client asks for would fail: refuse instead.
            guard try services.oauth.signingKeys.currentKey(algorithm) != nil else {
                OperatorServices.fail(
                    "--id-token-signed-response-alg: there is no current \(algorithm.rawValue) signing key yet; run `catalystwells keys rotate --algorithm \(algorithm.rawValue)` and wait until it signs (`catalystwells keys list`)",
                    code: 69)
            }
            guard try services.oauth.clients.updateIDTokenSigningAlgorithm(algorithm, of: client.clientID) else {
                OperatorServices.fail("--client-id: no client has the client_id '\(clientID)'", code: 64)
            }
            let json: JSONValue = .object([
                ("client_id", .string(clientID)), ("id_token_signed_response_alg", .string(algorithm.rawValue)),
                ("previous_id_token_signed_response_alg", .string(client.idTokenSigningAlgorithm.rawValue)),
            ])
            print(json.text)
        }
    }
}
