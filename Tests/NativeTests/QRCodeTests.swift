import Testing

@testable import Native

/// QR codes from libqrencode: the symbol's size and the structure every reader looks for.
@Suite struct QRCodeTests {
    private let uri =
        "otpauth://totp/CatalystWells%20Developers:ana%40example.org?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=CatalystWells%20Developers&algorithm=SHA1&digits=6&period=30"

    @Test func theSymbolIsASquareOfAValidVersionSize() throws {
        let code = try QRCode(encoding: uri)
        #expect(code.modules.count == code.width * code.width)
        // Version v has 17 + 4v modules a side (ISO/IEC 18004 §5.3.1).
        #expect((code.width - 17) % 4 == 0 && (1...40).contains((code.width - 17) / 4))
    }

    @Test func theThreeFinderPatternsAreInTheirCorners() throws {
        let code = try QRCode(encoding: uri)
        let w = code.width
        for (ox, oy) in [(0, 0), (w - 7, 0), (0, w - 7)] {
            for y in 0..<7 {
                for x in 0..<7 {
                    let ring = max(abs(x - 3), abs(y - 3))
                    // A 7×7 dark square, a light ring one module in, a 3×3 dark centre.
                    #expect(code.isDark(x: ox + x, y: oy + y) == (ring != 2), "module (\(ox + x), \(oy + y))")
                }
            }
        }
    }

    @Test func longerTextNeedsALargerSymbol() throws {
        #expect(try QRCode(encoding: "a").width < QRCode(encoding: String(repeating: "a", count: 500)).width)
    }

    @Test func textTooLongOrWithNulIsRefused() {
        #expect(throws: QRCodeError.self) { try QRCode(encoding: String(repeating: "a", count: 3000)) }
        #expect(throws: QRCodeError.self) { try QRCode(encoding: "a\u{0}b") }
    }
}
