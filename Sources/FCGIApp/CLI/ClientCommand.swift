import ArgumentParser
import Domain
import Foundation

/// `catalystwells client create`, `client update`, `client rotate-secret` and `client logout`: first-party OAuth clients, registered by an
/// operator (third-party apps come through the developer portal).
struct ClientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client", abstract: "Manage first-party OAuth clients.", subcommands: [Create.self, Update.self, RotateSecret.self, Logout.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a first-party OAuth client; a confidential one's secret is printed once.",
            discussion: """
                Redirect URIs must be https, http on 127.0.0.1 or [::1] (any port may be used at run time), or a \
                private-use scheme such as com.example.app:/callback. A public client (--public) has no secret and \
                must use PKCE; a confidential client without redirect URIs can only use client_credentials.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "The app's name, as the consent page shows it.") var name: String
        @Option(help: "A one-line description for the consent page.") var description = ""
        @Option(name: .customLong("redirect-uri"), help: "A redirect URI, matched exactly (repeatable).") var redirectURIs: [String] = []
        @Option(name: .customLong("scope"), help: "A scope the client may ask for (repeatable, or a space-separated list).")
        var scopes: [String] = []
        @Flag(name: .customLong("public"), help: "A public client (browser or native app): no secret, PKCE required.") var isPublic = false
        @Option(help: "The developer's name, as the consent page shows it.") var developer = "CatalystWells"
        @Option(help: "The app's homepage (https).") var homepage: String?
        @Option(help: "The app's privacy policy (https).") var privacy: String?
        @Option(help: "The app's terms of use (https).") var terms: String?
        @Option(help: "The app's logo (https).") var logo: String?
        @Flag(inversion: .prefixedNo, help: "Show the verified badge (first-party clients are verified unless --no-verified).")
        var verified = true
        @Option(name: .customLong("client-id"), help: "The client_id (default: cw_client_ and 16 random bytes).") var clientID: String?
        @Option(name: .customLong("jwks-file"), help: "private_key_jwt (RFC 7523): a file holding the client's public JWK Set; no secret is made.")
        var jwksFile: String?
        @Option(name: .customLong("jwks-uri"), help: "private_key_jwt (RFC 7523): the https URL of the client's public JWK Set; no secret is made.")
        var jwksURI: String?
        @Flag(name: .customLong("require-par"), help: "Accept its authorization requests only through the PAR endpoint (RFC 9126).")
        var requirePAR = false
        @Option(
            name: .customLong("id-token-signed-response-alg"),
            help: "How its ID tokens and logout tokens are signed: RS256 (default) or ES256, with the current key of that algorithm.")
        var idTokenAlgorithm = "RS256"

        func run() throws {
            let client = validated()
            let services = try OperatorServices.open(options)
            let keys = ClientCommand.keys(services)
            let now = services.clock()
            do {
                try services.oauth.clients.createClient(client, now: now)
            } catch let error as StoreError where error.kind == .duplicate {
                OperatorServices.fail("--client-id: a client with the client_id \(client.clientID) already exists")
            }
            print("created \(client.kind.rawValue) first-party client \"\(client.name)\"\(client.verified ? " (verified)" : "")")
            print("client_id:     \(client.clientID)")
            if client.privateKeyJWT != nil {
                print("no secret: the client authenticates with private_key_jwt, signing with a key of its JWK Set")
            } else if client.kind == .confidential {
                let secret = try ClientCommand.addSecret(to: client.clientID, services: services, keys: keys, now: now)
                print("client_secret: \(secret)")
                print("Store the secret now; it cannot be shown again (`catalystwells client rotate-secret` makes a new one).")
            } else {
                print("no secret: a public client authenticates with its client_id and must use PKCE (S256)")
            }
            print("scopes:        \(client.allowedScopes.sorted().joined(separator: " "))")
            for uri in client.redirectURIs { print("redirect_uri:  \(uri)") }
            if client.idTokenSigningAlgorithm != .rs256 { print("id_token_signed_response_alg: \(client.idTokenSigningAlgorithm.rawValue)") }
        }

        /// The client the options describe, or exit 64 naming the flag and value at fault.
        private func validated() -> OAuthClient {
            for (flag, value) in [("--name", name), ("--developer", developer)] where value.isEmpty || value.count > 255 {
                OperatorServices.fail("\(flag) must have 1 to 255 characters, not '\(value)'", code: 64)
            }
            if description.count > 1000 { OperatorServices.fail("--description must have at most 1000 characters", code: 64) }
            for uri in redirectURIs where !RedirectURIRule.isRegistrable(uri) {
                OperatorServices.fail(
                    "--redirect-uri: '\(uri)' cannot be registered (use https, http://127.0.0.1 or http://[::1], or a private-use scheme like com.example.app:/callback; no fragment)",
                    code: 64)
            }
            if Set(redirectURIs).count != redirectURIs.count { OperatorServices.fail("--redirect-uri: a URI is given twice", code: 64) }
            if isPublic, redirectURIs.isEmpty {
                OperatorServices.fail("--redirect-uri is required for a public client (it can only use the authorization code flow)", code: 64)
            }
            let names = scopes.flatMap { $0.split(separator: " ").map(String.init) }
            guard !names.isEmpty else { OperatorServices.fail("--scope: give at least one scope", code: 64) }
            for scope in names where ScopeRegistry.standard.definition(named: scope) == nil {
                OperatorServices.fail(
                    "--scope: '\(scope)' is not a scope; known scopes: \(ScopeRegistry.standard.scopesSupported.joined(separator: " "))", code: 64)
            }
            for (flag, value) in [("--homepage", homepage), ("--privacy", privacy), ("--terms", terms), ("--logo", logo)] {
                if let value, !ClientCommand.isPageURL(value) {
                    OperatorServices.fail("\(flag): '\(value)' is not an https URL", code: 64)
                }
            }
            let id: ClientID
            if let clientID {
                guard ClientCommand.isAcceptableClientID(clientID) else {
                    OperatorServices.fail("--client-id: '\(clientID)' must be 1 to 64 characters of A-Z a-z 0-9 . _ ~ -", code: 64)
                }
                id = ClientID(clientID)
            } else {
                var generator = SystemRandomNumberGenerator()
                id = ClientCommand.makeClientID(using: &generator)
            }
            var keys: ClientKeyRegistration?
            if jwksFile != nil || jwksURI != nil {
                if isPublic { OperatorServices.fail("--jwks-file/--jwks-uri: a public client has no credential", code: 64) }
                var document: String?
                if let jwksFile {
                    guard let text = try? String(contentsOfFile: jwksFile, encoding: .utf8) else {
                        OperatorServices.fail("--jwks-file: '\(jwksFile)' cannot be read", code: 64)
                    }
                    document = text
                }
                switch ClientKeyRegistration.validate(jwks: document, jwksURI: jwksURI) {
                case .success(let registration): keys = registration
                case .failure(let invalid): OperatorServices.fail("--jwks-file/--jwks-uri: \(invalid.reason)", code: 64)
                }
            }
            guard let algorithm = SigningKeyRecord.Algorithm(rawValue: idTokenAlgorithm) else {
                OperatorServices.fail("--id-token-signed-response-alg: '\(idTokenAlgorithm)' is not RS256 or ES256", code: 64)
            }
            return OAuthClient(
                clientID: id, name: name, description: description, logoURL: logo, homepageURL: homepage, privacyURL: privacy,
                termsURL: terms, developerName: developer, verified: verified, firstParty: true,
                kind: isPublic ? .public : .confidential, redirectURIs: redirectURIs, allowedScopes: Set(names),
                privateKeyJWT: keys, requiresPushedAuthorizationRequests: requirePAR, idTokenSigningAlgorithm: algorithm)
        }
    }

    struct RotateSecret: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-secret",
            abstract: "Give a confidential client a new secret, printed once.",
            discussion: """
                The new secret and the one before it both work, so the app can be switched over without downtime; \
                any older secret stops working now. Rotate twice to end the previous secret at once (after a leak).
                """)

        @OptionGroup var options: ConfigOptions
        @Option(name: .customLong("client-id"), help: "The client's client_id.") var clientID: String

        func run() throws {
            guard !clientID.isEmpty, clientID.utf8.count <= ClientAuthentication.maximumLength else {
                OperatorServices.fail("--client-id: '\(clientID)' is not a client_id", code: 64)
            }
            let services = try OperatorServices.open(options)
            let keys = ClientCommand.keys(services)
            guard let client = try services.oauth.clients.client(ClientID(clientID)) else {
                OperatorServices.fail("--client-id: no client has the client_id '\(clientID)'", code: 64)
            }
            guard client.kind == .confidential else {
                OperatorServices.fail("--client-id: '\(clientID)' is a public client; public clients have no secret", code: 64)
            }
            let secret = try ClientCommand.addSecret(to: client.clientID, services: services, keys: keys, now: services.clock())
            print("client_id:     \(client.clientID)")
            print("client_secret: \(secret)")
            print("Store the secret now; it cannot be shown again. The previous secret keeps working until the next rotation.")
        }
    }

    /// The OAuth keys, which ``OperatorServices/open(_:)`` always loads.
    static func keys(_ services: SiteServices) -> OAuthKeyMaterial {
        guard let keys = services.oauth.keys else { OperatorServices.fail("the OAuth key (oauth.key_file) is not loaded") }
        return keys
    }

    /// Makes a secret, stores its keyed digest and returns it (the only time it exists in clear).
    static func addSecret(to client: ClientID, services: SiteServices, keys: OAuthKeyMaterial, now: Date) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let secret = ClientSecret.make(using: &generator)
        try services.oauth.clients.addSecret(digest: ClientSecret.digest(secret: secret, key: keys.clientSecretKey), to: client, now: now)
        return secret
    }

    /// `cw_client_` and 16 random bytes in base64url: unguessable is not required of a client_id, but unique is.
    static func makeClientID(using generator: inout some RandomNumberGenerator) -> ClientID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in bytes.indices { bytes[index] = UInt8.random(in: 0...255, using: &generator) }
        return ClientID("cw_client_" + SecretToken.base64URL(bytes))
    }

    /// A client_id an operator may choose: it appears in URL paths (`/account/apps/{client_id}/revoke`, at most
    /// 64 bytes there) and query strings, so only RFC 3986 unreserved characters.
    static func isAcceptableClientID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || (0x30...0x39).contains(byte)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
            }
    }

    /// A link the consent page may show: an absolute `https` URL with a host and no credentials, printable ASCII.
    static func isPageURL(_ value: String) -> Bool {
        guard value.utf8.count <= 2000, value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), let url = URL(string: value),
            url.scheme == "https", let host = url.host, !host.isEmpty, url.user == nil, url.password == nil
        else { return false }
        return true
    }
}
