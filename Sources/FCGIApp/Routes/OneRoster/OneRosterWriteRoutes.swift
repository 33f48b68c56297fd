import Domain
import Foundation

/// The gradebook's writes: `PUT /lineItems/{sourcedId}` and `PUT /results/{sourcedId}` (gradebook.createput). The body
/// is decoded strictly (a wrong type is a 400 `invaliddata`), checked by Domain's rules and written in one transaction;
/// the answer is 201 for a new object and 200 for a replaced one, with `sourcedIdPairs` (the app's id is kept).
enum OneRosterWriteRoutes {
    /// Largest body accepted.
    static let maximumBytes = 64 * 1024

    struct Reference: Decodable { let sourcedId: String }

    struct LineItemBody: Decodable {
        struct LineItem: Decodable {
            let sourcedId: String?
            let title: String?
            let `class`: Reference?
            let dueDate: String?
            let resultValueMin: Double?
            let resultValueMax: Double?
        }
        let lineItem: LineItem
    }

    struct ResultBody: Decodable {
        struct Result: Decodable {
            let sourcedId: String?
            let lineItem: Reference?
            let student: Reference?
            let score: Double?
            let scoreStatus: String?
            let comment: String?
        }
        let result: Result
    }

    static func put(_ call: inout OneRosterRoutes.Call, id: String, schools: [SchoolID]) throws -> HTTPResponse {
        let store = call.context.services.api.oneRoster
        let outcome: OneRosterPutOutcome
        switch call.endpoint.entity {
        case .lineItem:
            let body = try decode(LineItemBody.self, call.request).lineItem
            let item = try OneRosterLineItemPut.validate(
                pathID: id, sourcedID: body.sourcedId, title: body.title, classSourcedID: body.class?.sourcedId, dueDate: body.dueDate,
                resultValueMin: body.resultValueMin, resultValueMax: body.resultValueMax
            ).get()
            outcome = try store.putLineItem(item, client: call.clientID, schools: schools, now: call.context.now)
        default:
            let body = try decode(ResultBody.self, call.request).result
            let result = try OneRosterResultPut.validate(
                pathID: id, sourcedID: body.sourcedId, lineItem: body.lineItem?.sourcedId, student: body.student?.sourcedId, score: body.score,
                scoreStatus: body.scoreStatus, comment: body.comment
            ).get()
            outcome = try store.putResult(result, client: call.clientID, schools: schools, now: call.context.now)
        }
        let status: Int
        switch outcome {
        case .notFound: throw OneRosterFailure.unknownObject
        case .refused(let reason): throw OneRosterFailure.invalidData(reason)
        case .created(let school, let person), .replaced(let school, let person):
            status = if case .created = outcome { 201 } else { 200 }
            if let person { call.people.append((person, school)) }
            call.schools.append(school)
        }
        return OAuthHTTP.json(
            .object([("sourcedIdPairs", .object([("suppliedSourcedId", .string(id)), ("allocatedSourcedId", .string(id))]))]), status: status)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ request: HTTPRequest) throws(OneRosterFailure) -> T {
        let contentType = request.headers["content-type"]?.split(separator: ";").first?.trimmingHTTPWhitespace().lowercased()
        guard contentType == "application/json" else {
            throw OneRosterFailure(status: 415, codeMinor: "invaliddata", description: "Send the body as application/json.")
        }
        guard request.body.count <= maximumBytes else {
            throw OneRosterFailure(status: 413, codeMinor: "invaliddata", description: "The body is larger than \(maximumBytes) bytes.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(request.body))
        } catch let DecodingError.keyNotFound(key, context) {
            throw .invalidData("The body lacks \((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")).")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidData("The body's \(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type.")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .invalidData("The body's \(context.codingPath.map(\.stringValue).joined(separator: ".")) is null.")
        } catch {
            throw .invalidData("The body is not valid JSON.")
        }
    }
}
