import CFastCGI
import Foundation
import Logging
import MariaStore
import Synchronization

/// One worker process: `threads` threads accept FastCGI requests on the listening socket at fd 0.
///
/// Waiting: each thread waits in its own epoll set for the listening socket (made non-blocking, registered with
/// EPOLLEXCLUSIVE so a connection wakes one idle thread) and for the worker's wake descriptor, then accepts;
/// a thread that lost the race for a connection gets EAGAIN and waits again. No signal ever reaches a request
/// thread: one landing inside libfcgi's accept, after the connection was taken but before its first bytes
/// arrived, would make libfcgi close that connection, and nginx would answer 502.
///
/// Stopping: SIGTERM (or SIGINT, SIGQUIT, SIGHUP) stops accepting: the wake descriptor becomes readable, so
/// waiting threads leave; threads inside a request finish it. After `drainTimeout` the process exits regardless. A worker that
/// reached `maxRequests` stops the same way, and the supervisor starts a fresh one. A worker whose
/// supervisor died stops too.
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
        /// Readable once the drain begins: wakes every thread waiting for a connection.
        let wake: Int32

        init(wake: Int32) { self.wake = wake }

        func beginDrain() -> Bool {
            let began = draining.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged
            if began { cw_wake_all(wake) }
            return began
        }
    }

    /// Runs until stopped and returns the process exit status.
    static func run(
        settings: Settings, logger: Logger,
        makeResponder: @escaping @Sendable () -> (RawRequest) -> (response: HTTPResponse, afterSending: () -> Void)
    ) -> Int32 {
        Signals.block(Signals.handled)
        signal(SIGPIPE, SIG_IGN)
        guard FastCGIRequest.initializeLibrary() else {
            logger.critical("FCGX_Init failed")
            return 1
        }
        // The listening socket is shared with the other workers; every worker makes it non-blocking.
        let wake = cw_wake_create()
        guard cw_set_nonblocking(0) == 0, wake >= 0 else {
            logger.critical("cannot prepare the listening socket", metadata: ["errno": "\(errno)"])
            return 1
        }
        MariaClient.initializeLibrary()
        let parent = getppid()
        // Up to 10% more per worker, so workers that share the load evenly do not all recycle at once.
        var jittered = settings
        if jittered.maxRequests > 0 { jittered.maxRequests += Int.random(in: 0...max(jittered.maxRequests / 10, 1)) }
        let settings = jittered
        let state = State(wake: wake)
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
        _ = state.beginDrain()
        let deadline = ContinuousClock.now + .seconds(settings.drainTimeout)
        while state.running.load(ordering: .sequentiallyConsistent) > 0 && ContinuousClock.now < deadline {
            usleep(20_000)
        }
        let left = state.running.load(ordering: .sequentiallyConsistent)
        if left > 0 { logger.warning("drain timed out", metadata: ["worker.busy_threads": "\(left)"]) }
        logger.info("worker exiting", metadata: ["worker.served": "\(state.served.load(ordering: .relaxed))"])
        return 0
    }

    private static func serve(
        settings: Settings, state: State, logger: Logger,
        makeResponder: @Sendable () -> (RawRequest) -> (response: HTTPResponse, afterSending: () -> Void)
    ) {
        let waiter = cw_waiter_create(0, state.wake)
        guard waiter >= 0 else {
            logger.critical("cannot wait for connections", metadata: ["errno": "\(errno)"])
            return
        }
        defer { close(waiter) }
        MariaClient.withThread {
            let respond = makeResponder()
            let slot = FastCGIRequest(listenSocket: 0)
            while !state.draining.load(ordering: .sequentiallyConsistent) {
                let ready = cw_waiter_wait(waiter, 1000)
                if ready < 0 {
                    logger.error("waiting for a connection failed", metadata: ["errno": "\(errno)"])
                    usleep(50_000)
                    continue
                }
                // A connection this thread was woken for is taken even when the drain has begun: with
                // EPOLLEXCLUSIVE no other idle thread was woken for it, and the drain waits for this request.
                guard ready & 1 != 0 else { continue }
                guard slot.accept() else {
                    // Another thread (or worker) took the connection first: EAGAIN, wait again.
                    let acceptErrno = errno
                    if acceptErrno != EAGAIN && acceptErrno != EWOULDBLOCK && acceptErrno != EINTR {
                        logger.error("accept failed", metadata: ["errno": "\(acceptErrno)"])
                        usleep(50_000)
                    }
                    continue
                }
                let (response, afterSending) = respond(slot.read(bodyLimit: settings.bodyLimit))
                slot.write(response)
                slot.finish()
                // Still counted as running, so a drain waits for it.
                afterSending()
                let served = state.served.add(1, ordering: .relaxed).newValue
                if settings.maxRequests > 0, served >= settings.maxRequests, state.beginDrain() {
                    logger.info("worker reached max_requests; recycling", metadata: ["worker.served": "\(served)"])
                    // Ask the supervisor for a replacement now, then wake this process's main thread to drain.
                    kill(getppid(), SIGUSR2)
                    kill(getpid(), SIGTERM)
                }
            }
        }
    }
}
