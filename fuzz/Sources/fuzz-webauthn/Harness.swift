import Crypto
import Foundation
import FuzzSupport

@testable import Domain

/// What passkeys (issue 16) read from a browser: CBOR, authenticator data, attestation objects, client data,
/// assertions, and the sealed ceremony cookie. The W3C WebAuthn Level 3 §16.2 vector (RP id `example.org`) is the
/// fixed context, so a mutation of its bytes starts from a response that verifies.
///
/// Input: one selector byte (modulo 6), then the bytes of that mode (binary fields contain NULs, so no NUL split):
/// 0. `CBORDecoder.decode`; what it accepts is written again (canonically, here) and reads back the same;
/// 1. `AuthenticatorData`; an accepted one keeps the §6.1 rules (id ≤ 1023 bytes, 16-byte AAGUID, a key that is
///    one CBOR map, no BS without BE, nothing left over);
/// 2. `PasskeyRegistration.verify` of the bytes as attestation object with the vector's client data; a passkey
///    accepted was user-present, for example.org, with a key that reads again;
/// 3. the vector's attestation object with the bytes as client data; accepted client data has our type, origin
///    and challenge;
/// 4. `PasskeyAssertion.verify`: two length bytes, authenticator data, signature, with the vector's client data;
///    nothing verifies under our own key (its private key is not in the input), and under the vector's key a
///    sign-in accepted has UP and a counter that obeys the rule;
/// 5. `PasskeyCeremony.open` of the bytes as a cookie: no forged cookie opens.
let relyingParty = PasskeyRelyingParty(id: "example.org", origins: ["https://example.org"])
let now = Date(timeIntervalSince1970: 1_800_000_000)
let account = PasskeyAccount.user(UserID(1))
let registrationCeremony = PasskeyCeremony(
    purpose: .registration, account: account, challenge: hex("00c30fb78531c464d2b6771dab8d7b603c01162f2fa486bea70f283ae556e130"), startedAt: now)
let signInCeremony = PasskeyCeremony(
    purpose: .signIn, account: account, challenge: hex("39c0e7521417ba54d43e8dc95174f423dee9bf3cd804ff6d65c857c9abf4d408"), startedAt: now)
let registrationClientData = Array(
    #"{"type":"webauthn.create","challenge":"AMMPt4UxxGTStncdq417YDwBFi8vpIa-pw8oOuVW4TA","origin":"https://example.org","crossOrigin":false,"extraData":"clientDataJSON may be extended with additional fields in the future, such as this: BkQeDjdcTBrXBiAwJTLE5Q"}"#
        .utf8)
let signInClientData = Array(
    #"{"type":"webauthn.get","challenge":"OcDnUhQXulTUPo3JUXT0I97pvzzYBP9tZchXyav01Ag","origin":"https://example.org","crossOrigin":false}"#.utf8)
let vectorAttestationObject = hex(
    "a363666d74646e6f6e656761747453746d74a068617574684461746158a4bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b559000000008446ccb9ab1db374750b2367ff6f3a1f0020f91f391db4c9b2fde0ea70189cba3fb63f579ba6122b33ad94ff3ec330084be4a5010203262001215820afefa16f97ca9b2d23eb86ccb64098d20db90856062eb249c33a9b672f26df61225820930a56b87a2fca66334b03458abf879717c12cc68ed73290af2e2664796b9220"
)
let vectorKey = hex(
    "a5010203262001215820afefa16f97ca9b2d23eb86ccb64098d20db90856062eb249c33a9b672f26df61225820930a56b87a2fca66334b03458abf879717c12cc68ed73290af2e2664796b9220"
)
let ourKey: [UInt8] = {
    let point = Array(try! P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32)).publicKey.x963Representation)
    return encode(.map([1: .int(2), 3: .int(-7), -1: .int(1), -2: .bytes(Array(point[1..<33])), -3: .bytes(Array(point[33..<65]))]))
}()
let cookieKey = SymmetricKey(data: [UInt8](repeating: 3, count: 32))

func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.utf8)
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
}

/// A canonical CBOR writer for the round trip (the product only reads CBOR).
func encode(_ value: CBORValue) -> [UInt8] {
    func head(_ major: UInt8, _ argument: UInt64) -> [UInt8] {
        switch argument {
        case 0..<24: return [major << 5 | UInt8(argument)]
        case 24..<0x100: return [major << 5 | 24, UInt8(argument)]
        case 0x100..<0x1_0000: return [major << 5 | 25] + (0..<2).reversed().map { UInt8(truncatingIfNeeded: argument >> (8 * UInt64($0))) }
        case 0x1_0000..<0x1_0000_0000: return [major << 5 | 26] + (0..<4).reversed().map { UInt8(truncatingIfNeeded: argument >> (8 * UInt64($0))) }
        default: return [major << 5 | 27] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: argument >> (8 * UInt64($0))) }
        }
    }
    func key(_ key: CBORMapKey) -> CBORValue {
        switch key {
        case .int(let number): .int(number)
        case .text(let text): .text(text)
        }
    }
    switch value {
    case .int(let number): return number >= 0 ? head(0, UInt64(number)) : head(1, UInt64(-1 - number))
    case .bytes(let bytes): return head(2, UInt64(bytes.count)) + bytes
    case .text(let text): return head(3, UInt64(text.utf8.count)) + Array(text.utf8)
    case .array(let elements): return head(4, UInt64(elements.count)) + elements.flatMap(encode)
    case .map(let entries):
        return head(5, UInt64(entries.count))
            + entries.map { (encode(key($0.key)), encode($0.value)) }.sorted { $0.0.lexicographicallyPrecedes($1.0) }
            .flatMap { $0.0 + $0.1 }
    case .bool(let flag): return [flag ? 0xF5 : 0xF4]
    case .null: return [0xF6]
    }
}

func stored(_ key: [UInt8], signCount: UInt32) -> StoredPasskey {
    StoredPasskey(credentialID: [1], owner: account, userHandle: [1], publicKey: key, signCount: signCount, backupEligible: true)
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = FuzzInput.bytes(data, size)
    guard let selector = input.first else { return 0 }
    let bytes = Array(input.dropFirst())
    switch selector % 6 {
    case 0:
        if let value = try? CBORDecoder.decode(bytes) {
            fuzzRequire((try? CBORDecoder.decode(encode(value))) == value, "a CBOR item read back differently after writing it")
        }
    case 1:
        if let authData = try? AuthenticatorData(bytes) {
            fuzzRequire(authData.rpIDHash.count == 32 && authData.bytes == bytes, "authenticator data fields")
            fuzzRequire(authData.flags.contains(.backupEligible) || !authData.flags.contains(.backedUp), "BS without BE accepted")
            fuzzRequire((authData.attestedCredential != nil) == authData.flags.contains(.attestedCredentialData), "AT and the credential disagree")
            if let credential = authData.attestedCredential {
                fuzzRequire(credential.aaguid.count == 16 && (1...1023).contains(credential.credentialID.count), "credential id or AAGUID size")
                fuzzRequire((try? CBORDecoder.decode(credential.publicKey))?.mapValue != nil, "a credential key that is not one CBOR map")
            }
        }
    case 2:
        if case .success(let passkey) = PasskeyRegistration.verify(
            attestationObject: bytes, clientDataJSON: registrationClientData, ceremony: registrationCeremony, relyingParty: relyingParty,
            requireUserVerification: false)
        {
            fuzzRequire(
                (try? PasskeyPublicKey(cose: passkey.publicKey))?.coseAlgorithm == passkey.coseAlgorithm, "a registered key does not read again")
            fuzzRequire(["none", "packed"].contains(passkey.attestationFormat), "attestation format \(passkey.attestationFormat) accepted")
            let object = try! CBORDecoder.decode(bytes)
            let authData = try! AuthenticatorData(object["authData"]!.bytesValue!)
            fuzzRequire(
                authData.rpIDHash == relyingParty.idHash && authData.flags.contains(.userPresent), "a registration for another RP or without UP")
        }
    case 3:
        if case .success = PasskeyRegistration.verify(
            attestationObject: vectorAttestationObject, clientDataJSON: bytes, ceremony: registrationCeremony, relyingParty: relyingParty,
            requireUserVerification: false)
        {
            let document = try! JSONParser.parse(bytes)
            fuzzRequire(document[member: "type"]?.stringValue == "webauthn.create", "client data of another type accepted")
            fuzzRequire(document[member: "origin"]?.stringValue == "https://example.org", "client data of another origin accepted")
            fuzzRequire(
                document[member: "challenge"]?.stringValue.flatMap(Base64URL.decode) == registrationCeremony.challenge, "another challenge accepted")
        }
    case 4:
        guard bytes.count >= 2 else { return 0 }
        let length = min(Int(bytes[0]) << 8 | Int(bytes[1]), bytes.count - 2)
        let authData = Array(bytes[2..<2 + length])
        let signature = Array(bytes[(2 + length)...])
        func verify(_ key: [UInt8], signCount: UInt32) -> Result<VerifiedPasskeyAssertion, PasskeyRefusal> {
            PasskeyAssertion.verify(
                authenticatorData: authData, clientDataJSON: signInClientData, signature: signature, userHandle: nil,
                credential: stored(key, signCount: signCount),
                ceremony: signInCeremony, relyingParty: relyingParty, requireUserVerification: false)
        }
        if case .success = verify(ourKey, signCount: 0) { fuzzRequire(false, "an assertion the fuzzer wrote verified under our key") }
        for storedCount: UInt32 in [0, 5] {
            if case .success(let verified) = verify(vectorKey, signCount: storedCount) {
                fuzzRequire(verified.signCount > storedCount || (verified.signCount == 0 && storedCount == 0), "the counter rule was broken")
                fuzzRequire(try! AuthenticatorData(authData).flags.contains(.userPresent), "a sign-in without UP")
            }
        }
    default:
        fuzzRequire(PasskeyCeremony.open(FuzzInput.text(bytes), key: cookieKey, now: now) == nil, "a forged ceremony cookie opened")
    }
    return 0
}
