import Foundation
import Testing

/// Runs the built executables as processes, the way an operator or a gateway does.
enum Processes {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
    }

    /// A product beside the test bundle, in the same build folder.
    static func product(_ name: String) throws -> URL {
        let url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            name)
        try #require(
            FileManager.default.isExecutableFile(atPath: url.path), "\(name) is not built beside the tests: \(url.path)"
        )
        return url
    }

    /// Starts `name` with `environment`; the caller ends it.
    static func spawn(_ name: String, environment: [String: String]) throws -> Process {
        let process = Process()
        process.executableURL = try product(name)
        process.environment = environment.merging(["PATH": "/usr/bin:/bin"]) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func run(_ arguments: [String], environment: [String: String], stdin: String = "") throws -> Result {
        try execute(
            try product("payctl"), arguments,
            environment: environment.merging(["PATH": "/usr/bin:/bin", "NO_COLOR": "1"]) { _, new in new },
            stdin: stdin)
    }

    /// Runs `executable` with exactly `environment`, `stdin` as its input, and waits for it.
    static func execute(
        _ executable: URL, _ arguments: [String], environment: [String: String], stdin: String = ""
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }
}
