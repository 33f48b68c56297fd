import Foundation
import Logging

/// The pool's master process, in the php-fpm model: it owns the listening socket and keeps `workers` worker
/// processes alive.
///
/// - A worker that exits is replaced: at once after a clean exit (it recycled after max_requests), after a
///   growing delay (0.5 s doubling to 30 s) while workers keep dying young.
/// - SIGHUP replaces the workers one at a time: start a new one, then stop an old one and wait for it to
///   drain, so the socket always has accepting workers and no request is dropped. New workers read the
///   configuration and the binary afresh.
/// - SIGTERM, SIGINT or SIGQUIT stop every worker (they finish in-flight requests within drain_timeout, then
///   are killed), remove the socket file and exit.
///
/// Workers are started with posix_spawn of the same executable (never fork() in a threaded Swift process),
/// with the listening socket as their fd 0 and a clean signal mask.
final class Supervisor {
    struct Settings {
        var workers: Int
        var drainTimeout: Int
        var executable: String
        var workerArguments: [String]
    }

    private let settings: Settings
    private let socket: ListeningSocket
    private let logger: Logger
    /// Told of every worker started and ended (the pool's metrics).
    var observer: (any SupervisorObserver)?
    private var workers: [pid_t: ContinuousClock.Instant] = [:]
    private var retiring: Set<pid_t> = []
    /// Workers that asked to be replaced after max_requests (a subset of `retiring`).
    private var recycling: Set<pid_t> = []
    private var youngDeaths = 0
    private var nextSpawn = ContinuousClock.now
    private var stopping = false

    init(settings: Settings, socket: ListeningSocket, logger: Logger) {
        self.settings = settings
        self.socket = socket
        self.logger = logger
    }

    /// Runs until a stop signal; returns the exit status. The caller must have blocked ``Signals/handled``
    /// before any thread was created.
    func run() -> Int32 {
        logger.info("pool started", metadata: ["pool.workers": "\(settings.workers)", "pool.pid": "\(getpid())"])
        while !stopping {
            maintain()
            let received = Signals.waitWithSender(for: Signals.supervisor, timeout: .milliseconds(500))
            reap()
            switch received?.signal {
            case SIGTERM, SIGINT, SIGQUIT: stopping = true
            case SIGHUP: rollWorkers()
            case SIGUSR2:
                // A worker is recycling: start its replacement before it stops accepting.
                if let sender = received?.sender, workers[sender] != nil, retiring.insert(sender).inserted {
                    recycling.insert(sender)
                    spawn()
                }
            default: break
            }
        }
        shutdown()
        return 0
    }

    // MARK: - Keeping the pool full

    private func maintain() {
        while workers.count - retiring.count < settings.workers && ContinuousClock.now >= nextSpawn && !stopping {
            guard spawn() != nil else {
                nextSpawn = ContinuousClock.now + .seconds(1)
                return
            }
        }
    }

    @discardableResult
    private func spawn() -> pid_t? {
        let arguments = [settings.executable] + settings.workerArguments
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] =
            ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if socket.descriptor != 0 { posix_spawn_file_actions_adddup2(&actions, socket.descriptor, 0) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = Signals.makeSet([])
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = Signals.makeSet(Signals.handled + [SIGPIPE, SIGUSR1, SIGUSR2])
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid: pid_t = 0
        let rc = posix_spawn(&pid, settings.executable, &actions, &attributes, &argv, &envp)
        guard rc == 0 else {
            logger.error("cannot start a worker", metadata: ["error": "\(String(cString: strerror(rc)))"])
            return nil
        }
        workers[pid] = .now
        observer?.workerStarted(pid)
        logger.info("worker started", metadata: ["worker.pid": "\(pid)"])
        return pid
    }

    /// Collects every exited child; schedules replacements for the ones that were not asked to stop.
    private func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            guard let started = workers.removeValue(forKey: pid) else { continue }
            let wasRetiring = retiring.remove(pid) != nil
            let wasRecycling = recycling.remove(pid) != nil
            let exitedCleanly = (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0
            let signal = status & 0x7f
            observer?.workerExited(
                pid, reason: wasRecycling || (!wasRetiring && !stopping && exitedCleanly) ? .recycled : wasRetiring || stopping ? .stopped : .died)
            if wasRetiring || stopping { continue }
            if exitedCleanly {
                logger.info("worker recycled", metadata: ["worker.pid": "\(pid)"])
                youngDeaths = 0
                continue
            }
            let lived = ContinuousClock.now - started
            youngDeaths = lived < .seconds(5) ? youngDeaths + 1 : 0
            let delay: Duration = youngDeaths == 0 ? .zero : .milliseconds(min(30_000, 500 << min(youngDeaths - 1, 6)))
            nextSpawn = ContinuousClock.now + delay
            logger.error(
                "worker died; replacing it",
                metadata: [
                    "worker.pid": "\(pid)", "worker.signal": "\(signal)", "worker.exit_status": "\((status >> 8) & 0xff)",
                    "pool.respawn_delay_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
                ])
        }
    }

    // MARK: - Reload and stop

    private func rollWorkers() {
        let old = Array(workers.keys).sorted()
        logger.info("reloading workers one by one", metadata: ["pool.workers": "\(old.count)"])
        for pid in old where !stopping {
            guard workers[pid] != nil else { continue }
            guard spawn() != nil else {
                logger.error("reload stopped: a new worker could not start; the old ones keep serving")
                return
            }
            // Give the new worker a moment to reach accept before the old one stops taking requests.
            usleep(200_000)
            retiring.insert(pid)
            kill(pid, SIGTERM)
            waitForExit([pid], timeout: .seconds(settings.drainTimeout + 5))
        }
    }

    /// Waits for the given workers to exit, keeping the pool maintained and noticing stop signals meanwhile;
    /// kills the ones still alive at the deadline.
    private func waitForExit(_ pids: [pid_t], timeout: Duration) {
        let deadline = ContinuousClock.now + timeout
        while pids.contains(where: { workers[$0] != nil }) && ContinuousClock.now < deadline {
            let signal = Signals.wait(for: Signals.supervisor, timeout: .milliseconds(100))
            reap()
            if signal == SIGTERM || signal == SIGINT || signal == SIGQUIT { stopping = true }
            if !stopping { maintain() }
        }
        for pid in pids where workers[pid] != nil {
            logger.warning("worker did not stop in time; killing it", metadata: ["worker.pid": "\(pid)"])
            kill(pid, SIGKILL)
        }
    }

    private func shutdown() {
        logger.info("pool stopping", metadata: ["pool.workers": "\(workers.count)"])
        let pids = Array(workers.keys)
        for pid in pids {
            retiring.insert(pid)
            kill(pid, SIGTERM)
        }
        waitForExit(pids, timeout: .seconds(settings.drainTimeout + 2))
        // Collect workers killed at the deadline.
        for _ in 0..<20 where !workers.isEmpty {
            usleep(50_000)
            reap()
        }
        socket.removeFile()
        observer?.poolStopped()
        logger.info("pool stopped")
    }
}

/// How a worker ended, for the pool's metrics.
enum WorkerExit {
    /// Replaced after max_requests.
    case recycled
    /// Asked to stop (reload, pool stop).
    case stopped
    /// Crashed or was killed, and was replaced.
    case died
}

/// What the supervisor tells about its workers; called on the supervisor's thread.
protocol SupervisorObserver: AnyObject {
    /// A worker was started.
    func workerStarted(_ pid: Int32)
    /// A worker has exited and been collected.
    func workerExited(_ pid: Int32, reason: WorkerExit)
    /// The pool has stopped.
    func poolStopped()
}
