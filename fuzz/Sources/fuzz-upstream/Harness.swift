import Crypto
import Domain
import Foundation
import FuzzSupport

/// What the sign-in with a school's own accounts (issue 14) reads from outside: an upstream provider's ID token,
/// its JWKS and discovery document, and the sealed sign-in ticket cookie a browser sends back.
///
/// Input: `ID token \0 JWKS \0 discovery document \0 ticket cookie`. Properties:
/// - nothing the fuzzer writes verifies under our fixed P-256 key (its private key is not in the input), and a
///   token that verifies under the fuzzer's own JWKS still carries our issuer, audience and nonce;
/// - a discovery document accepted is for the expected issuer, with https endpoints;
/// - no cookie the fuzzer writes opens as a ticket (AES-GCM under a key it does not have);
/// - the JSON reader either refuses a document or reads one whose re-serialisation it reads again the same.
let ourKey = try! P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 7, count: 32)).publicKey
let ourKeys = JSONWebKeySet(keys: ["k1": .p256(ourKey)])
let ticketKey = SymmetricKey(data: [UInt8](repeating: 3, count: 32))
let now = Date(timeIntervalSince1970: 1_800_000_000)
let expected = UpstreamIDTokenExpectations(issuers: ["https://op.example"], clientID: "school-client", nonce: "n-0S6_WzA2Mj", now: now)

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let fields = FuzzInput.fields(FuzzInput.bytes(data, size), count: 4)
    let token = FuzzInput.text(fields[0]) ?? ""
    if case .success = UpstreamIDTokenRules.verify(token, keys: ourKeys, expecting: expected) {
        fuzzRequire(false, "a token the fuzzer wrote verified under our key")
    }
    if let theirs = try? JSONWebKeySet(document: fields[1]),
        case .success(let verified) = UpstreamIDTokenRules.verify(token, keys: theirs, expecting: expected)
    {
        fuzzRequire(verified.issuer == "https://op.example", "a token of another issuer accepted")
        fuzzRequire(verified.claims[member: "nonce"]?.stringValue == "n-0S6_WzA2Mj", "a token with another nonce accepted")
    }
    if case .success(let metadata) = OpenIDProviderMetadata.parse(fields[2], expectedIssuer: "https://op.example") {
        fuzzRequire(metadata.issuer == "https://op.example", "discovery for another issuer accepted")
        for url in [metadata.authorizationEndpoint, metadata.tokenEndpoint, metadata.jwksURI] {
            fuzzRequire(url.lowercased().hasPrefix("https://"), "a non-https endpoint accepted: \(url.debugDescription)")
        }
    }
    fuzzRequire(UpstreamSignInTicket.open(FuzzInput.text(fields[3]), key: ticketKey, now: now) == nil, "a forged ticket opened")
    for document in [fields[1], fields[2]] {
        if let value = try? JSONParser.parse(document) {
            let again = try? JSONParser.parse(value.serialized())
            fuzzRequire(again == value, "a document read back differently after writing it")
        }
    }
    return 0
}
