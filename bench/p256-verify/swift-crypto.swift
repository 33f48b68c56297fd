// One P-256 verification per iteration through swift-crypto, as DPoPPublicKey does it: the key parsed once (a
// worker's DPoPKeyCache keeps it), the raw r || s signature parsed and the SHA-256 of the signing input (one
// contiguous buffer) computed per proof.
import Crypto
import Foundation

let count = max(1, CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1 : 1)
let signer = P256.Signing.PrivateKey()
let key = try P256.Signing.PublicKey(rawRepresentation: signer.publicKey.rawRepresentation)
let input = Array("eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2In0.eyJqdGkiOiJiZW5jaCJ9".utf8)
let signature = try signer.signature(for: input).rawRepresentation
var valid = 0
let start = cpuMicroseconds()
for _ in 0..<count {
    let parsed = try P256.Signing.ECDSASignature(rawRepresentation: signature)
    if key.isValidSignature(parsed, for: input.withUnsafeBytes { SHA256.hash(data: $0) }) { valid += 1 }
}
let perVerification = (cpuMicroseconds() - start) / Double(count)
print(
    "swift-crypto isValidSignature".padding(toLength: 34, withPad: " ", startingAt: 0)
        + " \(String(format: "%6d", valid))/\(count) valid  \(String(format: "%7.1f", perVerification)) us CPU per verification")
exit(valid == count ? 0 : 1)

func cpuMicroseconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return Double(now.tv_sec) * 1e6 + Double(now.tv_nsec) / 1e3
}
