import Domain
import Foundation

/// ``ApplicationLogoStore`` over the developers database.
public struct MariaApplicationLogoStore: ApplicationLogoStore {
    let database: MariaDatabase

    /// Creates the store over a thread's handle on catalyst_developers.
    public init(database: MariaDatabase) { self.database = database }

    public func storeLogo(_ logo: ApplicationLogo, uploadedBy developer: DeveloperID, now: Date) throws {
        // The digest names the bytes, so a second upload of the same file has nothing new but its time and uploader.
        // Not `INSERT … ON DUPLICATE KEY UPDATE`: MariaDB would ask for UPDATE on every inserted column, and the
        // developers pool may change only `uploaded_at` and `uploaded_by`, so the bytes behind a reviewed digest
        // never change.
        do {
            try database.execute(
                """
                INSERT INTO application_logos (sha256, content_type, bytes, width, height, uploaded_at, uploaded_by)
                VALUES (\(logo.sha256), \(logo.image.format.contentType), \(logo.bytes), \(logo.image.width), \(logo.image.height),
                        \(now), \(developer.rawValue))
                """)
        } catch let error as StoreError where error.kind == .duplicate {
            try database.execute(
                """
                UPDATE application_logos SET uploaded_at = GREATEST(uploaded_at, \(now)), uploaded_by = \(developer.rawValue)
                WHERE sha256 = \(logo.sha256)
                """)
        }
    }

    public func uploadCount(by developer: DeveloperID, since cutoff: Date) throws -> Int {
        try database.query(
            "SELECT COUNT(*) AS n FROM application_logos WHERE uploaded_by = \(developer.rawValue) AND uploaded_at >= \(cutoff)"
        ).first?.int("n") ?? 0
    }

    public func logo(sha256: String, reach: LogoReach) throws -> ApplicationLogo? {
        guard sha256.utf8.count == 64 else { return nil }
        let referenced: SQLQuery =
            switch reach {
            case .liveApps:
                "EXISTS (SELECT 1 FROM applications a WHERE a.logo_sha256 = l.sha256 AND a.status = 'approved')"
            case .anyApplication:
                """
                (EXISTS (SELECT 1 FROM applications a WHERE a.logo_sha256 = l.sha256)
                 OR EXISTS (SELECT 1 FROM applications a WHERE a.change_logo_sha256 = l.sha256))
                """
            }
        let rows = try database.query(
            "SELECT l.content_type, l.bytes, l.width, l.height FROM application_logos l WHERE l.sha256 = \(sha256) AND \(fragment: referenced)")
        guard let row = rows.first, let bytes = row.bytes("bytes"), let width = row.int("width"), let height = row.int("height"),
            let format = [LogoImage.Format.png, .jpeg].first(where: { $0.contentType == row.string("content_type") })
        else { return nil }
        return ApplicationLogo(bytes: bytes, image: LogoImage(format: format, width: width, height: height))
    }

    public func purgeUnreferencedLogos(uploadedBefore cutoff: Date) throws -> Int {
        try database.execute(
            """
            DELETE FROM application_logos
            WHERE uploaded_at < \(cutoff)
              AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.logo_sha256 = application_logos.sha256)
              AND NOT EXISTS (SELECT 1 FROM applications a WHERE a.change_logo_sha256 = application_logos.sha256)
            """
        ).affectedRows
    }
}
