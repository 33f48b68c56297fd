import ArgumentParser
import Domain
import Foundation

/// `catalystwells keys rotate` and `keys list`: the ID token signing keys.
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage the ID token signing keys.", subcommands: [Rotate.self, List.self])

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new signing key: published at once, signing after oauth.key_publish_delay_seconds.",
            discussion: """
                The new key is published in the JWKS now and starts signing oauth.key_publish_delay_seconds later \
                (at once when the algorithm has no current key, or with a delay of 0), so clients that cache the JWKS \
                know it before they see a token it signed; the key it replaces signs until then. That key then stays \
                in the JWKS until every ID token it signed has expired, so clients can still verify them. The private \
                key is stored sealed with a key derived from oauth.key_file.
                """)

        @OptionGroup var options: ConfigOptions
        @Option(help: "RS256, ES256 or both.") var algorithm = "both"

        func run() throws {
            let algorithms: [SigningKeyRecord.Algorithm]
            switch algorithm.uppercased() {
            case "BOTH": algorithms = [.rs256, .es256]
            case let name:
                guard let one = SigningKeyRecord.Algorithm(rawValue: name) else {
                    OperatorServices.fail("--algorithm must be RS256, ES256 or both, not '\(algorithm)'", code: 64)
                }
                algorithms = [one]
            }
            let services = try OperatorServices.open(options)
            for algorithm in algorithms {
                let key = try KeysCommand.addKey(algorithm, services: services)
                let starts = key.notBefore.map { " (published now, signs from \(ISO8601DateFormatter().string(from: $0)))" } ?? ""
                print("added \(algorithm.rawValue) signing key \(key.kid)\(starts)")
            }
            print("previous keys stay published for \(Int(services.configuration.tokenLifetimes.idToken)) seconds")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the signing keys: current, still published, or retired.",
            discussion: "Each key is also opened with the OAuth key file, so a wrong or replaced key file shows here.")

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let services = try OperatorServices.open(options)
            let keys = ClientCommand.keys(services)
            let now = services.clock()
            let lifetimes = services.configuration.tokenLifetimes
            let publishedSince = JWKS.publishedSince(now: now, lifetimes: lifetimes)
            let records = try services.oauth.signingKeys.publishedKeys(publishedSince: .distantPast)
            if records.isEmpty { print("no signing keys; run `catalystwells keys rotate`") }
            let formatter = ISO8601DateFormatter()
            for record in records {
                let state =
                    if let notBefore = record.notBefore, notBefore > now {
                        "published, signs from \(formatter.string(from: notBefore))"
                    } else if let retired = record.retiredAt, retired > now {
                        "current until \(formatter.string(from: retired))"
                    } else if let retired = record.retiredAt {
                        retired > publishedSince
                            ? "retired, published until \(formatter.string(from: retired.addingTimeInterval(lifetimes.idToken)))" : "retired"
                    } else {
                        "current"
                    }
                let opens = (try? SigningKey(record: record, sealingKey: keys.sealingKey)) != nil ? "opens" : "DOES NOT OPEN with this key file"
                print("\(record.algorithm.rawValue)  \(record.kid)  created \(formatter.string(from: record.createdAt))  \(state)  \(opens)")
            }
        }
    }

    /// Generates, seals and stores a key of `algorithm`. It is published at once and becomes the current key of its
    /// algorithm after `oauth.key_publish_delay_seconds` (the previous key signs until then), or at once when there is
    /// no current key to wait with.
    static func addKey(_ algorithm: SigningKeyRecord.Algorithm, services: SiteServices) throws -> SigningKeyRecord {
        let keys = ClientCommand.keys(services)
        let now = services.clock()
        var generator = SystemRandomNumberGenerator()
        let generated = try SigningKey.generate(algorithm).record(sealingWith: keys.sealingKey, createdAt: now, using: &generator)
        let delay = services.configuration.oauth.keyPublishDelay
        let hasCurrent = try services.oauth.signingKeys.currentKey(algorithm) != nil
        let waits = delay > 0 && hasCurrent
        let record = SigningKeyRecord(
            kid: generated.kid, algorithm: generated.algorithm, sealedPrivateKey: generated.sealedPrivateKey, publicJWK: generated.publicJWK,
            createdAt: generated.createdAt, retiredAt: nil, notBefore: waits ? now.addingTimeInterval(delay) : nil)
        try services.oauth.signingKeys.addKey(record, now: now)
        return record
    }
}
