import Foundation
import Glibc
import Testing

/// A function executable started as a FastCGI responder (`FASTCGI_LISTEN`) on a socket in a
/// directory of its own, with its log lines kept in a file the test reads.
final class WarmFunction {
    let directory: String
    let socket: String
    private let log: String
    private let process: Process

    /// Starts `name` with `environment`; the socket's directory gets `directoryMode`.
    init(_ name: String, environment: [String: String], directoryMode: mode_t = 0o700) throws {
        var template = Array("/tmp/payfn-warm.XXXXXX".utf8CString)
        directory = try #require(
            template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }.map { String(cString: $0) })
        chmod(directory, directoryMode)
        socket = directory + "/\(name).sock"
        log = directory + "/function.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process = Process()
        process.executableURL = try Processes.product(name)
        process.environment = environment.merging(["PATH": "/usr/bin:/bin", "FASTCGI_LISTEN": socket]) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The process's exit status once it has ended within `seconds`, or nil while it still runs.
    func exitStatus(within seconds: Double) -> Int32? {
        let end = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < end { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Waits up to 5 s for the socket to appear.
    func waitForSocket() -> Bool {
        for _ in 0..<100 {
            if access(socket, F_OK) == 0 { return true }
            usleep(50_000)
        }
        return false
    }

    /// The JSON log lines written so far.
    var logLines: [[String: Any]] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The most resident memory the process has used, in KiB (`VmHWM`).
    var peakMemoryKiB: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
