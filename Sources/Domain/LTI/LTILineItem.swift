import Foundation

/// A tool's line item in a class (Assignment and Grade Services 2.0 §3.2): a column of the class's gradebook, which
/// CatalystWells keeps as an assessment from the tool (a draft until the teacher publishes it, or published at once,
/// as the school chose for apps' results: ``AppResultsPublication``).
public struct LTILineItem: Sendable, Equatable {
    /// The opaque `{id}` of its URL.
    public var itemID: String
    /// The class (the LTI context).
    public var classID: ClassID
    /// `label`: the assessment's title.
    public var label: String
    /// `scoreMaximum`: the assessment's highest score.
    public var scoreMaximum: Score
    /// `resourceLinkId`: the placement it is bound to, if any.
    public var resourceLinkID: String?
    /// `resourceId`: the tool's own id for the activity.
    public var resourceID: String?
    /// `tag`: the tool's own qualifier.
    public var tag: String?
    /// `startDateTime`.
    public var startDateTime: Date?
    /// `endDateTime` (the assessment's due day is its day, in UTC).
    public var endDateTime: Date?

    /// A line item.
    public init(
        itemID: String, classID: ClassID, label: String, scoreMaximum: Score, resourceLinkID: String? = nil, resourceID: String? = nil,
        tag: String? = nil, startDateTime: Date? = nil, endDateTime: Date? = nil
    ) {
        self.itemID = itemID
        self.classID = classID
        self.label = label
        self.scoreMaximum = scoreMaximum
        self.resourceLinkID = resourceLinkID
        self.resourceID = resourceID
        self.tag = tag
        self.startDateTime = startDateTime
        self.endDateTime = endDateTime
    }

    /// The line item JSON of AGS 2.0 §3.2 (`application/vnd.ims.lis.v2.lineitem+json`), `id` being its URL.
    public func json(url: String) -> JSONValue {
        var fields: [(String, JSONValue)] = [("id", .string(url)), ("label", .string(label)), ("scoreMaximum", scoreMaximum.json)]
        if let resourceLinkID { fields.append(("resourceLinkId", .string(resourceLinkID))) }
        if let resourceID { fields.append(("resourceId", .string(resourceID))) }
        if let tag { fields.append(("tag", .string(tag))) }
        if let startDateTime { fields.append(("startDateTime", .string(LTITimestamp.text(startDateTime)))) }
        if let endDateTime { fields.append(("endDateTime", .string(LTITimestamp.text(endDateTime)))) }
        return .object(fields)
    }
}

/// A line item as a tool sends it (`POST …/lineitems`, `PUT …/lineitems/{id}`), checked.
public struct LTILineItemInput: Sendable, Equatable {
    /// `label`.
    public var label: String
    /// `scoreMaximum`.
    public var scoreMaximum: Score
    /// `resourceLinkId`.
    public var resourceLinkID: String?
    /// `resourceId`.
    public var resourceID: String?
    /// `tag`.
    public var tag: String?
    /// `startDateTime`.
    public var startDateTime: Date?
    /// `endDateTime`.
    public var endDateTime: Date?

    /// The longest `resourceId`, `tag` and `resourceLinkId`.
    public static let maximumIDLength = 255
    /// The longest `label` (an assessment title).
    public static let maximumLabelLength = 200

    /// Checks a body's fields (AGS 2.0 §3.2): a `label` of 1 to 200 characters, a `scoreMaximum` above 0 and at most
    /// 99999.99 with at most two decimals (the gradebook's precision), ids of at most 255 bytes, dates as ISO 8601
    /// date-times with an offset, a start no later than the end. The message says what is wrong.
    public static func validate(
        label: String?, scoreMaximum: Double?, resourceLinkID: String?, resourceID: String?, tag: String?, startDateTime: String?,
        endDateTime: String?
    ) -> Result<LTILineItemInput, LTIServiceFailure> {
        guard let label = label?.trimmingWhitespace(), !label.isEmpty, label.count <= maximumLabelLength else {
            return .failure(.invalid("label is required: 1 to \(maximumLabelLength) characters."))
        }
        guard let maximum = scoreMaximum.flatMap(LTIScoreRules.exactScore), maximum.hundredths > 0 else {
            return .failure(.invalid("scoreMaximum is required: a number above 0, at most 99999.99, with at most two decimals."))
        }
        for (name, value) in [("resourceLinkId", resourceLinkID), ("resourceId", resourceID), ("tag", tag)] {
            if let value, value.isEmpty || value.utf8.count > maximumIDLength {
                return .failure(.invalid("\(name) must be 1 to \(maximumIDLength) bytes when present."))
            }
        }
        var dates: [Date?] = []
        for (name, value) in [("startDateTime", startDateTime), ("endDateTime", endDateTime)] {
            guard let value else {
                dates.append(nil)
                continue
            }
            guard let date = LTITimestamp.parse(value) else {
                return .failure(.invalid("\(name) must be an ISO 8601 date-time with a time zone offset."))
            }
            dates.append(date)
        }
        if let start = dates[0], let end = dates[1], start > end {
            return .failure(.invalid("startDateTime must not be after endDateTime."))
        }
        return .success(
            LTILineItemInput(
                label: label, scoreMaximum: maximum, resourceLinkID: resourceLinkID, resourceID: resourceID, tag: tag, startDateTime: dates[0],
                endDateTime: dates[1]))
    }

    /// A checked line item.
    public init(
        label: String, scoreMaximum: Score, resourceLinkID: String? = nil, resourceID: String? = nil, tag: String? = nil,
        startDateTime: Date? = nil, endDateTime: Date? = nil
    ) {
        self.label = label
        self.scoreMaximum = scoreMaximum
        self.resourceLinkID = resourceLinkID
        self.resourceID = resourceID
        self.tag = tag
        self.startDateTime = startDateTime
        self.endDateTime = endDateTime
    }

    /// The day the gradebook shows as the assessment's due date: the end's day in UTC.
    public var dueDate: CalendarDate? {
        endDateTime.flatMap { CalendarDate(String(LTITimestamp.text($0).prefix(10))) }
    }
}

/// The filters of `GET …/lineitems` (AGS 2.0 §3.2.5): each present one must match exactly.
public struct LTILineItemFilter: Sendable, Equatable {
    /// `resource_link_id`.
    public var resourceLinkID: String?
    /// `resource_id`.
    public var resourceID: String?
    /// `tag`.
    public var tag: String?

    /// A filter.
    public init(resourceLinkID: String? = nil, resourceID: String? = nil, tag: String? = nil) {
        self.resourceLinkID = resourceLinkID
        self.resourceID = resourceID
        self.tag = tag
    }
}

/// A page of a container (line items, results): at most `limit` entries after `offset`.
public struct LTIPage: Sendable, Equatable {
    /// Entries skipped.
    public var offset: Int
    /// Most entries returned.
    public var limit: Int

    /// The largest and default `limit`.
    public static let maximumLimit = 100

    /// A page.
    public init(offset: Int, limit: Int) {
        self.offset = offset
        self.limit = limit
    }

    /// The page that `limit` and `page` (1-based) name, both optional; `nil` when either is not a positive integer
    /// (a `limit` above ``maximumLimit`` is lowered to it, as AGS 2.0 §3.2.5 lets the platform do).
    public static func from(limit: String?, page: String?) -> LTIPage? {
        let size: Int
        if let limit {
            guard limit.utf8.count <= 6, let value = Int(limit), value > 0 else { return nil }
            size = min(value, maximumLimit)
        } else {
            size = maximumLimit
        }
        var number = 1
        if let page {
            guard page.utf8.count <= 6, let value = Int(page), value > 0 else { return nil }
            number = value
        }
        return LTIPage(offset: (number - 1) * size, limit: size)
    }

    /// The 1-based number of the next page.
    public var nextPageNumber: Int { offset / limit + 2 }
}

/// A refusal of an AGS call, with the status AGS and RFC 6750 give it; the description is for the tool's developer.
public struct LTIServiceFailure: Error, Sendable, Equatable {
    /// The HTTP status.
    public let status: Int
    /// The `error` code.
    public let error: String
    /// The `error_description`.
    public let description: String

    /// A failure.
    public init(status: Int, error: String, description: String) {
        self.status = status
        self.error = error
        self.description = description
    }

    /// 400 `invalid_request`: the body or a parameter is wrong.
    public static func invalid(_ description: String) -> LTIServiceFailure {
        LTIServiceFailure(status: 400, error: "invalid_request", description: description)
    }

    /// 404: no such line item of this tool in this class.
    public static let unknownLineItem = LTIServiceFailure(
        status: 404, error: "not_found", description: "No line item of this tool has this id in this class.")
}

extension Score {
    /// The score as a JSON number.
    var json: JSONValue { .double(Double(hundredths) / 100) }
}
