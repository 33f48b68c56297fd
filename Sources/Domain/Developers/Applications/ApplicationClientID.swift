/// Public OAuth client identifiers of apps registered on the developers site.
public enum ApplicationClientID {
    /// Type prefix of these client ids, so one is recognisable in logs and support tickets.
    public static let prefix = "cw_app_"

    /// A new client id: the prefix and 128 random bits in lower-case base32 (26 characters), unguessable so
    /// ids cannot be enumerated, and safe in URLs. Not a secret: the credentials page shows it and the app
    /// sends it. The store refuses a (practically impossible) duplicate, and the caller draws again.
    public static func make(using generator: inout some RandomNumberGenerator) -> ClientID {
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return ClientID(prefix + Base32.encode(bytes).lowercased())
    }
}
