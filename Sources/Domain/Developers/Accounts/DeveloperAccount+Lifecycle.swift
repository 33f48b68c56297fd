import Foundation

/// The life of a developer account (DESIGN §7: unverified, active, suspended) and what each state may do.
///
/// ```
/// unverified ──verifyEmail──▶ active ──suspend──▶ suspended
///                               ▲  ◀──reinstate──     │
/// ```
///
/// Decisions:
/// - An unverified developer may sign in (after the password, and TOTP if enabled, are checked as for anyone),
///   but the session reaches only the "verify your email" page: resend the link, sign out. Refusing the
///   sign-in instead would leave them no way to ask for a new link, and saying "not verified" before the
///   password is checked would reveal that the address has an account.
/// - Only an active account reaches the portal (apps, credentials, keys, webhooks, analytics, support) and
///   its security pages (2FA, sessions).
/// - A suspended account cannot sign in and its sessions are ended at suspension. Sign-in says so only after
///   a correct password, so suspension does not reveal accounts either. Suspending an unverified account is
///   not offered: it can do nothing anyway, and unverified sign-ups are purged.
/// - Verification is done by the account's own developer, through the emailed link; suspend and reinstate by
///   a platform admin with a reason for suspension. Every change is recorded.
extension DeveloperAccount {
    /// Something that changes an account's state.
    public enum LifecycleEvent: Sendable, Equatable {
        /// The developer opened a valid verification link.
        case verifyEmail
        /// A platform admin stops the account.
        case suspend(reason: String)
        /// A platform admin restarts it.
        case reinstate
    }

    /// Who acts on an account.
    public enum LifecycleActor: Sendable, Equatable {
        /// The account's own developer.
        case developer(DeveloperID)
        /// A platform admin of the app site.
        case platformAdmin(UserID)
    }

    /// Work for the I/O layer after a lifecycle transition.
    public enum LifecycleEffect: Sendable, Equatable {
        /// Append to the account log.
        case recordTransition(from: State, to: State, actor: LifecycleActor, reason: String?, at: Date)
        /// Delete every session of the account.
        case endAllSessions
        /// Email the developer that the account was suspended, with the reason.
        case notifySuspended(reason: String)
        /// Email the developer that the account was reinstated.
        case notifyReinstated
    }

    /// Why a lifecycle event was refused.
    public enum LifecycleError: Error, Sendable, Equatable {
        /// The event does not apply in this state (for `verifyEmail` on an active account the page says
        /// the address is already confirmed).
        case illegal(event: String, state: State)
        /// The actor may not perform this event on this account.
        case notPermitted
        /// A suspension needs a reason of 1…``DeveloperAccount/maximumReasonLength`` characters.
        case invalidReason
    }

    /// How far a signed-in developer gets.
    public enum Access: Sendable, Equatable {
        /// Every page of the portal.
        case full
        /// Only the "verify your email" page (resend, sign out).
        case verifyEmailOnly
        /// Not signed in; sessions are ended.
        case refused
    }

    /// The state after a lifecycle event and the work it needs.
    public struct LifecycleOutcome: Sendable, Equatable {
        /// The account's new state.
        public let state: State
        /// Effects to perform, in order.
        public let effects: [LifecycleEffect]
    }

    /// Longest suspension reason, in characters.
    public static let maximumReasonLength = 1000
}

extension DeveloperAccount.State {
    /// What a session of an account in this state may reach; sign-in is decided after the password check.
    public var access: DeveloperAccount.Access {
        switch self {
        case .unverified: .verifyEmailOnly
        case .active: .full
        case .suspended: .refused
        }
    }

    /// Applies `event` by `actor` to the account `account` in this state at `now`.
    public func transition(
        _ event: DeveloperAccount.LifecycleEvent, account: DeveloperID, by actor: DeveloperAccount.LifecycleActor, at now: Date
    ) -> Result<DeveloperAccount.LifecycleOutcome, DeveloperAccount.LifecycleError> {
        switch (event, actor) {
        case (.verifyEmail, .developer(let id)) where id == account: break
        case (.suspend, .platformAdmin), (.reinstate, .platformAdmin): break
        default: return .failure(.notPermitted)
        }
        switch (self, event) {
        case (.unverified, .verifyEmail):
            return .success(.init(state: .active, effects: [.recordTransition(from: .unverified, to: .active, actor: actor, reason: nil, at: now)]))
        case (.active, .suspend(let reason)):
            let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !reason.isEmpty, reason.count <= DeveloperAccount.maximumReasonLength else { return .failure(.invalidReason) }
            return .success(
                .init(
                    state: .suspended,
                    effects: [
                        .recordTransition(from: .active, to: .suspended, actor: actor, reason: reason, at: now),
                        .endAllSessions, .notifySuspended(reason: reason),
                    ]))
        case (.suspended, .reinstate):
            return .success(
                .init(
                    state: .active,
                    effects: [.recordTransition(from: .suspended, to: .active, actor: actor, reason: nil, at: now), .notifyReinstated]))
        case (_, .verifyEmail):
            return .failure(.illegal(event: "verifyEmail", state: self))
        case (_, .suspend):
            return .failure(.illegal(event: "suspend", state: self))
        case (_, .reinstate):
            return .failure(.illegal(event: "reinstate", state: self))
        }
    }
}
