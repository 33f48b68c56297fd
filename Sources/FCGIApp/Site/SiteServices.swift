import Domain
import MariaStore

/// The stores one worker thread uses, each over that thread's own database connection.
struct SiteServices {
    /// Readiness of the site's database.
    let health: any HealthStore

    /// The live services of a thread: one lazily opened connection to the site's database as the site's account.
    static func live(site: Site, configuration: Configuration) -> SiteServices {
        let database = MariaDatabase(options: configuration.connectionOptions(for: site))
        return SiteServices(health: MariaHealthStore(database: database))
    }
}
