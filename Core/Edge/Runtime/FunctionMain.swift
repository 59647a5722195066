import Base
import FoundationEssentials
import Glibc

/// The entry point of every `Functions/<name>/main.swift`: read one event on stdin, answer on
/// stdout, log on stderr, exit.
package enum FunctionMain {
    /// Runs the function once and exits: 0 once an answer is written, 1 if none could be.
    /// On AWS Lambda (`AWS_LAMBDA_RUNTIME_API` set) the same executable is its own `bootstrap`
    /// and serves invocations from the Runtime API until the sandbox ends; with `FASTCGI_LISTEN`
    /// set to a Unix socket path it is a long-lived FastCGI responder (the warm mode behind nginx).
    package static func run(name: String, makeHandler: (FunctionContext) throws -> any Handler) -> Never {
        let environment = ProcessInfo.processInfo.environment
        if let api = environment["AWS_LAMBDA_RUNTIME_API"], !api.isEmpty {
            LambdaRuntime(api: api).serve(
                FunctionRuntime(
                    name: name, environment: environment, longLived: true, onLambda: true, makeHandler: makeHandler))
        }
        if let socket = environment["FASTCGI_LISTEN"], !socket.isEmpty {
            FastCGIServer(path: socket).serve(
                FunctionRuntime(name: name, environment: environment, longLived: true, makeHandler: makeHandler))
        }
        var input = StandardInput()
        let output = invoke(name: name, environment: environment, input: &input, makeHandler: makeHandler)
        exit(writeAll(output, to: 1) ? 0 : 1)
    }

    /// One whole invocation from environment and input to the bytes for stdout.
    package static func invoke(
        name: String, environment: [String: String], input: inout some ByteSource,
        sink: any LogSink = StandardErrorSink(),
        makeHandler: (FunctionContext) throws -> any Handler
    ) -> [UInt8] {
        let runtime = FunctionRuntime(name: name, environment: environment, sink: sink, makeHandler: makeHandler)
        return runtime.answer(Envelope.read(environment: environment, input: &input, bodyLimit: runtime.bodyLimit))
    }
}
