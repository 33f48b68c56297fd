/// What a developer declares about the data one requested scope gives the app (issue 23 item 4): why it is
/// used, how long it is kept, and who else receives it.
///
/// Declarations are part of an app's reviewed content (``ApplicationDraft/dataDeclarations``): they go through
/// review with the rest of the app, are covered by the review attestation's digest, and reach the main
/// database only with an approved version, so a declaration changed after approval is shown to families only
/// once a platform admin approved the change.
public struct DataDeclaration: Sendable, Equatable {
    /// Longest purpose, in characters.
    public static let maximumPurposeLength = 500
    /// Most sub-processors per scope.
    public static let maximumSubProcessors = 10
    /// Longest sub-processor name, in characters.
    public static let maximumSubProcessorNameLength = 100
    /// Longest country, in characters.
    public static let maximumCountryLength = 60
    /// Longest custom retention, in days (ten years).
    public static let maximumRetentionDays = 3650

    /// How long the app keeps the data.
    public enum Retention: Sendable, Equatable {
        /// Only while the user is using the app (the session), then deleted.
        case session
        /// Thirty days.
        case thirtyDays
        /// One year.
        case oneYear
        /// Until the school ends its agreement with the app (then deleted).
        case untilAgreementEnds
        /// A number of days (1…``DataDeclaration/maximumRetentionDays``).
        case days(Int)

        /// The form's and the database's word for the choice (`custom` for ``days(_:)``).
        public var kind: String {
            switch self {
            case .session: "session"
            case .thirtyDays: "30_days"
            case .oneYear: "1_year"
            case .untilAgreementEnds: "agreement"
            case .days: "custom"
            }
        }

        /// The days of a custom retention; `nil` otherwise.
        public var customDays: Int? {
            if case .days(let days) = self { return days }
            return nil
        }

        /// The retention a stored or submitted `kind` (and, for `custom`, `days`) describes; `nil` when it is
        /// not one.
        public init?(kind: String, days: Int?) {
            switch kind {
            case "session": self = .session
            case "30_days": self = .thirtyDays
            case "1_year": self = .oneYear
            case "agreement": self = .untilAgreementEnds
            case "custom":
                guard let days, (1...DataDeclaration.maximumRetentionDays).contains(days) else { return nil }
                self = .days(days)
            default: return nil
            }
        }

        /// Every choice the form offers, with its label (custom last).
        public static let choices: [(kind: String, label: String)] = [
            ("session", "Only while the user is using the app"), ("30_days", "30 days"), ("1_year", "1 year"),
            ("agreement", "Until the school ends its agreement with the app"), ("custom", "A set number of days"),
        ]
    }

    /// Someone the app passes the data to (a hosting provider, an analytics service, …).
    public struct SubProcessor: Sendable, Equatable {
        /// Its name, as the developer writes it.
        public let name: String
        /// The country where it processes the data.
        public let country: String

        /// A sub-processor.
        public init(name: String, country: String) {
            self.name = name
            self.country = country
        }
    }

    /// The scope the declaration is about (a name from the ``ScopeRegistry``).
    public let scope: String
    /// Why the app needs the data, in the developer's words.
    public let purpose: String
    /// How long it is kept.
    public let retention: Retention
    /// Who else receives it; empty when the data stays with the developer.
    public let subProcessors: [SubProcessor]

    /// A declaration from already validated values (see ``DataDeclarationForm``).
    public init(scope: String, purpose: String, retention: Retention, subProcessors: [SubProcessor]) {
        self.scope = scope
        self.purpose = purpose
        self.retention = retention
        self.subProcessors = subProcessors
    }

    /// Whether the data leaves the developer for sub-processors.
    public var sharesWithSubProcessors: Bool { !subProcessors.isEmpty }

    /// The requested scopes that have no declaration in `declarations`, in request order.
    public static func undeclared(_ requested: [String], in declarations: [DataDeclaration]) -> [String] {
        let declared = Set(declarations.map(\.scope))
        return requested.filter { !declared.contains($0) }
    }
}
