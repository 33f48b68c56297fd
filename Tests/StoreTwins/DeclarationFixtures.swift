import Domain

extension DataDeclaration {
    /// A plain declaration of `scope`: used for lessons, kept 30 days, no sub-processors.
    static func plain(_ scope: String) -> DataDeclaration {
        DataDeclaration(scope: scope, purpose: "Used to show \(scope) in lessons.", retention: .thirtyDays, subProcessors: [])
    }
}

extension ApplicationDraft {
    /// The draft with a plain declaration (``DataDeclaration/plain(_:)``) for every requested scope, as a
    /// complete submission has.
    func declaringEveryScope() -> ApplicationDraft {
        var draft = self
        draft.dataDeclarations = requestedScopes.map(DataDeclaration.plain)
        return draft
    }
}
