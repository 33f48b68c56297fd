import Foundation

/// The data declaration fields of one scope on the app form, as typed, so a refused form shows them again.
///
/// The portal names them `purpose.<scope>`, `retention.<scope>`, `retention_days.<scope>`, `shares.<scope>`
/// (`yes` or `no`) and `subprocessors.<scope>` (one `Name, Country` per line; the last comma separates the
/// country, so a name may contain commas). A block left entirely empty is no declaration (a draft may be
/// incomplete; submission asks for it); a block partly filled in is checked whole.
public struct DataDeclarationForm: Sendable, Equatable {
    /// The scope.
    public var scope: String
    /// The `purpose.<scope>` field.
    public var purpose: String
    /// The `retention.<scope>` choice (a ``DataDeclaration/Retention/kind``), empty when none is chosen.
    public var retention: String
    /// The `retention_days.<scope>` field, used with the `custom` retention.
    public var retentionDays: String
    /// The `shares.<scope>` answer: `yes`, `no`, or empty.
    public var shares: String
    /// The `subprocessors.<scope>` textarea.
    public var subProcessors: String

    /// The fields of one scope.
    public init(
        scope: String, purpose: String = "", retention: String = "", retentionDays: String = "", shares: String = "", subProcessors: String = ""
    ) {
        self.scope = scope
        self.purpose = purpose
        self.retention = retention
        self.retentionDays = retentionDays
        self.shares = shares
        self.subProcessors = subProcessors
    }

    /// The fields that show `declaration` again.
    public init(_ declaration: DataDeclaration) {
        self.init(
            scope: declaration.scope, purpose: declaration.purpose, retention: declaration.retention.kind,
            retentionDays: declaration.retention.customDays.map(String.init) ?? "", shares: declaration.sharesWithSubProcessors ? "yes" : "no",
            subProcessors: declaration.subProcessors.map { "\($0.name), \($0.country)" }.joined(separator: "\n"))
    }

    /// The form field key its problems are reported under.
    public var errorKey: String { "declaration.\(scope)" }

    /// Whether nothing was filled in.
    public var isEmpty: Bool {
        purpose.trimmingWhitespace().isEmpty && retention.isEmpty && retentionDays.trimmingWhitespace().isEmpty && shares.isEmpty
            && subProcessors.trimmingWhitespace().isEmpty
    }

    /// The declaration, `nil` for an empty block, or the first problem as a sentence for the page.
    public func validate() -> Result<DataDeclaration?, SchoolworkForms.Problem> {
        if isEmpty { return .success(nil) }
        let purpose = purpose.replacingOccurrences(of: "\r\n", with: "\n").trimmingWhitespace()
        if purpose.isEmpty { return .failure(.init(Message("declaration.error.purpose", "Say why the app needs this data."))) }
        if purpose.unicodeScalars.count > DataDeclaration.maximumPurposeLength {
            let most = DataDeclaration.maximumPurposeLength
            return .failure(.init(Message("declaration.error.purpose_max", count: most, "Use at most \(most) characters for the purpose.")))
        }
        if purpose.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) {
            return .failure(.init(Message("declaration.error.purpose_control", "Remove the control characters from the purpose.")))
        }
        let days = retentionDays.trimmingWhitespace()
        let retention: DataDeclaration.Retention
        switch self.retention {
        case "custom":
            guard !days.isEmpty, days.utf8.count <= 5, days.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let count = Int(days),
                let value = DataDeclaration.Retention(kind: "custom", days: count)
            else {
                let most = DataDeclaration.maximumRetentionDays
                return .failure(
                    .init(
                        Message(
                            "declaration.error.retention_days", count: most,
                            "Enter the number of days the data is kept: a whole number from 1 to \(most).")))
            }
            retention = value
        case let kind:
            guard let value = DataDeclaration.Retention(kind: kind, days: nil) else {
                return .failure(.init(Message("declaration.error.retention", "Choose how long the data is kept.")))
            }
            retention = value
        }
        let lines = ApplicationForm.lines(subProcessors)
        let processors: [DataDeclaration.SubProcessor]
        switch shares {
        case "no":
            guard lines.isEmpty else {
                return .failure(
                    .init(
                        Message(
                            "declaration.error.shares_no",
                            "You answered that the data goes to no one else but listed sub-processors: answer yes, or remove them.")))
            }
            processors = []
        case "yes":
            guard !lines.isEmpty else {
                return .failure(
                    .init(Message("declaration.error.sub_processors", "List the sub-processors the data goes to, one per line as: Name, Country.")))
            }
            guard lines.count <= DataDeclaration.maximumSubProcessors else {
                let most = DataDeclaration.maximumSubProcessors
                return .failure(
                    .init(Message("declaration.error.sub_processors_max", count: most, "List at most \(most) sub-processors per scope.")))
            }
            var parsed: [DataDeclaration.SubProcessor] = []
            for line in lines {
                switch Self.subProcessor(line) {
                case .success(let processor):
                    guard !parsed.contains(processor) else { return .failure(.init(.listedTwice(line))) }
                    parsed.append(processor)
                case .failure(let problem): return .failure(problem)
                }
            }
            processors = parsed
        default:
            return .failure(.init(Message("declaration.error.shares", "Answer whether the data goes to sub-processors.")))
        }
        return .success(DataDeclaration(scope: scope, purpose: purpose, retention: retention, subProcessors: processors))
    }

    /// One `Name, Country` line.
    static func subProcessor(_ line: String) -> Result<DataDeclaration.SubProcessor, SchoolworkForms.Problem> {
        guard let comma = line.lastIndex(of: ",") else {
            return .failure(
                .init(Message("declaration.error.no_country", "Write each sub-processor as: Name, Country (\(line) has no country).", ["line": line]))
            )
        }
        let name = String(line[..<comma]).trimmingWhitespace()
        let country = String(line[line.index(after: comma)...]).trimmingWhitespace()
        guard !name.isEmpty, !country.isEmpty else {
            return .failure(
                .init(
                    Message(
                        "declaration.error.name_country", "Write each sub-processor as: Name, Country (\(line) lacks one of them).", ["line": line])))
        }
        guard name.unicodeScalars.count <= DataDeclaration.maximumSubProcessorNameLength,
            country.unicodeScalars.count <= DataDeclaration.maximumCountryLength
        else {
            let (name, country) = (DataDeclaration.maximumSubProcessorNameLength, DataDeclaration.maximumCountryLength)
            return .failure(
                .init(
                    Message(
                        "declaration.error.sub_processor_length",
                        "Use at most \(name) characters for a sub-processor's name and \(country) for its country.",
                        ["name": "\(name)", "country": "\(country)"])))
        }
        guard !(name + country).unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            return .failure(.init(Message("declaration.error.sub_processors_control", "Remove the control characters from the sub-processors.")))
        }
        return .success(.init(name: name, country: country))
    }
}
