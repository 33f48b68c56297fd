/// The collection parameters of a OneRoster list call (REST binding §3.4: paging, sorting, filtering and field
/// selection), validated against the collection's fields.
public struct OneRosterListQuery: Sendable, Equatable {
    /// Items per page (`limit`): 1 to ``maximumLimit``, ``defaultLimit`` when absent.
    public let limit: Int
    /// Items skipped (`offset`), from 0.
    public let offset: Int
    /// The sort field (`sort`); `nil` sorts by `sourcedId`.
    public let sort: OneRosterField?
    /// `orderBy=desc`.
    public let descending: Bool
    /// The filter, if any.
    public let filter: OneRosterFilter?
    /// The selected fields (`fields`), in the collection's order; `nil` for all.
    public let fields: [String]?

    /// The specification's default page size.
    public static let defaultLimit = 100
    /// Largest page served.
    public static let maximumLimit = 1000
    /// Largest offset served (a deeper page is a sign of a broken client, and costs a long index walk).
    public static let maximumOffset = 10_000_000

    /// A query (tests and nested calls build them directly).
    public init(
        limit: Int = defaultLimit, offset: Int = 0, sort: OneRosterField? = nil, descending: Bool = false, filter: OneRosterFilter? = nil,
        fields: [String]? = nil
    ) {
        self.limit = limit
        self.offset = offset
        self.sort = sort
        self.descending = descending
        self.filter = filter
        self.fields = fields
    }

    /// Parses the parameters of a call on a collection of `entity`. `parameter` gives a query parameter's value
    /// (`nil` when absent); `repeated` names those sent more than once, which are refused rather than guessed at.
    public static func parse(
        entity: OneRosterEntity, repeated: Set<String>, _ parameter: (String) -> String?
    ) -> Result<OneRosterListQuery, OneRosterFailure> {
        for name in ["limit", "offset", "sort", "orderBy", "filter", "fields"] where repeated.contains(name) {
            return .failure(.invalidData("Send the \(name) parameter once."))
        }
        var limit = defaultLimit
        if let text = parameter("limit") {
            guard text.utf8.count <= 7, let value = Int(text), (1...maximumLimit).contains(value) else {
                return .failure(.invalidData("limit must be a whole number from 1 to \(maximumLimit)."))
            }
            limit = value
        }
        var offset = 0
        if let text = parameter("offset") {
            guard text.utf8.count <= 9, let value = Int(text), (0...maximumOffset).contains(value) else {
                return .failure(.invalidData("offset must be a whole number from 0 to \(maximumOffset)."))
            }
            offset = value
        }
        var sort: OneRosterField?
        if let name = parameter("sort") {
            guard let field = entity.field(named: name), field.filterable else {
                return .failure(.invalidSelection("The sort field \(name) does not exist on \(entity.collection) or cannot be sorted on."))
            }
            sort = field
        }
        var descending = false
        if let order = parameter("orderBy") {
            switch order {
            case "asc": descending = false
            case "desc": descending = true
            default: return .failure(.invalidData("orderBy must be asc or desc."))
            }
        }
        var filter: OneRosterFilter?
        if let text = parameter("filter") {
            switch OneRosterFilter.parse(text, for: entity) {
            case .success(let parsed): filter = parsed
            case .failure(let failure): return .failure(failure)
            }
        }
        var fields: [String]?
        if let text = parameter("fields") {
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            for name in names where entity.field(named: name) == nil {
                return .failure(
                    .invalidSelection(
                        name.isEmpty ? "fields lists an empty name." : "The field \(name) does not exist on \(entity.collection)."))
            }
            let wanted = Set(names)
            fields = entity.fields.map(\.name).filter(wanted.contains)
        }
        return .success(OneRosterListQuery(limit: limit, offset: offset, sort: sort, descending: descending, filter: filter, fields: fields))
    }

    /// The paging links of a page (REST binding §3.4.1: `Link` with `next`, `prev`, `first`, `last`): offsets
    /// by relation, for a collection of `total` items. `next` and `prev` are left out at the ends.
    public func links(total: Int) -> [(relation: String, offset: Int)] {
        let lastOffset = total == 0 ? 0 : ((total - 1) / limit) * limit
        var links: [(String, Int)] = []
        if offset + limit < total { links.append(("next", offset + limit)) }
        if offset > 0 { links.append(("prev", max(0, min(offset - limit, lastOffset)))) }
        links.append(("first", 0))
        links.append(("last", lastOffset))
        return links
    }
}
