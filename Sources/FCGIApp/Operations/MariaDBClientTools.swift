import Foundation

/// The MariaDB client programs (`mariadb-dump`, `mariadb`) run as the migration account: the password goes into a
/// private option file (`--defaults-file`, first argument), never onto a command line other users can read.
struct MariaDBClientTools {
    /// The option file; delete it with its folder.
    let optionFile: String

    /// Writes the option file into `folder` (which must be private) for the migrator account of `configuration`,
    /// whose password must have been loaded.
    init(configuration: Configuration, folder: String) throws {
        let account = configuration.accounts[.migrator]!
        let password = configuration.passwords[.migrator] ?? ""
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        var text = "[client]\nuser=\(quoted(account.user))\npassword=\(quoted(password))\n"
        if configuration.databaseSocket.isEmpty {
            text += "host=\(quoted(configuration.databaseHost))\nport=\(configuration.databasePort)\nprotocol=TCP\n"
        } else {
            text += "socket=\(quoted(configuration.databaseSocket))\n"
        }
        optionFile = folder + "/client.cnf"
        try LocalFile.write(Data(text.utf8), to: optionFile)
    }

    /// Dumps both databases in one consistent snapshot (one `--single-transaction` run covers every database it
    /// names) into `output`.
    func dump(databases: [String], to output: String) throws {
        let tool = try Subprocess.require("mariadb-dump", package: "mariadb-client")
        let result = try tool.run(
            [
                "--defaults-file=\(optionFile)", "--single-transaction", "--quick", "--hex-blob", "--no-tablespaces", "--routines", "--events",
                "--triggers", "--default-character-set=utf8mb4", "--result-file=\(output)", "--databases",
            ] + databases)
        guard result.succeeded else {
            throw OperationsError("mariadb-dump failed: \(Self.plain(result.errors, result.lastError))")
        }
    }

    /// Runs a dump through the `mariadb` client.
    func load(_ dump: String) throws {
        let tool = try Subprocess.require("mariadb", package: "mariadb-client")
        // --binary-mode and --sandbox: client commands in a dump (`\!`, `system`, `source`) are never run.
        let result = try tool.run(["--defaults-file=\(optionFile)", "--binary-mode", "--sandbox", "--batch"], input: dump)
        guard result.succeeded else { throw OperationsError("the mariadb client failed: \(result.lastError)") }
    }

    /// A tool's error, with a full disk said plainly (MariaDB tools report errno 28).
    static func plain(_ errors: String, _ last: String) -> String {
        if errors.contains("errno 28") || errors.contains("errno: 28") || errors.contains("Errcode: 28")
            || errors.localizedCaseInsensitiveContains("no space left")
        {
            return "no space left on the device (\(last))"
        }
        return last
    }
}
