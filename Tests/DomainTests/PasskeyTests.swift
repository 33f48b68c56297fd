import Crypto
import Domain
import Foundation
import Testing
import _CryptoExtras

/// Passkeys (issue 16) without a browser: authenticator data, client data and attestation objects are written
/// here with a small CBOR writer, signed with swift-crypto keys, and fed to the relying-party rules; every refusal
/// the issue lists is checked with its reason. One W3C test vector (WebAuthn Level 3 §16.2) checks that the rules
/// agree with bytes made elsewhere.
@Suite struct PasskeyTests {
    // MARK: A CBOR writer and a software authenticator

    /// A CBOR item to write; map entries keep their order, so a test can write a key twice.
    indirect enum Item {
        case int(Int64)
        case bytes([UInt8])
        case text(String)
        case array([Item])
        case map([(Item, Item)])
        case raw([UInt8])
    }

    static func head(_ major: UInt8, _ argument: UInt64) -> [UInt8] {
        switch argument {
        case 0..<24: return [major << 5 | UInt8(argument)]
        case 24..<0x100: return [major << 5 | 24, UInt8(argument)]
        case 0x100..<0x1_0000: return [major << 5 | 25] + bigEndian(argument, 2)
        case 0x1_0000..<0x1_0000_0000: return [major << 5 | 26] + bigEndian(argument, 4)
        default: return [major << 5 | 27] + bigEndian(argument, 8)
        }
    }

    static func bigEndian(_ value: UInt64, _ width: Int) -> [UInt8] {
        (0..<width).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) }
    }

    static func cbor(_ item: Item) -> [UInt8] {
        switch item {
        case .int(let value): value >= 0 ? head(0, UInt64(value)) : head(1, UInt64(-1 - value))
        case .bytes(let bytes): head(2, UInt64(bytes.count)) + bytes
        case .text(let text): head(3, UInt64(text.utf8.count)) + Array(text.utf8)
        case .array(let items): head(4, UInt64(items.count)) + items.flatMap(cbor)
        case .map(let entries): head(5, UInt64(entries.count)) + entries.flatMap { cbor($0.0) + cbor($0.1) }
        case .raw(let bytes): bytes
        }
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }

    /// A passkey held in software: an ES256 or RS256 key and a credential id.
    struct SoftAuthenticator {
        enum Key {
            case p256(P256.Signing.PrivateKey)
            case rsa(_RSA.Signing.PrivateKey)
        }
        let key: Key
        var credentialID: [UInt8] = Array(repeating: 0xC1, count: 32)
        var aaguid: [UInt8] = Array(0..<16)

        var coseEntries: [(Item, Item)] {
            switch key {
            case .p256(let key):
                let point = Array(key.publicKey.x963Representation)
                return [
                    (.int(1), .int(2)), (.int(3), .int(-7)), (.int(-1), .int(1)), (.int(-2), .bytes(Array(point[1..<33]))),
                    (.int(-3), .bytes(Array(point[33..<65]))),
                ]
            case .rsa(let key):
                let primitives = try! key.publicKey.getKeyPrimitives()
                return [
                    (.int(1), .int(3)), (.int(3), .int(-257)), (.int(-1), .bytes(Array(primitives.modulus))),
                    (.int(-2), .bytes(Array(primitives.publicExponent))),
                ]
            }
        }
        var coseKey: [UInt8] { PasskeyTests.cbor(.map(coseEntries)) }

        func sign(_ message: [UInt8]) -> [UInt8] {
            switch key {
            case .p256(let key): Array(try! key.signature(for: message).derRepresentation)
            case .rsa(let key): Array(try! key.signature(for: message, padding: .insecurePKCS1v1_5).rawRepresentation)
            }
        }

        /// Authenticator data: `flags` as bits, the credential when `attested`, `extensions` (a CBOR map) when given.
        func authenticatorData(
            rpID: String = PasskeyTests.rpID, flags: UInt8, signCount: UInt32 = 0, attested: Bool = false, coseKey: [UInt8]? = nil,
            extensions: [UInt8]? = nil
        ) -> [UInt8] {
            var bytes = PasskeyTests.sha256(Array(rpID.utf8))
            bytes.append(flags | (attested ? 0x40 : 0) | (extensions == nil ? 0 : 0x80))
            bytes += PasskeyTests.bigEndian(UInt64(signCount), 4)
            if attested {
                bytes += aaguid + PasskeyTests.bigEndian(UInt64(credentialID.count), 2) + credentialID + (coseKey ?? self.coseKey)
            }
            return bytes + (extensions ?? [])
        }
    }

    static let rpID = "catalystwells.example"
    static let origin = "https://id.catalystwells.example"
    static let relyingParty = PasskeyRelyingParty(id: rpID, origins: [origin, "https://developers.catalystwells.example"])
    static let rsaKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    static let up: UInt8 = 0x01
    static let uv: UInt8 = 0x04
    static let be: UInt8 = 0x08
    static let bs: UInt8 = 0x10

    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let ada = PasskeyAccount.user(UserID(42))
    let p256 = SoftAuthenticator(key: .p256(P256.Signing.PrivateKey()))
    let rsa = SoftAuthenticator(key: .rsa(PasskeyTests.rsaKey))

    func ceremony(_ purpose: PasskeyCeremony.Purpose, account: PasskeyAccount? = .user(UserID(42))) -> PasskeyCeremony {
        PasskeyCeremony(purpose: purpose, account: account, challenge: Array(repeating: 0xAB, count: 32), startedAt: now)
    }

    static func clientData(_ type: String, challenge: [UInt8] = Array(repeating: 0xAB, count: 32), origin: String = origin, extra: String = "")
        -> [UInt8]
    {
        Array(#"{"type":"\#(type)","challenge":"\#(SecretToken.base64URL(challenge))","origin":"\#(origin)"\#(extra)}"#.utf8)
    }

    static func attestationObject(format: String = "none", statement: [(Item, Item)] = [], authData: [UInt8]) -> [UInt8] {
        cbor(.map([(.text("fmt"), .text(format)), (.text("attStmt"), .map(statement)), (.text("authData"), .bytes(authData))]))
    }

    func register(
        _ authenticator: SoftAuthenticator, attestationObject: [UInt8]? = nil, clientData: [UInt8] = clientData("webauthn.create"),
        flags: UInt8 = up | uv, ceremony: PasskeyCeremony? = nil, requireUV: Bool = true
    ) -> Result<RegisteredPasskey, PasskeyRefusal> {
        let object = attestationObject ?? Self.attestationObject(authData: authenticator.authenticatorData(flags: flags, attested: true))
        return PasskeyRegistration.verify(
            attestationObject: object, clientDataJSON: clientData, ceremony: ceremony ?? self.ceremony(.registration),
            relyingParty: Self.relyingParty,
            requireUserVerification: requireUV)
    }

    func stored(_ authenticator: SoftAuthenticator, signCount: UInt32 = 0, backupEligible: Bool = false) -> StoredPasskey {
        StoredPasskey(
            credentialID: authenticator.credentialID, owner: ada, userHandle: Array(repeating: 0x11, count: 16), publicKey: authenticator.coseKey,
            signCount: signCount, backupEligible: backupEligible)
    }

    /// A sign-in answered by `authenticator`; `authData`, `clientData` and `signature` replace the good ones.
    func signIn(
        _ authenticator: SoftAuthenticator, flags: UInt8 = up | uv, signCount: UInt32 = 7, authData: [UInt8]? = nil,
        clientData: [UInt8] = clientData("webauthn.get"), signature: [UInt8]? = nil, userHandle: [UInt8]? = Array(repeating: 0x11, count: 16),
        credential: StoredPasskey? = nil, ceremony: PasskeyCeremony? = nil, requireUV: Bool = true
    ) -> Result<VerifiedPasskeyAssertion, PasskeyRefusal> {
        let data = authData ?? authenticator.authenticatorData(flags: flags, signCount: signCount)
        return PasskeyAssertion.verify(
            authenticatorData: data, clientDataJSON: clientData, signature: signature ?? authenticator.sign(data + Self.sha256(clientData)),
            userHandle: userHandle, credential: credential ?? stored(authenticator, signCount: 3), ceremony: ceremony ?? self.ceremony(.signIn),
            relyingParty: Self.relyingParty, requireUserVerification: requireUV)
    }

    // MARK: CBOR

    @Test func theCBORReaderReadsWhatWebAuthnUses() throws {
        let bytes = Self.cbor(
            .map([
                (.int(1), .int(-257)), (.text("a"), .array([.bytes([1, 2]), .text("é"), .raw([0xF4]), .raw([0xF5]), .raw([0xF6])])),
                (.int(-3), .int(Int64.max)), (.int(4), .int(Int64.min)),
            ]))
        let value = try CBORDecoder.decode(bytes)
        #expect(value[1] == .int(-257))
        #expect(value["a"] == .array([.bytes([1, 2]), .text("é"), .bool(false), .bool(true), .null]))
        #expect(value[-3] == .int(Int64.max) && value[4] == .int(Int64.min))
        // A longer head than needed reads the same (not the preferred serialisation, but unambiguous).
        #expect(try CBORDecoder.decode([0x19, 0x00, 0x05]) == .int(5))
        #expect(try CBORDecoder.decodeItem([0x01, 0x02], at: 1) == (.int(2), 2))
    }

    @Test func theCBORReaderRefusesWhatItMustNeverGuess() {
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "unexpected end"),
            ("truncated head", [0x19, 0x01], "unexpected end"),
            ("truncated byte string", [0x45, 1, 2], "string of 5 bytes in 2"),
            ("truncated map", Self.cbor(.map([(.int(1), .int(2))])).dropLast().map { $0 }, "map of 1 entries in 1 bytes"),
            (
                "a map cut inside its last value", Self.cbor(.map([(.int(1), .int(2)), (.int(3), .int(500))])).dropLast().map { $0 },
                "unexpected end in an item's head"
            ),
            ("a length beyond the input, before any allocation", [0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "string of"),
            ("an element count beyond the input", [0x9B, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00], "array of 4294967296 items"),
            ("an entry count beyond the input", [0xBA, 0x7F, 0xFF, 0xFF, 0xFF, 0x01], "map of 2147483647 entries"),
            ("indefinite byte string", [0x5F, 0x41, 0x00, 0xFF], "indefinite length"),
            ("indefinite array", [0x9F, 0x01, 0xFF], "indefinite length"),
            ("indefinite map", [0xBF, 0x01, 0x02, 0xFF], "indefinite length"),
            ("a tag", [0xC0, 0x60], "tag 0"),
            ("a half float", [0xF9, 0x3C, 0x00], "floating-point"),
            ("a double", [0xFB, 0, 0, 0, 0, 0, 0, 0, 0], "floating-point"),
            ("undefined", [0xF7], "simple value 23"),
            ("a lone break", [0xFF], "break"),
            ("reserved additional information", [0x1C], "reserved"),
            ("an integer beyond 64 bits signed", [0x1B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], "beyond 64 bits"),
            ("a duplicate map key", Self.cbor(.map([(.int(3), .int(-7)), (.int(3), .int(-257))])), "duplicate map key"),
            ("a duplicate text key", Self.cbor(.map([(.text("fmt"), .text("none")), (.text("fmt"), .text("packed"))])), "duplicate map key"),
            ("a byte-string map key", Self.cbor(.map([(.bytes([1]), .int(1))])), "neither an integer nor text"),
            ("invalid UTF-8", [0x62, 0xC3, 0x28], "invalid UTF-8"),
            ("trailing data", [0x01, 0x02], "1 bytes after the item"),
            ("nesting deeper than the limit", Array(repeating: 0x81, count: 9) + [0x01], "nested too deeply"),
        ]
        for (name, bytes, reason) in cases {
            do {
                let value = try CBORDecoder.decode(bytes)
                Issue.record("\(name): accepted as \(value)")
            } catch {
                #expect(error.reason.contains(reason), "\(name): \(error.reason)")
            }
        }
        #expect((try? CBORDecoder.decode(Array(repeating: 0x81, count: 8) + [0x01])) != nil, "eight levels are allowed")
    }

    // MARK: COSE keys

    @Test func coseKeysAreES256OrRS256OfAtLeast2048Bits() throws {
        guard case .es256 = try PasskeyPublicKey(cose: p256.coseKey) else { throw Refused.wrongKind }
        guard case .rs256 = try PasskeyPublicKey(cose: rsa.coseKey) else { throw Refused.wrongKind }
        let smallKey = Self.cbor(
            .map([
                (.int(1), .int(3)), (.int(3), .int(-257)), (.int(-1), .bytes([0x80] + Array(repeating: 0xFF, count: 127))),
                (.int(-2), .bytes([1, 0, 1])),
            ]))
        func changed(_ entries: [(Item, Item)], _ label: Int64, _ value: Item?) -> [UInt8] {
            var entries = entries.filter { if case .int(label) = $0.0 { false } else { true } }
            if let value { entries.append((.int(label), value)) }
            return Self.cbor(.map(entries))
        }
        let ec = p256.coseEntries
        let cases: [(String, [UInt8], String)] = [
            (
                "EdDSA",
                Self.cbor(.map([(.int(1), .int(1)), (.int(3), .int(-8)), (.int(-1), .int(6)), (.int(-2), .bytes(Array(repeating: 1, count: 32)))])),
                "OKP"
            ),
            ("ES384 on an EC2 key", changed(ec, 3, .int(-35)), "algorithm -35"),
            ("P-384", changed(ec, -1, .int(2)), "P-256"),
            ("no alg", changed(ec, 3, nil), "no algorithm"),
            ("a compressed point", changed(ec, -3, .raw([0xF5])), "compressed"),
            ("a point off the curve", changed(ec, -3, .bytes(Array(repeating: 7, count: 32))), "not on the curve"),
            ("a private key", changed(ec, -4, .bytes(Array(repeating: 1, count: 32))), "private key"),
            ("RSA of 1024 bits", smallKey, "1024 bits"),
            ("PS256 on an RSA key", changed(rsa.coseEntries, 3, .int(-37)), "algorithm -37"),
            ("key type 4 (symmetric)", Self.cbor(.map([(.int(1), .int(4)), (.int(3), .int(5))])), "key type 4"),
        ]
        for (name, bytes, reason) in cases {
            do {
                _ = try PasskeyPublicKey(cose: bytes)
                Issue.record("\(name) accepted")
            } catch {
                guard case .unsupportedKey(let detail) = error, detail.contains(reason) else {
                    Issue.record("\(name): \(error)")
                    continue
                }
            }
        }
        #expect(throws: PasskeyRefusal.self) { try PasskeyPublicKey(cose: [0xA1, 0x01]) }
    }

    enum Refused: Error { case wrongKind }

    // MARK: Authenticator data

    @Test func authenticatorDataIsReadFieldByField() throws {
        let extensions = Self.cbor(.map([(.text("credProtect"), .int(2))]))
        let data = try AuthenticatorData(
            p256.authenticatorData(flags: Self.up | Self.be | Self.bs, signCount: 0x0102_0304, attested: true, extensions: extensions))
        #expect(data.rpIDHash == Self.sha256(Array(Self.rpID.utf8)))
        #expect(data.flags == [.userPresent, .backupEligible, .backedUp, .attestedCredentialData, .extensionData])
        #expect(data.signCount == 0x0102_0304)
        #expect(data.attestedCredential?.credentialID == p256.credentialID)
        #expect(data.attestedCredential?.aaguid == Array(0..<16))
        #expect(data.attestedCredential?.publicKey == p256.coseKey)

        var longID = p256
        longID.credentialID = Array(repeating: 9, count: 1024)
        let cases: [(String, [UInt8], String)] = [
            ("36 bytes", Array(p256.authenticatorData(flags: Self.up).dropLast()), "shorter than 37"),
            ("BS without BE", p256.authenticatorData(flags: Self.up | Self.bs), "not backup eligible"),
            ("a byte after the data", p256.authenticatorData(flags: Self.up) + [0], "1 bytes after"),
            ("AT set, nothing follows", p256.authenticatorData(flags: Self.up | 0x40), "cut short"),
            ("a credential id of 1024 bytes", longID.authenticatorData(flags: Self.up, attested: true), "longer than 1023"),
            ("a key cut short", Array(p256.authenticatorData(flags: Self.up, attested: true).dropLast()), "credential public key"),
            ("a key that is not a map", p256.authenticatorData(flags: Self.up, attested: true, coseKey: [0x01]), "not a CBOR map"),
            ("ED set, no extensions", p256.authenticatorData(flags: Self.up | 0x80), "extension outputs"),
            ("extensions not a map", p256.authenticatorData(flags: Self.up, extensions: [0x80]), "not a CBOR map"),
            ("bytes after the extensions", p256.authenticatorData(flags: Self.up, extensions: [0xA0, 0x00]), "1 bytes after"),
        ]
        for (name, bytes, reason) in cases {
            do {
                _ = try AuthenticatorData(bytes)
                Issue.record("\(name) accepted")
            } catch {
                guard case .malformed(let detail) = error, detail.contains(reason) else {
                    Issue.record("\(name): \(error)")
                    continue
                }
            }
        }
    }

    // MARK: Registration

    @Test func aNoneAttestationRegistersAnES256Passkey() throws {
        let registered = try register(p256, flags: Self.up | Self.uv | Self.be).get()
        #expect(registered.credentialID == p256.credentialID)
        #expect(registered.publicKey == p256.coseKey && registered.coseAlgorithm == -7)
        #expect(registered.signCount == 0 && registered.backupEligible && !registered.backedUp && registered.userVerified)
        #expect(registered.aaguid == Array(0..<16) && registered.attestationFormat == "none")
    }

    @Test func anRS256PasskeyRegistersAndSignsIn() throws {
        let registered = try register(rsa).get()
        #expect(registered.coseAlgorithm == -257)
        let verified = try signIn(rsa, credential: stored(rsa, signCount: 3)).get()
        #expect(verified.signCount == 7 && verified.userVerified && verified.account == ada)
    }

    @Test func aPackedSelfAttestationIsCheckedWithTheCredentialsOwnKey() throws {
        let authData = p256.authenticatorData(flags: Self.up | Self.uv, attested: true)
        let clientData = Self.clientData("webauthn.create")
        let good = p256.sign(authData + Self.sha256(clientData))
        func packed(_ statement: [(Item, Item)]) -> [UInt8] { Self.attestationObject(format: "packed", statement: statement, authData: authData) }

        #expect(
            try register(p256, attestationObject: packed([(.text("alg"), .int(-7)), (.text("sig"), .bytes(good))])).get().attestationFormat
                == "packed")
        let other = SoftAuthenticator(key: .p256(P256.Signing.PrivateKey())).sign(authData + Self.sha256(clientData))
        #expect(
            register(p256, attestationObject: packed([(.text("alg"), .int(-7)), (.text("sig"), .bytes(other))])) == .failure(.badAttestationSignature)
        )
        #expect(
            register(p256, attestationObject: packed([(.text("alg"), .int(-257)), (.text("sig"), .bytes(good))]))
                == .failure(.badAttestationSignature))
        #expect(
            register(
                p256, attestationObject: packed([(.text("alg"), .int(-7)), (.text("sig"), .bytes(good)), (.text("x5c"), .array([.bytes([0x30])]))]))
                == .failure(.attestationNotSupported("packed with a certificate chain")))
    }

    @Test func everyRegistrationAttackIsRefusedWithItsReason() {
        let authData = p256.authenticatorData(flags: Self.up | Self.uv, attested: true)
        let ed25519 = Self.cbor(
            .map([(.int(1), .int(1)), (.int(3), .int(-8)), (.int(-1), .int(6)), (.int(-2), .bytes(Array(repeating: 1, count: 32)))]))
        let goodObject = Self.attestationObject(authData: authData)
        let cases: [(String, Result<RegisteredPasskey, PasskeyRefusal>, PasskeyRefusal)] = [
            ("a sign-in's challenge", register(p256, ceremony: ceremony(.signIn)), .wrongCeremony),
            (
                "another origin", register(p256, clientData: Self.clientData("webauthn.create", origin: "https://evil.example")),
                .wrongOrigin("https://evil.example")
            ),
            (
                "an origin differing in case",
                register(p256, clientData: Self.clientData("webauthn.create", origin: "https://ID.catalystwells.example")),
                .wrongOrigin("https://ID.catalystwells.example")
            ),
            ("a get's client data", register(p256, clientData: Self.clientData("webauthn.get")), .wrongType),
            (
                "another challenge", register(p256, clientData: Self.clientData("webauthn.create", challenge: Array(repeating: 0xAC, count: 32))),
                .challengeMismatch
            ),
            ("a cross-origin frame", register(p256, clientData: Self.clientData("webauthn.create", extra: #","crossOrigin":true"#)), .crossOrigin),
            (
                "token binding present",
                register(p256, clientData: Self.clientData("webauthn.create", extra: #","tokenBinding":{"status":"present","id":"x"}"#)),
                .tokenBindingNotSupported
            ),
            (
                "another RP id",
                register(
                    p256,
                    attestationObject: Self.attestationObject(
                        authData: p256.authenticatorData(rpID: "evil.example", flags: Self.up | Self.uv, attested: true))),
                .wrongRelyingParty
            ),
            ("UP missing", register(p256, flags: Self.uv), .userNotPresent),
            ("UV missing when required", register(p256, flags: Self.up), .userNotVerified),
            (
                "AT missing", register(p256, attestationObject: Self.attestationObject(authData: p256.authenticatorData(flags: Self.up | Self.uv))),
                .noCredentialData
            ),
            (
                "an EdDSA key",
                register(
                    p256,
                    attestationObject: Self.attestationObject(
                        authData: p256.authenticatorData(flags: Self.up | Self.uv, attested: true, coseKey: ed25519))),
                .unsupportedKey("OKP key (EdDSA) with algorithm -8")
            ),
            (
                "fido-u2f", register(p256, attestationObject: Self.attestationObject(format: "fido-u2f", authData: authData)),
                .attestationNotSupported("fido-u2f")
            ),
            (
                "none with a statement",
                register(p256, attestationObject: Self.attestationObject(statement: [(.text("sig"), .bytes([1]))], authData: authData)),
                .malformed("attestation format none with a statement")
            ),
            (
                "truncated", register(p256, attestationObject: Array(goodObject.dropLast())),
                .malformed("attestation object: string of 164 bytes in 163")
            ),
            (
                "a duplicate key",
                register(
                    p256,
                    attestationObject: Self.cbor(
                        .map([
                            (.text("fmt"), .text("none")), (.text("attStmt"), .map([])), (.text("authData"), .bytes(authData)),
                            (.text("fmt"), .text("packed")),
                        ]))),
                .malformed("attestation object: duplicate map key")
            ),
            (
                "indefinite length", register(p256, attestationObject: [0xBF] + goodObject.dropFirst() + [0xFF]),
                .malformed("attestation object: indefinite length")
            ),
            (
                "no authData", register(p256, attestationObject: Self.cbor(.map([(.text("fmt"), .text("none")), (.text("attStmt"), .map([]))]))),
                .malformed("attestation object without fmt, attStmt and authData")
            ),
        ]
        for (name, result, refusal) in cases {
            #expect(result == .failure(refusal), "\(name)")
        }
        #expect((try? register(p256, flags: Self.up, requireUV: false).get()) != nil, "UV is not required by this policy")
        #expect(
            (try? register(p256, clientData: Self.clientData("webauthn.create", extra: #","crossOrigin":false,"other_keys_can_be_added_here":"x""#))
                .get()) != nil)
    }

    // MARK: Sign-in

    @Test func aSignInReturnsTheNewCounterAndFlags() throws {
        let verified = try signIn(p256, flags: Self.up | Self.uv | Self.be | Self.bs, credential: stored(p256, signCount: 3, backupEligible: true))
            .get()
        #expect(verified.account == ada && verified.signCount == 7 && verified.backedUp && verified.userVerified)
        // A synced passkey without a counter: 0 after 0 is fine.
        #expect((try? signIn(p256, signCount: 0, credential: stored(p256, signCount: 0)).get())?.signCount == 0)
        // A sign-in without a username: the user handle names the account.
        #expect((try? signIn(p256, ceremony: ceremony(.signIn, account: nil)).get())?.account == ada)
    }

    @Test func everySignInAttackIsRefusedWithItsReason() {
        let good = p256.authenticatorData(flags: Self.up | Self.uv, signCount: 7)
        let clientData = Self.clientData("webauthn.get")
        var flipped = p256.sign(good + Self.sha256(clientData))
        flipped[flipped.count - 1] ^= 1
        let cases: [(String, Result<VerifiedPasskeyAssertion, PasskeyRefusal>, PasskeyRefusal)] = [
            ("a registration's challenge", signIn(p256, ceremony: ceremony(.registration)), .wrongCeremony),
            (
                "another account's passkey", signIn(p256, ceremony: ceremony(.signIn, account: .developer(DeveloperID(42)))),
                .wrongAccount("the passkey of another account than the one named")
            ),
            ("another user handle", signIn(p256, userHandle: [1, 2, 3]), .wrongAccount("user handle differs")),
            (
                "no user handle without a username", signIn(p256, userHandle: nil, ceremony: ceremony(.signIn, account: nil)),
                .wrongAccount("no user handle in a sign-in without a username")
            ),
            (
                "another origin", signIn(p256, clientData: Self.clientData("webauthn.get", origin: "https://id.catalystwells.example.evil.example")),
                .wrongOrigin("https://id.catalystwells.example.evil.example")
            ),
            ("a create's client data", signIn(p256, clientData: Self.clientData("webauthn.create")), .wrongType),
            (
                "another challenge", signIn(p256, clientData: Self.clientData("webauthn.get", challenge: Array(repeating: 0xAB, count: 31))),
                .challengeMismatch
            ),
            (
                "a challenge that is not base64url",
                signIn(p256, clientData: Array(#"{"type":"webauthn.get","challenge":"q6ur+w==","origin":"https://id.catalystwells.example"}"#.utf8)),
                .challengeMismatch
            ),
            (
                "a duplicate origin member", signIn(p256, clientData: Self.clientData("webauthn.get", extra: #","origin":"https://evil.example""#)),
                .malformed("client data: duplicate member \"origin\"")
            ),
            ("a cross-origin frame", signIn(p256, clientData: Self.clientData("webauthn.get", extra: #","crossOrigin":true"#)), .crossOrigin),
            (
                "another RP id", signIn(p256, authData: p256.authenticatorData(rpID: "evil.example", flags: Self.up | Self.uv, signCount: 7)),
                .wrongRelyingParty
            ),
            ("UP missing", signIn(p256, flags: Self.uv), .userNotPresent),
            ("UV missing when required", signIn(p256, flags: Self.up), .userNotVerified),
            ("BE appeared", signIn(p256, flags: Self.up | Self.uv | Self.be), .backupEligibilityChanged),
            ("a flipped signature bit", signIn(p256, authData: good, signature: flipped), .badSignature),
            (
                "another key's signature", signIn(p256, credential: stored(SoftAuthenticator(key: .p256(P256.Signing.PrivateKey())), signCount: 3)),
                .badSignature
            ),
            (
                "a raw (not DER) ES256 signature",
                signIn(p256, authData: good, signature: Array(try! P256.Signing.PrivateKey().signature(for: good).rawRepresentation)), .badSignature
            ),
            ("an RSA signature for an EC key", signIn(p256, authData: good, signature: rsa.sign(good + Self.sha256(clientData))), .badSignature),
            (
                "the counter went backwards", signIn(p256, signCount: 2, credential: stored(p256, signCount: 3)),
                .counterWentBackwards(stored: 3, received: 2)
            ),
            (
                "the counter stood still", signIn(p256, signCount: 3, credential: stored(p256, signCount: 3)),
                .counterWentBackwards(stored: 3, received: 3)
            ),
            (
                "the counter fell to 0", signIn(p256, signCount: 0, credential: stored(p256, signCount: 3)),
                .counterWentBackwards(stored: 3, received: 0)
            ),
            (
                "an unsupported stored key",
                signIn(
                    p256,
                    credential: StoredPasskey(
                        credentialID: [1], owner: ada, userHandle: Array(repeating: 0x11, count: 16), publicKey: [0xA0], signCount: 0,
                        backupEligible: false)), .unsupportedKey("no key type")
            ),
        ]
        for (name, result, refusal) in cases {
            #expect(result == .failure(refusal), "\(name)")
        }
        #expect((try? signIn(p256, flags: Self.up, requireUV: false).get()) != nil, "UV is not required by this policy")
    }

    @Test func aReplayedAssertionIsRefusedOnceTheCounterIsStored() throws {
        let data = p256.authenticatorData(flags: Self.up | Self.uv, signCount: 8)
        let clientData = Self.clientData("webauthn.get")
        let signature = p256.sign(data + Self.sha256(clientData))
        var credential = stored(p256, signCount: 3)
        let first = try signIn(p256, authData: data, signature: signature, credential: credential).get()
        credential.signCount = first.signCount
        #expect(signIn(p256, authData: data, signature: signature, credential: credential) == .failure(.counterWentBackwards(stored: 8, received: 8)))
    }

    // MARK: The ceremony cookie

    @Test func aCeremonyOpensOnlyUnderItsKeyUnchangedAndInTime() throws {
        let key = SymmetricKey(data: Array(repeating: 5, count: 32))
        var generator = SystemRandomNumberGenerator()
        let started = PasskeyCeremony.startSignIn(for: .developer(DeveloperID(9)), now: now, using: &generator)
        #expect(started.challenge.count == 32 && Base64URL.decode(started.challengeBase64URL) == started.challenge)
        #expect(started.expiresAt == now + 300 && started.replayKey == Self.sha256(started.challenge))
        let cookie = try started.sealed(key: key, using: &generator)
        #expect(!cookie.contains(started.challengeBase64URL))
        #expect(PasskeyCeremony.open(cookie, key: key, now: now + 30) == started)
        #expect(PasskeyCeremony.open(cookie, key: SymmetricKey(data: Array(repeating: 6, count: 32)), now: now) == nil)
        #expect(PasskeyCeremony.open(cookie, key: key, now: now + PasskeyCeremony.lifetime + 1) == nil)
        #expect(PasskeyCeremony.open(cookie, key: key, now: now - 120) == nil)
        var edited = Array(cookie)
        edited[10] = edited[10] == "A" ? "B" : "A"
        #expect(PasskeyCeremony.open(String(edited), key: key, now: now) == nil)
        #expect(PasskeyCeremony.open(nil, key: key, now: now) == nil)

        let usernameless = PasskeyCeremony.startSignIn(for: nil, now: now, using: &generator)
        #expect(PasskeyCeremony.open(try usernameless.sealed(key: key, using: &generator), key: key, now: now) == usernameless)
        let registration = PasskeyCeremony.startRegistration(for: ada, now: now, using: &generator)
        #expect(PasskeyCeremony.open(try registration.sealed(key: key, using: &generator), key: key, now: now) == registration)
        #expect(registration.challenge != usernameless.challenge)
        // A registration without an account cannot be sealed by this code, and is not opened if forged.
        let orphan = PasskeyCeremony(purpose: .registration, account: nil, challenge: registration.challenge, startedAt: now)
        #expect(PasskeyCeremony.open(try orphan.sealed(key: key, using: &generator), key: key, now: now) == nil)
    }

    @Test func refusalsSayWhatHappenedWithoutQuotingTheBrowser() {
        #expect(PasskeyRefusal.counterWentBackwards(stored: 3, received: 2).message.contains("counter went backwards"))
        #expect(PasskeyRefusal.counterWentBackwards(stored: 3, received: 2).logReason.contains("cloned"))
        #expect(!PasskeyRefusal.wrongOrigin("https://evil.example").message.contains("evil"))
        #expect(PasskeyRefusal.wrongOrigin("https://evil.example").logReason == "wrong origin https://evil.example")
        #expect(PasskeyRefusal.userNotPresent.logReason == "userNotPresent")
    }

    // MARK: W3C WebAuthn Level 3 §16.2, "ES256 Credential with No Attestation"

    /// The published vector's bytes (RP id `example.org`, origin `https://example.org`); its authenticator data
    /// has UP, BE and BS but not UV, and a counter of 0 in both ceremonies.
    enum W3CVector {
        static let registrationChallenge = "00c30fb78531c464d2b6771dab8d7b603c01162f2fa486bea70f283ae556e130"
        static let registrationClientData =
            "7b2274797065223a22776562617574686e2e637265617465222c226368616c6c656e6765223a22414d4d507434557878475453746e63647134313759447742466938767049612d7077386f4f755657345441222c226f726967696e223a2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a66616c73652c22657874726144617461223a22636c69656e74446174614a534f4e206d617920626520657874656e6465642077697468206164646974696f6e616c206669656c647320696e20746865206675747572652c207375636820617320746869733a20426b5165446a646354427258426941774a544c453551227d"
        static let attestationObject =
            "a363666d74646e6f6e656761747453746d74a068617574684461746158a4bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b559000000008446ccb9ab1db374750b2367ff6f3a1f0020f91f391db4c9b2fde0ea70189cba3fb63f579ba6122b33ad94ff3ec330084be4a5010203262001215820afefa16f97ca9b2d23eb86ccb64098d20db90856062eb249c33a9b672f26df61225820930a56b87a2fca66334b03458abf879717c12cc68ed73290af2e2664796b9220"
        static let credentialID = "f91f391db4c9b2fde0ea70189cba3fb63f579ba6122b33ad94ff3ec330084be4"
        static let aaguid = "8446ccb9ab1db374750b2367ff6f3a1f"
        static let authenticationChallenge = "39c0e7521417ba54d43e8dc95174f423dee9bf3cd804ff6d65c857c9abf4d408"
        static let authenticatorData = "bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b51900000000"
        static let authenticationClientData =
            "7b2274797065223a22776562617574686e2e676574222c226368616c6c656e6765223a224f63446e55685158756c5455506f334a5558543049393770767a7a59425039745a63685879617630314167222c226f726967696e223a2268747470733a2f2f6578616d706c652e6f7267222c2263726f73734f726967696e223a66616c73657d"
        static let signature =
            "3046022100f50a4e2e4409249c4a853ba361282f09841df4dd4547a13a87780218deffcd380221008480ac0f0b93538174f575bf11a1dd5d78c6e486013f937295ea13653e331e87"
    }

    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    @Test func theW3CTestVectorRegistersAndSignsIn() throws {
        let exampleOrg = PasskeyRelyingParty(id: "example.org", origins: ["https://example.org"])
        let registration = PasskeyCeremony(purpose: .registration, account: ada, challenge: Self.hex(W3CVector.registrationChallenge), startedAt: now)
        let registered = try PasskeyRegistration.verify(
            attestationObject: Self.hex(W3CVector.attestationObject), clientDataJSON: Self.hex(W3CVector.registrationClientData),
            ceremony: registration,
            relyingParty: exampleOrg, requireUserVerification: false
        ).get()
        #expect(registered.credentialID == Self.hex(W3CVector.credentialID) && registered.aaguid == Self.hex(W3CVector.aaguid))
        #expect(
            registered.coseAlgorithm == -7 && registered.signCount == 0 && registered.backupEligible && registered.backedUp
                && !registered.userVerified)
        #expect(
            PasskeyRegistration.verify(
                attestationObject: Self.hex(W3CVector.attestationObject), clientDataJSON: Self.hex(W3CVector.registrationClientData),
                ceremony: registration,
                relyingParty: exampleOrg, requireUserVerification: true) == .failure(.userNotVerified))

        let credential = StoredPasskey(
            credentialID: registered.credentialID, owner: ada, userHandle: [1], publicKey: registered.publicKey, signCount: registered.signCount,
            backupEligible: registered.backupEligible)
        let signInCeremony = PasskeyCeremony(purpose: .signIn, account: ada, challenge: Self.hex(W3CVector.authenticationChallenge), startedAt: now)
        func assert(signature: [UInt8]) -> Result<VerifiedPasskeyAssertion, PasskeyRefusal> {
            PasskeyAssertion.verify(
                authenticatorData: Self.hex(W3CVector.authenticatorData), clientDataJSON: Self.hex(W3CVector.authenticationClientData),
                signature: signature,
                userHandle: nil, credential: credential, ceremony: signInCeremony, relyingParty: exampleOrg, requireUserVerification: false)
        }
        let verified = try assert(signature: Self.hex(W3CVector.signature)).get()
        #expect(verified.account == ada && verified.signCount == 0 && verified.backedUp && !verified.userVerified)
        var forged = Self.hex(W3CVector.signature)
        forged[forged.count - 1] ^= 1
        #expect(assert(signature: forged) == .failure(.badSignature))
    }
}
