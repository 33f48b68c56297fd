import CFastCGI
import Foundation
import Logging
import MariaStore
import Synchronization

/// One worker process: `threads` threads accept FastCGI requests on the listening socket at fd 0.
///
/// Stopping: SIGTERM (or SIGINT, SIGQUIT, SIGHUP) stops accepting; threads that are between requests are woken
/// out of `accept` with SIGUSR1 (re-sent until they leave, closing the race with a thread about to block);
/// threads inside a request finish it. After `drainTimeout` the process exits regardless. A worker that
/// reached `maxRequests` stops the same way, and the supervisor starts a fresh one. A worker whose
/// supervisor died stops too.
///
/// Housekeeping (optional): one more thread, with its own database connection, runs a task about once a second
/// while the worker serves, and once more with `stopping == true` after the request threads have finished (or
/// the drain timed out), so work buffered by requests (the data-access log) is written before the process exits.
enum FastCGIWorker {
    struct Settings: Sendable {
        var threads: Int
        var maxRequests: Int
        var drainTimeout: Int
        var bodyLimit: Int
    }

    /// Threads' shared state.
    private final class State: Sendable {
        let draining = Atomic<Bool>(false)
        let served = Atomic<Int>(0)
        let running = Atomic<Int>(0)
        /// Set when the housekeeping thread has run its final task (or there is none).
        let housekeepingDone = Atomic<Bool>(true)
        /// Threads currently waiting in accept, which a drain must interrupt.
        let waiting = Mutex<Set<UInt>>([])
    }

    /// Runs until stopped and returns the process exit status.
    static func run(
        settings: Settings, logger: Logger, makeResponder: @escaping @Sendable () -> (RawRequest) -> HTTPResponse,
        makeHousekeeping: (@Sendable () -> (_ stopping: Bool) -> Void)? = nil
    ) -> Int32 {
        Signals.block(Signals.handled)
        Signals.installInterruptOnly(SIGUSR1)
        signal(SIGPIPE, SIG_IGN)
        guard FCGX_Init() == 0 else {
            logger.critical("FCGX_Init failed")
            return 1
        }
        MariaClient.initializeLibrary()
        let parent = getppid()
        // Up to 10% more per worker, so workers that share the load evenly do not all recycle at once.
        var jittered = settings
        if jittered.maxRequests > 0 { jittered.maxRequests += Int.random(in: 0...max(jittered.maxRequests / 10, 1)) }
        let settings = jittered
        let state = State()
        state.running.store(settings.threads, ordering: .sequentiallyConsistent)
        for index in 0..<settings.threads {
            let thread = Thread {
                serve(settings: settings, state: state, logger: logger, makeResponder: makeResponder)
                state.running.subtract(1, ordering: .sequentiallyConsistent)
            }
            thread.name = "request-\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
        if let makeHousekeeping {
            state.housekeepingDone.store(false, ordering: .sequentiallyConsistent)
            let thread = Thread { housekeep(state: state, drainTimeout: settings.drainTimeout, makeTask: makeHousekeeping) }
            thread.name = "housekeeping"
            thread.stackSize = 1 << 20
            thread.start()
        }
        logger.info("worker ready", metadata: ["worker.threads": "\(settings.threads)", "worker.pid": "\(getpid())"])

        // Wait for a stop signal, a recycle, all threads gone, or the supervisor gone.
        while state.running.load(ordering: .sequentiallyConsistent) > 0 && !state.draining.load(ordering: .sequentiallyConsistent) {
            if let signal = Signals.wait(for: Signals.handled, timeout: .seconds(1)), signal != SIGCHLD {
                logger.info("worker stopping", metadata: ["signal": "\(signal)"])
                break
            }
            if getppid() != parent {
                logger.warning("supervisor is gone; worker stopping")
                break
            }
        }
        state.draining.store(true, ordering: .sequentiallyConsistent)
        let deadline = ContinuousClock.now + .seconds(settings.drainTimeout)
        while state.running.load(ordering: .sequentiallyConsistent) > 0 && ContinuousClock.now < deadline {
            for thread in state.waiting.withLock({ $0 }) { pthread_kill(pthread_t(thread), SIGUSR1) }
            usleep(20_000)
        }
        let left = state.running.load(ordering: .sequentiallyConsistent)
        if left > 0 { logger.warning("drain timed out", metadata: ["worker.busy_threads": "\(left)"]) }
        // The final housekeeping (a database write) gets a few seconds of its own after the drain.
        let housekeepingDeadline = ContinuousClock.now + .seconds(5)
        while !state.housekeepingDone.load(ordering: .sequentiallyConsistent) && ContinuousClock.now < housekeepingDeadline {
            usleep(20_000)
        }
        logger.info("worker exiting", metadata: ["worker.served": "\(state.served.load(ordering: .relaxed))"])
        return 0
    }

    /// The housekeeping thread: its task about once a second until the drain begins, then, once the request
    /// threads are gone (or the drain deadline passed), the task a last time with `stopping`.
    private static func housekeep(state: State, drainTimeout: Int, makeTask: @Sendable () -> (Bool) -> Void) {
        MariaClient.withThread {
            let task = makeTask()
            while !state.draining.load(ordering: .sequentiallyConsistent) {
                for _ in 0..<10 where !state.draining.load(ordering: .sequentiallyConsistent) { usleep(100_000) }
                task(false)
            }
            let deadline = ContinuousClock.now + .seconds(drainTimeout)
            while state.running.load(ordering: .sequentiallyConsistent) > 0 && ContinuousClock.now < deadline { usleep(20_000) }
            task(true)
        }
        state.housekeepingDone.store(true, ordering: .sequentiallyConsistent)
    }

    private static func serve(
        settings: Settings, state: State, logger: Logger, makeResponder: @Sendable () -> (RawRequest) -> HTTPResponse
    ) {
        MariaClient.withThread {
            let me = UInt(pthread_self())
            let respond = makeResponder()
            let slot = FastCGIRequest(listenSocket: 0)
            while !state.draining.load(ordering: .sequentiallyConsistent) {
                state.waiting.withLock { _ = $0.insert(me) }
                // Checked again after registering: a drain that began in between will signal this thread.
                if state.draining.load(ordering: .sequentiallyConsistent) {
                    state.waiting.withLock { _ = $0.remove(me) }
                    break
                }
                let accepted = slot.accept()
                let acceptErrno = errno
                state.waiting.withLock { _ = $0.remove(me) }
                guard accepted else {
                    if state.draining.load(ordering: .sequentiallyConsistent) { break }
                    if acceptErrno != EINTR {
                        logger.error("accept failed", metadata: ["errno": "\(acceptErrno)"])
                        usleep(50_000)
                    }
                    continue
                }
                let response = respond(slot.read(bodyLimit: settings.bodyLimit))
                slot.write(response)
                slot.finish()
                let served = state.served.add(1, ordering: .relaxed).newValue
                if settings.maxRequests > 0, served >= settings.maxRequests,
                    state.draining.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged
                {
                    logger.info("worker reached max_requests; recycling", metadata: ["worker.served": "\(served)"])
                    // Ask the supervisor for a replacement now, then wake this process's main thread to drain.
                    kill(getppid(), SIGUSR2)
                    kill(getpid(), SIGTERM)
                }
            }
        }
    }
}
