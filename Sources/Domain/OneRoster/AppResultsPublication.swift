import Foundation

/// How grades that apps write through the OneRoster gradebook service reach a school's teachers' gradebooks, as
/// the school's admin chooses on `/school/apps`.
public enum AppResultsPublication: String, Sendable, Equatable, CaseIterable {
    /// A line item an app creates is a draft assessment: only teachers see it and its grades until a teacher
    /// publishes it. The default: the teacher stays in charge of what students and parents see.
    case draft
    /// A line item an app creates is published at once: students and parents see its grades as the app sends them.
    case published

    /// What the school admin reads beside the choice.
    public var explanation: String {
        switch self {
        case .draft: "Drafts: only teachers see an app's grades until a teacher publishes the assessment (default)"
        case .published: "Published at once: students and parents see an app's grades as soon as the app sends them"
        }
    }
}

/// The schools' choices of ``AppResultsPublication``.
public protocol GradebookSettingsStore {
    /// The school's choice; ``AppResultsPublication/draft`` when it made none.
    func appResultsPublication(school: SchoolID) throws -> AppResultsPublication
    /// Saves the school's choice. It applies to line items apps create from then on.
    func setAppResultsPublication(_ publication: AppResultsPublication, school: SchoolID, by admin: UserID, now: Date) throws
}
