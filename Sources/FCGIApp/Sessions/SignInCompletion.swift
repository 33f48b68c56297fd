import Crypto
import Domain
import Foundation

/// What every sign-in method of the app site goes through, whatever proved the person (the seam the password
/// form uses today and upstream providers, directories, passkeys and badges plug into):
///
/// 1. ``throttleWait(identifier:request:context:)`` before anything is checked: failures per name and per
///    address (``SignInThrottlePolicy``) make the person wait, with one answer for known and unknown names; a
///    browser holding a ``TrustedDevice`` entry for the name is counted under that entry instead;
/// 2. ``recordFailure(identifier:method:known:request:context:)`` when the method refused;
/// 3. ``complete(_:next:request:context:)`` when it produced an ``AuthenticatedPerson``: the person's throttle
///    failures are forgotten, any session the browser had is deleted (rotation: a planted session never
///    survives), a new server-side session is created and its cookie set, the browser's trusted-device entries
///    for the person's names are renewed, and one audit line says who signed in by which methods.
enum SignInCompletion {
    /// Seconds to wait before another try with this name from this address, or `nil`.
    static func throttleWait(identifier: String, request: HTTPRequest, context: RequestContext) throws -> Int? {
        if let device = trustedDevice(for: identifier, request: request, context: context) {
            return try wait([SignInThrottlePolicy.key(.device, device.id)], context)
        }
        return try wait([SignInThrottlePolicy.key(.account, identifier), SignInThrottlePolicy.key(.address, request.remoteAddress)], context)
    }

    /// Counts a refused attempt against the name and the address, or against the browser's trusted-device entry
    /// for the name, and audits it. `known`: the account the name belongs to, as the method found it; `school`: the
    /// school whose sign-in it was when no account is known (a directory's); `detail`: why, for the audit.
    static func recordFailure(
        identifier: String, method: AuthenticationMethod, known: UserAccount?, school: SchoolID? = nil, detail: String = "",
        request: HTTPRequest, context: RequestContext
    ) throws {
        let device = trustedDevice(for: identifier, request: request, context: context)
        if let device {
            try count(SignInThrottlePolicy.key(.device, device.id), .device, context)
        } else {
            try count(SignInThrottlePolicy.key(.account, identifier), .account, context)
            try count(SignInThrottlePolicy.key(.address, request.remoteAddress), .address, context)
        }
        WorkerMetrics.shared.record { $0.increment(PoolMetrics.signIns, ["method": method.rawValue, "result": "failure"]) }
        context.logger.info(
            "sign-in failed",
            metadata: [
                "client.address": "\(request.remoteAddress)", "auth.method": "\(method.rawValue)", "trusted.device": "\(device != nil)",
            ])
        // The audit entry names the person when the name is theirs (never the typed name itself: it may be a
        // password typed into the wrong field).
        try context.audit(
            .signInFailed, request, school: known?.schoolID ?? school, actor: nil, subject: known?.id, method: method.rawValue, detail: detail)
    }

    /// Seconds to wait before another sign-in from this address, for methods that have no name to count under
    /// before they succeed (an upstream provider's callback): the address alone, so no one can lock a provider.
    static func addressWait(request: HTTPRequest, context: RequestContext) throws -> Int? {
        try wait([SignInThrottlePolicy.key(.address, request.remoteAddress)], context)
    }

    /// Counts a refused attempt of such a method against the address.
    static func recordAddressFailure(method: AuthenticationMethod, request: HTTPRequest, context: RequestContext) throws {
        try count(SignInThrottlePolicy.key(.address, request.remoteAddress), .address, context)
        WorkerMetrics.shared.record { $0.increment(PoolMetrics.signIns, ["method": method.rawValue, "result": "failure"]) }
        context.logger.info(
            "sign-in failed",
            metadata: ["client.address": "\(request.remoteAddress)", "auth.method": "\(method.rawValue)", "trusted.device": "false"])
    }

    /// The browser's valid trusted-device entries (none when the site has no OAuth key file to sign them with).
    private static func trustedDevices(_ request: HTTPRequest, _ context: RequestContext) -> (entries: [TrustedDevice.Entry], key: SymmetricKey)? {
        guard let key = context.services.oauth.keys?.deviceKey else { return nil }
        return (TrustedDevice.entries(request.cookies[SessionCookie.device], now: context.now, key: key), key)
    }

    /// The browser's trusted-device entry for `identifier`, if it holds one.
    private static func trustedDevice(for identifier: String, request: HTTPRequest, context: RequestContext) -> TrustedDevice.Entry? {
        guard let devices = trustedDevices(request, context) else { return nil }
        return TrustedDevice.entry(for: identifier, in: devices.entries, key: devices.key)
    }

    /// Starts the person's session and sends them to `next` (or their role's home page) — or, when the person has a
    /// second factor this sign-in has not used yet, sends them to the code step first (no session until then).
    /// `auditDetail`: what the audit line adds to the methods (a directory sign-in names the directory's entry).
    static func complete(
        _ person: AuthenticatedPerson, next: String?, request: HTTPRequest, context: RequestContext, auditDetail: String = ""
    ) throws -> HTTPResponse {
        if let codeStep = try SecondFactorRoutes.askForCode(person, next: next, context: context) { return codeStep }
        let services = context.services
        let now = context.now
        let names = person.throttleNames.sorted()
        let devices = trustedDevices(request, context)
        for name in names {
            try services.people.throttle.clearThrottle(key: SignInThrottlePolicy.key(.account, name))
            if let devices, let entry = TrustedDevice.entry(for: name, in: devices.entries, key: devices.key) {
                try services.people.throttle.clearThrottle(key: SignInThrottlePolicy.key(.device, entry.id))
            }
        }
        if let old = request.cookies[SessionCookie.session] {
            try services.people.sessions.deleteSession(digest: SecretToken.digest(old))
        }
        var generator = SystemRandomNumberGenerator()
        let token = SecretToken.make(prefix: TokenPrefix.session, using: &generator)
        let sessionPolicy = services.configuration.signIn.sessionPolicy
        try services.people.sessions.createSession(
            digest: SecretToken.digest(token), user: person.user.id, methods: person.methods, now: now,
            expiresAt: sessionPolicy.absoluteExpiry(createdAt: now),
            clientAddress: request.remoteAddress, userAgent: request.headers["user-agent"] ?? "")
        try context.audit(
            .signIn, request, school: person.user.schoolID, actor: person.user.id, subject: person.user.id,
            method: person.methods.map(\.rawValue).joined(separator: " "), detail: auditDetail)
        let methods = person.methods.map(\.rawValue).joined(separator: " ")
        WorkerMetrics.shared.record { $0.increment(PoolMetrics.signIns, ["method": methods, "result": "success"]) }
        context.logger.info(
            "signed in",
            metadata: [
                "user.id": "\(person.user.id)", "user.role": "\(person.user.role.rawValue)",
                "auth.methods": "\(person.methods.map(\.rawValue).joined(separator: " "))",
            ])
        var response = HTTPResponse.seeOther(next ?? SignInRoutes.home(for: person.user.role))
        response.headers.add("Set-Cookie", SessionCookie.set(SessionCookie.session, token, maxAge: Int(sessionPolicy.absoluteLifetime)))
        if let devices, !names.isEmpty {
            let value = TrustedDevice.cookie(signingIn: names, keeping: devices.entries, now: now, key: devices.key, using: &generator)
            response.headers.add("Set-Cookie", SessionCookie.set(SessionCookie.device, value, maxAge: Int(TrustedDevice.lifetime)))
        }
        return response
    }

    // MARK: Re-checking the password of a signed-in person

    /// The throttle key of password re-checks (changing the password) by a signed-in person: counted per person,
    /// apart from the sign-in names, so a session's wrong guesses cannot lock the person's own sign-in.
    private static func recheckKey(_ user: UserID) -> [UInt8] { SignInThrottlePolicy.key(.person, "recheck:\(user.rawValue)") }

    /// Seconds to wait before the person may re-check their password again, or `nil`.
    static func recheckWait(of user: UserID, context: RequestContext) throws -> Int? {
        try wait([recheckKey(user)], context)
    }

    /// Counts a wrong password in a re-check.
    static func recordRecheckFailure(of user: UserID, context: RequestContext) throws {
        try count(recheckKey(user), .person, context)
        context.logger.info("password re-check failed", metadata: ["user.id": "\(user)"])
    }

    /// Forgets the re-check failures after a right password.
    static func clearRecheckFailures(of user: UserID, context: RequestContext) throws {
        try context.services.people.throttle.clearThrottle(key: recheckKey(user))
    }

    /// Seconds to wait before another try under a person's own counter (second-factor codes), or `nil`.
    static func personWait(_ key: [UInt8], context: RequestContext) throws -> Int? { try wait([key], context) }

    /// Counts a failure under a person's own counter.
    static func recordPersonFailure(_ key: [UInt8], context: RequestContext) throws { try count(key, .person, context) }

    // MARK: The counters

    /// Seconds until the longest lock among `keys` ends; `nil` when none is locked.
    private static func wait(_ keys: [[UInt8]], _ context: RequestContext) throws -> Int? {
        let policy = context.services.configuration.signIn.throttlePolicy
        return try keys.compactMap { policy.retryAfter(try context.services.people.throttle.throttleState(key: $0), now: context.now) }.max()
    }

    /// Counts one failure under `key`.
    private static func count(_ key: [UInt8], _ scope: SignInThrottlePolicy.Scope, _ context: RequestContext) throws {
        let policy = context.services.configuration.signIn.throttlePolicy
        let now = context.now
        try context.services.people.throttle.updateThrottle(key: key) { policy.recordingFailure($0, scope: scope, now: now) }
    }
}
