import Domain
import Foundation

/// JSON bodies of the education API's writes, decoded strictly: a wrong type or a missing member is a 400
/// naming the member (`marks[2].student_id`), never a crash or a guess.
enum APIRequestBody {
    /// Largest body a write accepts.
    static let maximumBytes = 256 * 1024
    /// Most rows in one write (a class roster is far smaller).
    static let maximumRows = 1000

    /// `POST /api/v1/classes/{id}/attendance`.
    struct Attendance: Decodable {
        struct Mark: Decodable {
            let studentID: Int64
            let status: String
            let note: String?
            enum CodingKeys: String, CodingKey {
                case studentID = "student_id", status, note
            }
        }
        /// The day; today when absent.
        let date: String?
        let marks: [Mark]
    }

    /// `POST /api/v1/assessments/{id}/grades`.
    struct Grades: Decodable {
        struct Grade: Decodable {
            let studentID: Int64
            let score: ScoreText
            let comment: String?
            enum CodingKeys: String, CodingKey {
                case studentID = "student_id", score, comment
            }
        }
        let grades: [Grade]
        /// Publish the assessment in the same step, so students and parents see the grades.
        let publish: Bool?
    }

    /// A score sent as a JSON number (`87.5`) or string (`"87.5"`); ``Score`` validates the text.
    struct ScoreText: Decodable {
        let text: String
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self.text = text
            } else {
                let number = try container.decode(Double.self)
                // Whole numbers print without ".0"; others in Swift's shortest round-trip form.
                self.text = number.rounded() == number && abs(number) < 1e9 ? String(Int64(number)) : String(number)
            }
        }
    }

    /// Decodes a body of `type`, or throws the 400 that names what is wrong.
    static func decode<T: Decodable>(_ type: T.Type, from request: HTTPRequest) throws(APIFailure) -> T {
        let contentType = request.headers["content-type"]?.split(separator: ";").first?.trimmingHTTPWhitespace().lowercased()
        guard contentType == "application/json" else {
            throw APIFailure(status: 415, code: "invalid_request", message: "Send the body as application/json.", fields: [:])
        }
        guard request.body.count <= maximumBytes else {
            throw APIFailure(status: 413, code: "invalid_request", message: "The body is larger than \(maximumBytes) bytes.", fields: [:])
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(request.body))
        } catch let error as DecodingError {
            throw APIFailure.invalid(fieldError(error))
        } catch {
            throw APIFailure.invalid(["body": "The body is not valid JSON."])
        }
    }

    /// The decoder's complaint as a field name and a message written here (its own texts mention Swift types).
    private static func fieldError(_ error: DecodingError) -> [String: String] {
        func path(_ keys: [any CodingKey]) -> String {
            var out = ""
            for key in keys {
                if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
            }
            return out.isEmpty ? "body" : out
        }
        switch error {
        case .keyNotFound(let key, let context):
            return [path(context.codingPath + [key]): "This member is required."]
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return [path(context.codingPath): "This member has the wrong type (see the OpenAPI document)."]
        case .dataCorrupted(let context):
            return [path(context.codingPath): context.codingPath.isEmpty ? "The body is not valid JSON." : "This value is not valid."]
        @unknown default:
            return ["body": "The body could not be read."]
        }
    }
}
