/// An app's data declarations in plain words, like an app store's privacy label: for each scope shown, what
/// the app gets, why, how long it keeps it and who else receives it. The consent page and the school's app page
/// show it; the wording is here so both say the same and tests can read it.
public struct DataLabel: Sendable, Equatable {
    /// One scope's line of the label.
    public struct Entry: Sendable, Equatable {
        /// The scope's name.
        public let scope: String
        /// What the app gets: the scope's description as the consent page words it.
        public let what: String
        /// Why, in the developer's words; `nil` when the developer declared nothing for this scope.
        public let why: String?
        /// How long it is kept; `nil` when undeclared.
        public let howLong: String?
        /// Who else receives it; `nil` when undeclared.
        public let whoElse: String?
    }

    /// The entries, in the order of the scopes given.
    public let entries: [Entry]

    /// The label of `scopes` (as the page lists them) from `declarations`, naming the app's developer
    /// `developer` when the data stays with them.
    public init(scopes: [ScopeDefinition], declarations: [DataDeclaration], developer: String) {
        entries = scopes.map { scope in
            guard let declaration = declarations.first(where: { $0.scope == scope.name }) else {
                return Entry(scope: scope.name, what: scope.description, why: nil, howLong: nil, whoElse: nil)
            }
            return Entry(
                scope: scope.name, what: scope.description, why: declaration.purpose, howLong: Self.howLong(declaration.retention),
                whoElse: Self.whoElse(declaration.subProcessors, developer: developer))
        }
    }

    /// Whether any entry has no declaration (an app approved before declarations existed).
    public var hasUndeclared: Bool { entries.contains { $0.why == nil } }

    /// The retention as a sentence.
    public static func howLong(_ retention: DataDeclaration.Retention) -> String {
        switch retention {
        case .session: "Only while you are using the app; deleted when you stop."
        case .thirtyDays: "Kept for 30 days, then deleted."
        case .oneYear: "Kept for 1 year, then deleted."
        case .untilAgreementEnds: "Kept until your school ends its agreement with the app, then deleted."
        case .days(1): "Kept for 1 day, then deleted."
        case .days(let days): "Kept for \(days) days, then deleted."
        }
    }

    /// The sub-processors as a sentence.
    public static func whoElse(_ processors: [DataDeclaration.SubProcessor], developer: String) -> String {
        guard !processors.isEmpty else {
            return developer.isEmpty ? "No one else." : "No one else: it stays with \(developer)."
        }
        return "Also shared with " + processors.map { "\($0.name) (\($0.country))" }.joined(separator: ", ") + "."
    }
}
