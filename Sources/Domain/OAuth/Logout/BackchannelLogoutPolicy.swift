import Foundation

/// When a back-channel logout is tried again, and when it is given up (Back-Channel Logout 1.0 §2.8 leaves retries
/// to the provider). A logout matters while the app may still hold the session, so the schedule is short: 30 s
/// doubling to at most 30 minutes, 8 tries in all (about an hour).
public enum BackchannelLogoutPolicy {
    /// Tries before giving up.
    public static let maximumAttempts = 8
    /// How long a claimed row is held by one runner before another may try it.
    public static let lease: TimeInterval = 60
    /// Expired sessions the cron's run ends (and queues logouts for) at most; the rest wait for the next minute.
    public static let expiredSessionsPerRun = 500
    /// How long a finished logout stays in the app's log before `catalystwells purge` deletes it.
    public static let keptFor: TimeInterval = 7 * 86400

    /// What to do after try number `attempts` (1 for the first) ended with `succeeded`: `nil` when the row is
    /// finished (delivered, or the last try failed), else when to try again.
    public static func nextAttempt(after attempts: Int, succeeded: Bool, now: Date) -> Date? {
        guard !succeeded, attempts < maximumAttempts else { return nil }
        let delay = min(30 * pow(2, Double(max(attempts - 1, 0))), 1800)
        return now.addingTimeInterval(delay)
    }

    /// Whether the receiver's answer counts as delivered: 200 (§2.8; 204 is accepted too, as many frameworks answer).
    public static func delivered(status: Int) -> Bool { status == 200 || status == 204 }

    /// Whether the end-session endpoint may end the browser's session without asking: only when the hint names
    /// exactly this session (its `sid`), so a stale or someone else's ID token leads to the confirmation page.
    public static func endsWithoutAsking(hint: IDTokenHint?, subject: String, sessionID: String) -> Bool {
        guard let hint else { return false }
        return hint.subject == subject && hint.sessionID == sessionID
    }
}
