/// A OneRoster refusal as the specification's status-info payload carries it (`imsx_StatusInfo`: code major,
/// severity, description and one code minor), with its HTTP status.
public struct OneRosterFailure: Error, Sendable, Equatable {
    /// The HTTP status.
    public let status: Int
    /// `imsx_codeMajor`: `failure` (or `unsupported`).
    public let codeMajor: String
    /// `imsx_CodeMinor`'s value: `invalid_filter_field`, `invalid_selection_field`, `invaliddata`,
    /// `unauthorisedrequest`, `forbidden`, `unknownobject`, `server_busy`, `internal_server_error`.
    public let codeMinor: String
    /// `imsx_description`, for the client's developer.
    public let description: String

    /// A failure.
    public init(status: Int, codeMinor: String, description: String, codeMajor: String = "failure") {
        self.status = status
        self.codeMajor = codeMajor
        self.codeMinor = codeMinor
        self.description = description
    }

    /// A malformed filter: 400 `invalid_filter_field`.
    public static func invalidFilter(_ description: String) -> OneRosterFailure {
        OneRosterFailure(status: 400, codeMinor: "invalid_filter_field", description: "Invalid filter: " + description)
    }

    /// A filter naming a field the collection does not have: 400 `invalid_filter_field`.
    public static func invalidFilterField(_ description: String) -> OneRosterFailure {
        OneRosterFailure(status: 400, codeMinor: "invalid_filter_field", description: description)
    }

    /// A `fields` or `sort` naming an unknown field: 400 `invalid_selection_field`.
    public static func invalidSelection(_ description: String) -> OneRosterFailure {
        OneRosterFailure(status: 400, codeMinor: "invalid_selection_field", description: description)
    }

    /// Other bad input (`limit`, `offset`, `orderBy`, a body): 400 `invaliddata`.
    public static func invalidData(_ description: String) -> OneRosterFailure {
        OneRosterFailure(status: 400, codeMinor: "invaliddata", description: description)
    }

    /// An object that does not exist or that the app may not see: 404 `unknownobject` (the same answer for both).
    public static let unknownObject = OneRosterFailure(
        status: 404, codeMinor: "unknownobject", description: "There is no such object, or this app may not see it.")
}
