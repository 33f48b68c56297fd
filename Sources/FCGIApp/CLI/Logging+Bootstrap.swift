import Logging
import Synchronization

/// Process-wide logging set-up: one line per event on standard error (JSON by default, `[log] format`), which
/// systemd's journal or the dev stack's log file collects; repeated warnings and errors summarised
/// (``LineLogHandler``, ``RepeatedLogGate``).
enum LogSetup {
    private static let done = Mutex(false)

    /// Bootstraps swift-log once (the first call's `format` wins) and returns a logger for `label`.
    static func logger(_ label: String, level: Logger.Level, format: LogFormat = .json) -> Logger {
        done.withLock { bootstrapped in
            if !bootstrapped {
                let gate = RepeatedLogGate()
                LoggingSystem.bootstrap(
                    { LineLogHandler(label: $0, format: format, gate: gate, metadataProvider: $1) },
                    metadataProvider: RequestLog.metadataProvider)
                bootstrapped = true
            }
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}

/// The request a thread is answering, as `request.id` on every log line written meanwhile.
///
/// A task-local read only when a line is written: setting the id on each request's logger copied the handler's
/// metadata dictionary on every request, logged or not (about a tenth of a small request).
enum RequestLog {
    /// The request id of the work running on this thread, if any.
    @TaskLocal static var requestID: String?

    /// Adds `request.id` while ``requestID`` is bound.
    static let metadataProvider = Logger.MetadataProvider {
        guard let id = RequestLog.requestID else { return [:] }
        return ["request.id": .string(id)]
    }
}
