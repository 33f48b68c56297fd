import Crypto
import Foundation

/// API keys of approved apps: `cw_key_` and 256 random bits, shown once, stored as a keyed hash
/// with a short visible prefix for the listing.
///
/// Like ``ClientSecret``, a key has full entropy, so HMAC-SHA256 under a key kept outside the database is
/// the right digest (DESIGN §5): fast for the per-request lookup by digest, and useless to whoever steals
/// only the table. The visible prefix (``prefix`` and the first ``visibleCharacters`` random characters,
/// 48 bits) lets a developer tell keys apart without revealing enough to matter.
public enum APIKey {
    /// Type prefix of API keys.
    public static let prefix = "cw_key_"
    /// Random characters kept in the visible prefix.
    public static let visibleCharacters = 8
    /// Longest key name, in characters.
    public static let maximumNameLength = 80

    /// A new key, shown once to the developer and never stored.
    public static func make(using generator: inout some RandomNumberGenerator) -> String {
        SecretToken.make(prefix: prefix, using: &generator)
    }

    /// Whether `key` has the shape of an API key (checked before any lookup).
    public static func isWellFormed(_ key: String) -> Bool {
        SecretToken.isWellFormed(key, prefix: prefix)
    }

    /// What the key list shows, such as `cw_key_AbC123xy`; `nil` for a malformed key.
    public static func visiblePrefix(of key: String) -> String? {
        guard isWellFormed(key) else { return nil }
        return String(key.prefix(prefix.count + visibleCharacters))
    }

    /// HMAC-SHA256(hmacKey, UTF-8 key): what the store keeps and looks keys up by.
    public static func digest(key: String, hmacKey: SymmetricKey) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array(key.utf8), using: hmacKey))
    }

    /// Whether `key` matches a stored digest, compared in constant time.
    public static func matches(key: String, digest stored: [UInt8], hmacKey: SymmetricKey) -> Bool {
        SecretToken.constantTimeEquals(digest(key: key, hmacKey: hmacKey), stored)
    }

    /// Problems with the create-key form by field (`name`, `scopes`), or the trimmed name and the chosen
    /// scopes in the app's order. A key gets a non-empty subset of the app's approved scopes, never more, and
    /// never a scope that needs a user: a key acts for the app, so only app-level scopes
    /// (``ScopeDefinition/isAppLevel``) are offered.
    public static func validate(
        name: String, scopes: [String], approvedScopes: [String], registry: ScopeRegistry = .standard
    ) -> Result<(name: String, scopes: [String]), SchoolworkForms.FieldErrors> {
        var errors: SchoolworkForms.FieldErrors = [:]
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            errors["name"] = Message("apikey.error.name", "Give the key a name, such as where it is used.")
        } else if trimmed.unicodeScalars.count > maximumNameLength {
            errors["name"] = .atMostCharacters(maximumNameLength)
        } else if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            errors["name"] = .nameOnOneLine
        }
        let allowed = Set(allowedScopes(approvedScopes: approvedScopes, registry: registry))
        if scopes.isEmpty {
            errors["scopes"] = Message("apikey.error.scopes", "Choose at least one scope.")
        } else if let outside = scopes.first(where: { !allowed.contains($0) }) {
            errors["scopes"] = Message("apikey.error.scope_outside", "This app's keys cannot have the scope \(outside).", ["scope": outside])
        }
        guard errors.isEmpty else { return .failure(errors) }
        return .success((trimmed, approvedScopes.filter(scopes.contains)))
    }

    /// The scopes a new key may have: the app's approved app-level scopes, in the app's order.
    public static func allowedScopes(approvedScopes: [String], registry: ScopeRegistry = .standard) -> [String] {
        approvedScopes.filter { registry.definition(named: $0)?.isAppLevel == true }
    }
}
