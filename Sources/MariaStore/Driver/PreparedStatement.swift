import CMariaDB
import Domain
import Foundation

/// One server-side prepared statement, owned by its connection.
///
/// What a statement's result looks like (column names and kinds, and the buffers rows are fetched into) is read
/// from the server's metadata once, at the first execution, and kept with the statement: a prepared statement's
/// columns cannot change under it (a changed table makes the server answer 1615 and the connection prepares the
/// statement afresh, with a new shape).
final class PreparedStatement {
    private let statement: UnsafeMutablePointer<MYSQL_STMT>
    private let sql: String
    private let parameterCount: Int
    private let fieldCount: Int
    private var shape: ResultShape?

    /// Column names, kinds and fetch buffers of a statement's result.
    private struct ResultShape {
        let columns: ColumnIndex
        let kinds: [ColumnKind]
        let buffers: BindBuffers
    }

    init(connection: UnsafeMutablePointer<MYSQL>, sql: String) throws {
        guard let statement = mysql_stmt_init(connection) else {
            throw MariaErrorMapping.storeError(
                code: mysql_errno(connection), message: String(cString: mysql_error(connection)),
                context: "prepare")
        }
        let rc = sql.withCString { mysql_stmt_prepare(statement, $0, UInt(strlen($0))) }
        guard rc == 0 else {
            let error = MariaErrorMapping.storeError(
                code: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)),
                context: "prepare \(sql)")
            mysql_stmt_close(statement)
            throw error
        }
        self.statement = statement
        self.sql = sql
        self.parameterCount = Int(mysql_stmt_param_count(statement))
        self.fieldCount = Int(mysql_stmt_field_count(statement))
    }

    deinit { mysql_stmt_close(statement) }

    func execute(_ values: [SQLValue]) throws -> QueryResult {
        // A mismatch is a bug in the query text, not a runtime condition.
        precondition(values.count == parameterCount, "\(sql): \(parameterCount) placeholders, \(values.count) values")
        let parameters = BindBuffers(count: values.count)
        for (index, value) in values.enumerated() { parameters.setParameter(index, value) }
        if !values.isEmpty, mysql_stmt_bind_param(statement, parameters.binds) != 0 {
            throw lastError("bind")
        }
        guard mysql_stmt_execute(statement) == 0 else { throw lastError("execute") }
        guard fieldCount > 0 else {
            return QueryResult(
                rows: [], affectedRows: Int(mysql_stmt_affected_rows(statement)), insertID: Int64(mysql_stmt_insert_id(statement)))
        }
        defer { mysql_stmt_free_result(statement) }
        return QueryResult(rows: try fetchRows(try resultShape()), affectedRows: 0, insertID: 0)
    }

    /// The result's shape, read from the metadata at the first execution.
    private func resultShape() throws -> ResultShape {
        if let shape { return shape }
        guard let metadata = mysql_stmt_result_metadata(statement) else { throw lastError("metadata") }
        defer { mysql_free_result(metadata) }
        let count = Int(mysql_num_fields(metadata))
        let fields = mysql_fetch_fields(metadata)!
        var names: [String] = []
        var kinds: [ColumnKind] = []
        for i in 0..<count {
            names.append(String(cString: fields[i].name))
            kinds.append(ColumnKind(fields[i]))
        }
        let buffers = BindBuffers(count: count)
        for i in 0..<count { buffers.prepareResult(i, kinds[i]) }
        let shape = ResultShape(columns: ColumnIndex(names: names), kinds: kinds, buffers: buffers)
        self.shape = shape
        return shape
    }

    private func fetchRows(_ shape: ResultShape) throws -> [Row] {
        let count = shape.kinds.count
        let results = shape.buffers
        guard mysql_stmt_store_result(statement) == 0 else { throw lastError("store result") }
        guard mysql_stmt_bind_result(statement, results.binds) == 0 else { throw lastError("bind result") }

        var rows: [Row] = []
        rows.reserveCapacity(Int(mysql_stmt_num_rows(statement)))
        while true {
            let rc = mysql_stmt_fetch(statement)
            if rc == MYSQL_NO_DATA { break }
            if rc == 1 { throw lastError("fetch") }
            var values: [SQLValue] = []
            values.reserveCapacity(count)
            for i in 0..<count {
                values.append(try results.resultValue(i, shape.kinds[i], statement: statement))
            }
            rows.append(Row(columns: shape.columns, values: values))
        }
        return rows
    }

    private func lastError(_ step: String) -> StoreError {
        MariaErrorMapping.storeError(
            code: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)),
            context: "\(step) \(sql)")
    }
}

/// How a result column is read back.
enum ColumnKind {
    case integer(unsigned: Bool)
    case floating
    case time
    case bytes

    init(_ field: MYSQL_FIELD) {
        switch field.type {
        case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_LONG, MYSQL_TYPE_INT24, MYSQL_TYPE_LONGLONG,
            MYSQL_TYPE_YEAR:
            self = .integer(unsigned: field.flags & UInt32(UNSIGNED_FLAG) != 0)
        case MYSQL_TYPE_FLOAT, MYSQL_TYPE_DOUBLE:
            self = .floating
        case MYSQL_TYPE_DATE, MYSQL_TYPE_DATETIME, MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_DATETIME2,
            MYSQL_TYPE_TIMESTAMP2:
            self = .time
        default:
            self = .bytes
        }
    }
}

/// The `MYSQL_BIND` array of one execution and the memory it points into, freed together.
private final class BindBuffers {
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let count: Int
    private let lengths: UnsafeMutablePointer<UInt>
    private let nulls: UnsafeMutablePointer<my_bool>
    private var owned: [UnsafeMutableRawPointer] = []

    private static let initialTextCapacity = 256

    init(count: Int) {
        self.count = count
        let capacity = max(count, 1)
        binds = .allocate(capacity: capacity)
        binds.initialize(repeating: MYSQL_BIND(), count: capacity)
        lengths = .allocate(capacity: capacity)
        lengths.initialize(repeating: 0, count: capacity)
        nulls = .allocate(capacity: capacity)
        nulls.initialize(repeating: 0, count: capacity)
    }

    deinit {
        for pointer in owned { pointer.deallocate() }
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
    }

    private func allocate(_ size: Int) -> UnsafeMutableRawPointer {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(size, 1), alignment: 16)
        owned.append(pointer)
        return pointer
    }

    func setParameter(_ i: Int, _ value: SQLValue) {
        switch value {
        case .null:
            binds[i].buffer_type = MYSQL_TYPE_NULL
        case .int(let v):
            let buffer = allocate(8)
            buffer.storeBytes(of: v, as: Int64.self)
            binds[i].buffer_type = MYSQL_TYPE_LONGLONG
            binds[i].buffer = buffer
        case .double(let v):
            let buffer = allocate(8)
            buffer.storeBytes(of: v, as: Double.self)
            binds[i].buffer_type = MYSQL_TYPE_DOUBLE
            binds[i].buffer = buffer
        case .text(let s):
            setBytes(i, Array(s.utf8), type: MYSQL_TYPE_STRING)
        case .bytes(let b):
            setBytes(i, b, type: MYSQL_TYPE_BLOB)
        case .date(let d):
            let buffer = allocate(MemoryLayout<MYSQL_TIME>.size)
            let f = CivilTime.fields(of: d)
            var time = MYSQL_TIME()
            time.year = UInt32(f.year)
            time.month = UInt32(f.month)
            time.day = UInt32(f.day)
            time.hour = UInt32(f.hour)
            time.minute = UInt32(f.minute)
            time.second = UInt32(f.second)
            time.second_part = UInt(f.microsecond)
            time.time_type = MYSQL_TIMESTAMP_DATETIME
            buffer.storeBytes(of: time, as: MYSQL_TIME.self)
            binds[i].buffer_type = MYSQL_TYPE_DATETIME
            binds[i].buffer = buffer
        }
    }

    private func setBytes(_ i: Int, _ bytes: [UInt8], type: enum_field_types) {
        let buffer = allocate(bytes.count)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(buffer), byteCount: $0.count) }
        lengths[i] = UInt(bytes.count)
        binds[i].buffer_type = type
        binds[i].buffer = buffer
        binds[i].buffer_length = UInt(bytes.count)
        binds[i].length = lengths + i
    }

    func prepareResult(_ i: Int, _ kind: ColumnKind) {
        binds[i].is_null = nulls + i
        binds[i].length = lengths + i
        switch kind {
        case .integer(let unsigned):
            binds[i].buffer_type = MYSQL_TYPE_LONGLONG
            binds[i].buffer = allocate(8)
            binds[i].buffer_length = 8
            binds[i].is_unsigned = unsigned ? 1 : 0
        case .floating:
            binds[i].buffer_type = MYSQL_TYPE_DOUBLE
            binds[i].buffer = allocate(8)
            binds[i].buffer_length = 8
        case .time:
            binds[i].buffer_type = MYSQL_TYPE_DATETIME
            binds[i].buffer = allocate(MemoryLayout<MYSQL_TIME>.size)
            binds[i].buffer_length = UInt(MemoryLayout<MYSQL_TIME>.size)
        case .bytes:
            binds[i].buffer_type = MYSQL_TYPE_BLOB
            binds[i].buffer = allocate(Self.initialTextCapacity)
            binds[i].buffer_length = UInt(Self.initialTextCapacity)
        }
    }

    func resultValue(_ i: Int, _ kind: ColumnKind, statement: UnsafeMutablePointer<MYSQL_STMT>) throws -> SQLValue {
        if nulls[i] != 0 { return .null }
        let buffer = binds[i].buffer!
        switch kind {
        case .integer(let unsigned):
            if unsigned {
                let v = buffer.load(as: UInt64.self)
                if let exact = Int64(exactly: v) { return .int(exact) }
                return .bytes(Array(String(v).utf8))
            }
            return .int(buffer.load(as: Int64.self))
        case .floating:
            return .double(buffer.load(as: Double.self))
        case .time:
            let t = buffer.load(as: MYSQL_TIME.self)
            return .date(
                CivilTime.date(
                    from: .init(
                        year: Int(t.year), month: Int(max(t.month, 1)), day: Int(max(t.day, 1)), hour: Int(t.hour),
                        minute: Int(t.minute), second: Int(t.second), microsecond: Int(t.second_part))))
        case .bytes:
            let length = Int(lengths[i])
            if length <= Int(binds[i].buffer_length) {
                return .bytes(Array(UnsafeRawBufferPointer(start: buffer, count: length)))
            }
            // The value is longer than the bound buffer: fetch this column again into a buffer of its size.
            var bytes = [UInt8](repeating: 0, count: length)
            var fetchedLength: UInt = 0
            let rc = bytes.withUnsafeMutableBytes { target -> Int32 in
                var column = MYSQL_BIND()
                column.buffer_type = MYSQL_TYPE_BLOB
                column.buffer = target.baseAddress
                column.buffer_length = UInt(length)
                return withUnsafeMutablePointer(to: &fetchedLength) { lengthPointer in
                    column.length = lengthPointer
                    return mysql_stmt_fetch_column(statement, &column, UInt32(i), 0)
                }
            }
            guard rc == 0 else {
                throw MariaErrorMapping.storeError(
                    code: mysql_stmt_errno(statement), message: String(cString: mysql_stmt_error(statement)),
                    context: "fetch long column")
            }
            return .bytes(bytes)
        }
    }
}
