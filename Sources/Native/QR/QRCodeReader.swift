import CZBar

/// Reads QR codes out of a camera frame with Debian's libzbar (issue 16, item 3: the badge page's camera).
///
/// The frame is 8-bit luminance, row by row (`Y800`: what a page gets from a canvas by keeping one channel), so
/// the server never decodes an image format sent by a stranger; zbar reads the pixels as given. Only QR codes
/// are looked for (every other symbology is switched off, which also makes a scan cheaper). A scanner is made
/// per call: zbar's objects are not shared between threads.
public enum QRCodeReader {
    /// The texts of the QR codes found in the `width` × `height` frame `luminance` (one byte per pixel), in the
    /// order zbar reports them; empty when there is none. `luminance.count` must be `width * height`; the
    /// caller (``Domain/BadgeFrame``) has checked the sizes.
    public static func texts(luminance: [UInt8], width: Int, height: Int) -> [String] {
        guard width > 0, height > 0, luminance.count == width * height,
            let scanner = zbar_image_scanner_create()
        else { return [] }
        defer { zbar_image_scanner_destroy(scanner) }
        _ = zbar_image_scanner_set_config(scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0)
        _ = zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1)
        guard let image = zbar_image_create() else { return [] }
        defer { zbar_image_destroy(image) }
        // fourcc('Y','8','0','0'): grey, one byte per pixel.
        let y800 = UInt(UInt8(ascii: "Y")) | UInt(UInt8(ascii: "8")) << 8 | UInt(UInt8(ascii: "0")) << 16 | UInt(UInt8(ascii: "0")) << 24
        zbar_image_set_format(image, y800)
        zbar_image_set_size(image, UInt32(width), UInt32(height))
        return luminance.withUnsafeBufferPointer { pixels -> [String] in
            // No cleanup handler: the buffer is ours and outlives the scan; the image is destroyed before
            // this closure returns its result's owner.
            zbar_image_set_data(image, pixels.baseAddress, UInt(pixels.count), nil)
            guard zbar_scan_image(scanner, image) > 0 else { return [] }
            var texts: [String] = []
            var symbol = zbar_image_first_symbol(image)
            while let current = symbol {
                if zbar_symbol_get_type(current) == ZBAR_QRCODE, let data = zbar_symbol_get_data(current) {
                    let count = Int(zbar_symbol_get_data_length(current))
                    texts.append(
                        String(decoding: UnsafeRawBufferPointer(start: data, count: count).bindMemory(to: UInt8.self), as: UTF8.self))
                }
                symbol = zbar_symbol_next(current)
            }
            return texts
        }
    }
}
