import ArgumentParser
import Domain
import Foundation

/// `catalystwells serve --site app|developers`: the pool supervisor.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a FastCGI worker pool for one site (stays in the foreground; SIGHUP reloads, SIGTERM stops)."
    )

    @Option(help: "The site this pool serves: app or developers.") var site: Site
    @OptionGroup var options: ConfigOptions
    @Option(help: "Unix socket to listen on (overrides pool.<site>.socket). Without one, fd 0 must be a listening socket.")
    var socket: String?
    @Option(help: "Worker processes (overrides pool.<site>.workers).") var workers: Int?
    @Option(help: "Threads per worker (overrides pool.<site>.threads).") var threads: Int?
    @Option(help: "Requests before a worker is replaced, 0 for never (overrides pool.<site>.max_requests).")
    var maxRequests: Int?
    @Option(help: "Write the supervisor's pid to this file.") var pidFile: String?

    func run() throws {
        // Before any thread exists, so every thread inherits the mask and signals reach sigtimedwait only.
        Signals.block(Signals.supervisor)
        var configuration = try options.load()
        do {
            try configuration.loadPassword(for: Configuration.role(for: site))
            try configuration.loadKeys(for: site)
        } catch {
            ConfigOptions.fail(error)
        }
        // A malformed catalogue stops the pool here, with its file and line, rather than every worker it would start.
        do {
            _ = try Translations.load(directory: configuration.localesDirectory)
        } catch {
            ConfigOptions.fail(ConfigError(["general.locales_directory: \(error.description)"]))
        }
        var pool = configuration.pool(site)
        if let workers { pool.workers = workers }
        if let threads { pool.threads = threads }
        if let maxRequests { pool.maxRequests = maxRequests }
        guard (1...64).contains(pool.workers), (1...256).contains(pool.threads), pool.maxRequests >= 0 else {
            throw ValidationError("--workers must be 1 to 64, --threads 1 to 256, --max-requests 0 or more")
        }
        let logger = LogSetup.logger("catalystwells.\(site.rawValue).pool", level: configuration.logLevel, format: configuration.logFormat)
        // Before the socket: a refused start must not take the socket from a pool that is still running.
        switch PoolSchemaCheck.run(site: site, configuration: configuration) {
        case .current(let message):
            logger.info("schema checked", metadata: ["detail": "\(message)"])
        case .unknown(let message):
            logger.warning("schema not checked", metadata: ["detail": "\(message)"])
        case .refused(let message):
            OperatorServices.fail("serve --site \(site.rawValue): refusing to start: \(message)", code: 78)
        }

        let listening: ListeningSocket
        do {
            let path = socket ?? pool.socket
            if !path.isEmpty {
                listening = try ListeningSocket.create(path: path, mode: pool.socketMode, group: pool.socketGroup)
            } else if let inherited = ListeningSocket.inherited() {
                listening = inherited
            } else {
                throw ValidationError("no socket: set pool.\(site.rawValue).socket, pass --socket, or start with a listening socket on fd 0")
            }
        } catch let failure as ListeningSocket.Failure {
            throw ValidationError(failure.description)
        }
        if let pidFile {
            try "\(getpid())\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
        }
        defer { if let pidFile { unlink(pidFile) } }

        var arguments = [
            "worker", "--site", site.rawValue, "--threads", "\(pool.threads)",
            "--max-requests", "\(pool.maxRequests)",
        ]
        if let config = options.config { arguments += ["--config", config] }
        // The pool's metrics folder: workers report into it, the supervisor keeps the totals of those that exited.
        var recorder: PoolMetricsRecorder?
        let metricsPath = MetricsFolder.path(socket: socket ?? pool.socket, site: site.rawValue)
        do {
            recorder = PoolMetricsRecorder(folder: try MetricsFolder.prepare(metricsPath), site: site.rawValue, started: Date())
            arguments += ["--metrics-folder", metricsPath]
        } catch {
            logger.warning("no metrics: cannot create the metrics folder", metadata: ["metrics.folder": "\(metricsPath)", "error": "\(error)"])
        }
        let supervisor = Supervisor(
            settings: .init(
                workers: pool.workers, drainTimeout: pool.drainTimeout, executable: Self.executablePath(),
                workerArguments: arguments),
            socket: listening, logger: logger)
        supervisor.observer = recorder
        let status = supervisor.run()
        if status != 0 { throw ExitCode(status) }
    }

    /// The path of this executable, resolved once, so a reload after an upgrade starts the new binary.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// `catalystwells worker`: one worker process, started by `serve` with the listening socket on fd 0.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Internal: one worker process of a pool (started by serve).",
        shouldDisplay: false)

    @Option var site: Site
    @OptionGroup var options: ConfigOptions
    @Option var threads: Int
    @Option var maxRequests: Int
    @Option var metricsFolder: String?

    func run() throws {
        var configuration = try options.load()
        do {
            try configuration.loadPassword(for: Configuration.role(for: site))
            try configuration.loadKeys(for: site)
        } catch {
            ConfigOptions.fail(error)
        }
        let logger = LogSetup.logger("catalystwells.\(site.rawValue)", level: configuration.logLevel, format: configuration.logFormat)
        let limits = RequestLimits(maxBodyBytes: configuration.requestBodyLimit, maxUploadBytes: configuration.uploadBodyLimit)
        let hasher: any PasswordHasher
        do {
            hasher = try CompositionRoot.passwordHasher(configuration)
        } catch {
            ConfigOptions.fail(ConfigError(["accounts.argon2_*: \(error)"]))
        }
        // The catalogues, once per worker; a malformed one stops the worker with its file and line.
        let translations: Translations
        do {
            translations = try Translations.load(directory: configuration.localesDirectory)
        } catch {
            ConfigOptions.fail(ConfigError(["general.locales_directory: \(error.description)"]))
        }
        Translations.install(translations)
        PDFFonts.install(regular: configuration.pdfFonts.regular, bold: configuration.pdfFonts.bold)
        let site = self.site
        let frozen = configuration
        // Shared by the worker's threads: caches and the per-app rate limits.
        let shared = CompositionRoot.WorkerShared(configuration: configuration, hasher: hasher)
        let reporter = metricsFolder.map { folder in WorkerMetricsReporter(folder: MetricsFolder(path: folder), site: site.rawValue) }
        reporter?.start()
        let status = FastCGIWorker.run(
            settings: .init(
                threads: threads, maxRequests: maxRequests, drainTimeout: configuration.pool(site).drainTimeout,
                bodyLimit: max(configuration.requestBodyLimit, configuration.uploadBodyLimit)),
            logger: logger,
            makeResponder: {
                let responder = SiteResponder(
                    site: site, services: CompositionRoot.services(site: site, configuration: frozen, shared: shared), limits: limits,
                    logger: logger, environment: frozen.environment, translations: translations)
                return { raw in
                    let (response, afterResponse) = responder.respondDeferring(to: raw)
                    return (response, afterResponse.run)
                }
            })
        reporter?.finish()
        if status != 0 { throw ExitCode(status) }
    }
}
