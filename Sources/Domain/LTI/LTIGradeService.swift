import Foundation

/// Line items, scores and results of LTI Assignment and Grade Services 2.0 (main 0053). Every call names the tool and
/// the class; a line item of another tool or another class is not found.
public protocol LTIGradeStore {
    /// The tool's line items in the class matching `filter`, oldest first, in `page`.
    func lineItems(tool: ClientID, classID: ClassID, filter: LTILineItemFilter, page: LTIPage) throws -> [LTILineItem]
    /// The tool's line item `itemID` in the class; `nil` when there is none.
    func lineItem(_ itemID: String, tool: ClientID, classID: ClassID) throws -> LTILineItem?
    /// The first line item bound to the placement `linkID` (the launch's `lineitem`); `nil` when there is none.
    func defaultLineItem(linkID: String) throws -> String?
    /// Creates a line item: an assessment of the class, created by its first active teacher, from the tool, published
    /// when the school chose so (main 0050), with `itemID`, in one transaction. `.failure` when `resourceLinkId` is not
    /// a placement of the tool in the class, or the class has no active teacher.
    func createLineItem(_ input: LTILineItemInput, itemID: String, tool: ClientID, classID: ClassID, now: Date) throws -> Result<
        LTILineItem, LTIServiceFailure
    >
    /// Replaces a line item's fields (its placement cannot change); `.failure(.unknownLineItem)` when there is none,
    /// 400 when `scoreMaximum` is below a grade already given or `resourceLinkId` differs.
    func updateLineItem(_ itemID: String, _ input: LTILineItemInput, tool: ClientID, classID: ClassID, now: Date) throws -> Result<
        LTILineItem, LTIServiceFailure
    >
    /// Deletes a line item with its assessment, grades and scores (one transaction); `false` when there is none.
    func deleteLineItem(_ itemID: String, tool: ClientID, classID: ClassID) throws -> Bool
    /// Posts a score for `student` (whom the caller mapped from `userId`): in one transaction, with the line item's
    /// row locked, decides by ``LTIScoreRules/decide(_:lineItemMaximum:stored:)`` and writes the grade (as the
    /// assessment's teacher, marked as the tool's) and the score's timestamp and progress, or nothing.
    func postScore(_ score: LTIScorePost, student: UserID, itemID: String, tool: ClientID, classID: ClassID, now: Date) throws -> LTIScoreOutcome
    /// The grades of a line item's assessment, by student id, optionally of one student, in `page`; `nil` when the
    /// line item is unknown.
    func results(itemID: String, tool: ClientID, classID: ClassID, student: UserID?, page: LTIPage) throws -> [LTIResult]?
}

/// Addresses, media types and lending rules of the AGS endpoints (issue 19 item 2).
public enum LTIGradeRules {
    /// `application/vnd.ims.lis.v2.lineitemcontainer+json` (AGS 2.0 §3.2).
    public static let lineItemContainerType = "application/vnd.ims.lis.v2.lineitemcontainer+json"
    /// `application/vnd.ims.lis.v2.lineitem+json`.
    public static let lineItemType = "application/vnd.ims.lis.v2.lineitem+json"
    /// `application/vnd.ims.lis.v1.score+json` (§3.4).
    public static let scoreType = "application/vnd.ims.lis.v1.score+json"
    /// `application/vnd.ims.lis.v2.resultcontainer+json` (§3.3).
    public static let resultContainerType = "application/vnd.ims.lis.v2.resultcontainer+json"
    /// Prefix of a line item's opaque id.
    public static let itemPrefix = "li_"
    /// The AGS scopes, in the order the claim lists them.
    public static let scopes = [LTIScopes.lineItem, LTIScopes.lineItemRead, LTIScopes.resultRead, LTIScopes.score]

    /// The class's line items URL (the claim's `lineitems`).
    public static func lineItemsURL(base: String, classID: ClassID) -> String { base + "/api/lti/contexts/\(classID.rawValue)/lineitems" }

    /// A line item's URL (its `id`, and the claim's `lineitem`).
    public static func lineItemURL(base: String, classID: ClassID, itemID: String) -> String {
        lineItemsURL(base: base, classID: classID) + "/" + itemID
    }

    /// Whether the school lends the tool `scope`: it allows the tool (or has not decided) and, when it limits the
    /// app's scopes, the limit includes it.
    public static func schoolLends(_ scope: String, _ policy: SchoolAppPolicy?) -> Bool {
        let policy = policy ?? .default
        return policy.allowsAuthorization && (policy.scopeLimit?.contains(scope) ?? true)
    }

    /// The AGS scopes a launch's endpoint claim lists: those the tool was granted and the school lends; empty means
    /// no claim (a tool never learns of a service it cannot call).
    public static func claimScopes(granted: [String], policy: SchoolAppPolicy?) -> [String] {
        scopes.filter { granted.contains($0) && schoolLends($0, policy) }
    }

    /// The line item container (AGS 2.0 §3.2.5: a JSON array of line items).
    public static func container(_ items: [LTILineItem], base: String) -> JSONValue {
        .array(items.map { $0.json(url: lineItemURL(base: base, classID: $0.classID, itemID: $0.itemID)) })
    }
}
