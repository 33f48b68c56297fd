import Foundation
import Logging
import Synchronization

/// How log lines are written: one JSON object per line (production default, for journald and log shippers) or
/// plain text (`[log] format = text`).
enum LogFormat: String, CaseIterable, Sendable {
    case json
    case text
}

/// The process's log lines on standard error, one `write` per line so the threads' lines never interleave.
///
/// Fields of a JSON line: `time` (UTC, milliseconds), `level`, `logger`, `message`, then the metadata (request
/// lines: `request.id`, `site`, `http.method`, `http.route` (the route's pattern, never the path or query),
/// `http.status`, `duration_ms`, and `user.id` or `oauth.client_id` when the request was authenticated).
/// Warnings and worse go through ``RepeatedLogGate``: the same message again within its window is counted, not
/// written, and one line "(repeated N times …)" follows once the window has passed.
struct LineLogHandler: LogHandler {
    let label: String
    let format: LogFormat
    let gate: RepeatedLogGate
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let now = Date()
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let message = event.message.description
        for summary in gate.due(now: now) {
            write(summary.level, summary.label, summary.text, ["log.repeated": "\(summary.count)"], now: now)
        }
        if event.level >= .warning, !gate.admit(label: label, level: event.level, message: message, now: now) { return }
        write(event.level, label, message, merged, now: now)
    }

    private func write(_ level: Logger.Level, _ label: String, _ message: String, _ metadata: Logger.Metadata, now: Date) {
        let time = now.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        var line: String
        switch format {
        case .json:
            line =
                "{\"time\":\(Self.quoted(time)),\"level\":\"\(level.rawValue)\",\"logger\":\(Self.quoted(label)),\"message\":\(Self.quoted(message))"
            for key in metadata.keys.sorted() where !["time", "level", "logger", "message"].contains(key) {
                line += ",\(Self.quoted(key)):\(Self.quoted("\(metadata[key]!)"))"
            }
            line += "}\n"
        case .text:
            line = "\(time) \(level.rawValue) \(label) :"
            for key in metadata.keys.sorted() { line += " \(key)=\(metadata[key]!)" }
            line += " \(message)\n"
        }
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// A JSON string literal (RFC 8259 §7): quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// Summarises repeated warnings and errors of a process: the first line of a message is written, the same
/// message (same logger) again within `window` is only counted, and once the window has passed one line says how
/// many were left out. An 8-second database outage under load wrote 93,184 lines before (PITFALLS.md); now each
/// worker writes one per message and one summary.
final class RepeatedLogGate: Sendable {
    /// A summary line that is due.
    struct Summary: Equatable {
        let level: Logger.Level
        let label: String
        let text: String
        let count: Int
    }

    private struct Entry {
        var level: Logger.Level
        var started: Date
        var suppressed: Int
    }

    private let window: TimeInterval
    private let entries = Mutex<[String: Entry]>([:])

    /// A gate whose window is `window` seconds.
    init(window: TimeInterval = 10) { self.window = window }

    /// Whether a line of this message is written now (false: counted for the summary).
    func admit(label: String, level: Logger.Level, message: String, now: Date) -> Bool {
        entries.withLock { entries in
            let key = label + "\u{1F}" + message
            if var entry = entries[key], now.timeIntervalSince(entry.started) < window {
                entry.suppressed += 1
                entry.level = max(entry.level, level)
                entries[key] = entry
                return false
            }
            entries[key] = Entry(level: level, started: now, suppressed: 0)
            return true
        }
    }

    /// The summaries whose window has passed, removed from the gate (checked on every line, so they follow soon).
    func due(now: Date) -> [Summary] {
        entries.withLock { entries in
            guard !entries.isEmpty else { return [] }
            var summaries: [Summary] = []
            for (key, entry) in entries where now.timeIntervalSince(entry.started) >= window {
                entries[key] = nil
                guard entry.suppressed > 0, let separator = key.firstIndex(of: "\u{1F}") else { continue }
                let message = String(key[key.index(after: separator)...])
                summaries.append(
                    Summary(
                        level: entry.level, label: String(key[..<separator]),
                        text: "\(message) (repeated \(entry.suppressed) times in \(Int(window)) s)", count: entry.suppressed))
            }
            return summaries.sorted { $0.text < $1.text }
        }
    }
}
