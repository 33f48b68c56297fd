import Domain
import Foundation

/// The JSON forms of data declarations in both databases (`schema/developers/0013…`, `schema/main/0031…`):
/// written by ``JSONValue``, read by ``JSONParser``. A value this code cannot read is left out rather than
/// guessed; since the reviewed digest covers the declarations, an app whose stored declarations do not read
/// back whole is refused by sync, not run with fewer.
enum DataDeclarationColumns {
    /// The declarations as the developers database stores them.
    static func json(_ declarations: [DataDeclaration]) -> String {
        JSONValue.array(
            declarations.map { declaration in
                .object([
                    ("scope", .string(declaration.scope)), ("purpose", .string(declaration.purpose)),
                    ("retention", .string(declaration.retention.kind)), ("retention_days", .optional(declaration.retention.customDays)),
                    ("sub_processors", processorsValue(declaration.subProcessors)),
                ])
            }
        ).text
    }

    /// The sub-processors as main stores them.
    static func processorsJSON(_ processors: [DataDeclaration.SubProcessor]) -> String { processorsValue(processors).text }

    private static func processorsValue(_ processors: [DataDeclaration.SubProcessor]) -> JSONValue {
        .array(processors.map { .object([("name", .string($0.name)), ("country", .string($0.country))]) })
    }

    /// The declarations of a developers-database column; `nil` when the text is not what ``json(_:)`` writes.
    static func declarations(_ text: String) -> [DataDeclaration]? {
        guard let items = (try? JSONParser.parse(Array(text.utf8)))?.arrayValue else { return nil }
        var result: [DataDeclaration] = []
        for item in items {
            guard let scope = item[member: "scope"]?.stringValue, let purpose = item[member: "purpose"]?.stringValue,
                let kind = item[member: "retention"]?.stringValue,
                let retention = DataDeclaration.Retention(kind: kind, days: item[member: "retention_days"]?.intValue),
                let processors = item[member: "sub_processors"].flatMap(subProcessors)
            else { return nil }
            result.append(DataDeclaration(scope: scope, purpose: purpose, retention: retention, subProcessors: processors))
        }
        return result
    }

    /// The sub-processors of a JSON text (main's column).
    static func subProcessors(_ text: String) -> [DataDeclaration.SubProcessor]? {
        (try? JSONParser.parse(Array(text.utf8))).flatMap(subProcessors)
    }

    private static func subProcessors(_ value: JSONValue) -> [DataDeclaration.SubProcessor]? {
        guard let items = value.arrayValue else { return nil }
        var result: [DataDeclaration.SubProcessor] = []
        for item in items {
            guard let name = item[member: "name"]?.stringValue, let country = item[member: "country"]?.stringValue else { return nil }
            result.append(.init(name: name, country: country))
        }
        return result
    }
}
