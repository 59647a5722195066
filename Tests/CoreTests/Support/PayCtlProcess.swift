import Foundation
import Testing

/// Runs the built `payctl` as a process, the way an operator does.
enum PayCtlProcess {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) }
    }

    /// `payctl` beside the test bundle, in the same build folder.
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("payctl")
    }

    static func run(_ arguments: [String], environment: [String: String], stdin: String = "") throws -> Result {
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "payctl is not built beside the tests: \(binary.path)")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        process.environment = environment.merging(["PATH": "/usr/bin:/bin", "NO_COLOR": "1"]) { _, new in new }
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }
}
