import Foundation

/// Signal-mask helpers shared by the supervisor and the workers. Both block the signals they care about and
/// collect them with `sigtimedwait`, so no Swift code runs inside a signal handler.
enum Signals {
    /// Signals that ask a process to stop, reload or reap, handled synchronously.
    static let handled: [Int32] = [SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGCHLD]

    /// The supervisor also hears SIGUSR2: a worker that is about to recycle asks for its replacement first.
    static let supervisor: [Int32] = handled + [SIGUSR2]

    /// Blocks `signals` in the calling thread; threads created afterwards inherit the mask.
    static func block(_ signals: [Int32]) {
        var set = makeSet(signals)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Waits up to `timeout` for one of `signals`; returns it, or `nil` on timeout.
    static func wait(for signals: [Int32], timeout: Duration) -> Int32? {
        var set = makeSet(signals)
        let (seconds, attoseconds) = timeout.components
        var spec = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        let signal = sigtimedwait(&set, nil, &spec)
        return signal > 0 ? signal : nil
    }

    /// Like ``wait(for:timeout:)``, also returning the pid of the process that sent the signal.
    static func waitWithSender(for signals: [Int32], timeout: Duration) -> (signal: Int32, sender: pid_t)? {
        var set = makeSet(signals)
        let (seconds, attoseconds) = timeout.components
        var spec = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var info = siginfo_t()
        let signal = sigtimedwait(&set, &info, &spec)
        return signal > 0 ? (signal, info._sifields._kill.si_pid) : nil
    }

    static func makeSet(_ signals: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in signals { sigaddset(&set, signal) }
        return set
    }
}
