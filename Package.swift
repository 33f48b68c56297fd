// swift-tools-version:6.0
import PackageDescription

/// `CW_FUZZ=1` (set by `fuzz/run.sh`, `make fuzz`) adds the libFuzzer harnesses of `fuzz/Sources`
/// (`fuzz/README.md`). They link only with `-sanitize=fuzzer`, so they cannot be ordinary targets; and SwiftPM
/// links an executable target's code into test bundles only, never into another executable, so `FCGIApp` is then
/// declared as a library, its `@main` renamed so that it does not clash with a harness's entry point. Without
/// the variable the package is exactly the product's.
let fuzzing = Context.environment["CW_FUZZ"] == "1"

let package = Package(
    name: "CatalystWells",
    platforms: [.macOS(.v14)],
    products: fuzzing ? [] : [
        .executable(name: "catalystwells", targets: ["FCGIApp"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CFastCGI",
            pkgConfig: "fcgi",
            providers: [.apt(["libfcgi-dev"])]
        ),
        .systemLibrary(
            name: "CMariaDB",
            pkgConfig: "libmariadb",
            providers: [.apt(["libmariadb-dev"])]
        ),
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .systemLibrary(
            name: "CQREncode",
            pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // OpenLDAP's client library: sign-in against a school's LDAP directory or Active Directory (issue 15).
        .systemLibrary(
            name: "CLDAP",
            pkgConfig: "ldap",
            providers: [.apt(["libldap-dev"])]
        ),
        .systemLibrary(
            name: "CZBar",
            pkgConfig: "zbar",
            providers: [.apt(["libzbar-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "CXMLSec",
            pkgConfig: "xmlsec1-openssl",
            providers: [.apt(["libxml2-dev", "libxmlsec1-dev", "libxmlsec1-openssl"])]
        ),
        .target(
            name: "Domain",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                // RSA (RS256 ID tokens) lives in swift-crypto's extras module.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "MariaStore",
            dependencies: ["Domain", "CMariaDB"]
        ),
        // Wrappers over Debian's C libraries other than the database and FastCGI ones: argon2id password
        // hashing from libsodium, zip reading with zlib's inflate, QR codes (TOTP enrolment) from
        // libqrencode, QR reading (the badge page's camera frames) from libzbar, outbound HTTPS (webhook delivery)
        // from libcurl, LDAP directories from libldap, and SAML's XML parsing, signatures and decryption from libxml2
        // and libxmlsec1.
        .target(
            name: "Native",
            dependencies: ["Domain", "CSodium", "CZlib", "CQREncode", "CCurl", "CZBar", "CLDAP", "CXMLSec"]
        ),
        fuzzing
            ? .target(
                name: "FCGIApp", dependencies: appDependencies,
                swiftSettings: [.unsafeFlags(["-Xfrontend", "-entry-point-function-name", "-Xfrontend", "catalystwells_main"])])
            : .executableTarget(name: "FCGIApp", dependencies: appDependencies),
        // In-memory twins of the stores, for route tests without a database; the conformance suite in
        // MariaStoreTests runs the same cases against them and the MariaDB stores.
        .target(name: "StoreTwins", dependencies: ["Domain"], path: "Tests/StoreTwins"),
        .testTarget(name: "DomainTests", dependencies: ["Domain", "StoreTwins"]),
        .testTarget(name: "MariaStoreTests", dependencies: ["MariaStore", "Domain", "StoreTwins"]),
        .testTarget(name: "NativeTests", dependencies: ["Native", "Domain"]),
        .testTarget(name: "FCGIAppTests", dependencies: ["FCGIApp", "Domain", "MariaStore", "Native", "StoreTwins"]),
    ] + (fuzzing ? fuzzTargets : [])
)

var appDependencies: [Target.Dependency] {
    [
        "Domain",
        "MariaStore",
        "Native",
        "CFastCGI",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
    ]
}

/// One harness per parser family (`fuzz/README.md`); each reaches the product's code with `@testable import`.
var fuzzTargets: [Target] {
    let harnesses: [(name: String, dependencies: [Target.Dependency])] = [
        ("fuzz-fastcgi", ["FCGIApp"]),
        ("fuzz-form", ["FCGIApp", "Domain"]),
        ("fuzz-multipart", ["FCGIApp", "Domain"]),
        ("fuzz-csv", ["Domain"]),
        ("fuzz-zip", ["FCGIApp", "Domain", "Native"]),
        ("fuzz-json-bodies", ["FCGIApp", "Domain"]),
        ("fuzz-jose", ["FCGIApp", "Domain", .product(name: "Crypto", package: "swift-crypto")]),
        ("fuzz-upstream", ["Domain", .product(name: "Crypto", package: "swift-crypto")]),
        ("fuzz-webauthn", ["Domain", .product(name: "Crypto", package: "swift-crypto")]),
        ("fuzz-saml", ["Domain", "Native"]),
        ("fuzz-pdf", ["Domain"]),
    ]
    return [
        .target(name: "CLibFuzzer", path: "fuzz/Sources/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "fuzz/Sources/FuzzSupport"),
    ]
        + harnesses.map { harness in
            .executableTarget(
                name: harness.name, dependencies: ["FuzzSupport"] + harness.dependencies, path: "fuzz/Sources/\(harness.name)",
                linkerSettings: [.unsafeFlags(["-sanitize=fuzzer"])])
        }
}
