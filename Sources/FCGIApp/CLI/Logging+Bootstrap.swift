import Logging
import Synchronization

/// Process-wide logging set-up: structured lines on standard error, which systemd's journal or the dev
/// stack's log file collects.
enum LogSetup {
    private static let done = Mutex(false)

    /// Bootstraps swift-log once and returns a logger for `label`.
    static func logger(_ label: String, level: Logger.Level) -> Logger {
        done.withLock { bootstrapped in
            if !bootstrapped {
                LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
                bootstrapped = true
            }
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}
