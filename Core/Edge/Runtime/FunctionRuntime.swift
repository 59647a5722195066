import Base
import Glibc
import Logging

/// Turns requests into responses for one function: builds the handler once, then answers
/// each request, mapping every error to the spec's error shape and logging one line a request.
///
/// The stdin/stdout entry point uses it once per process; a long-lived host can use it for many
/// requests.
package final class FunctionRuntime {
    package let context: FunctionContext
    private let handler: Result<any Handler, Error>
    private let setupError: ConfigError?
    private let identity: Result<CallerIdentity, Error>
    private let cors: Result<CORSPolicy, Error>
    /// One EMF line per invocation, when `METRICS=emf`.
    private let metrics: MetricLine?

    /// Builds the runtime from the environment; configuration errors are kept and answered
    /// on each request rather than crashing the process.
    /// `longLived`: the process serves many requests (FastCGI, Lambda), so its store prepares
    /// statements (`FunctionContext.store`). `onLambda`: metric lines are on by default and go to
    /// standard output (`metricsSink`, else `sink`, elsewhere).
    package init(
        name: String, environment: [String: String], sink: any LogSink = StandardErrorSink(), longLived: Bool = false,
        onLambda: Bool = false, metricsSink: (any LogSink)? = nil, makeHandler: (FunctionContext) throws -> any Handler
    ) {
        let config = Config(environment: environment)
        var setupError: ConfigError?
        let level: Logger.Level
        do {
            level = try config.choice("LOG_LEVEL", default: Logger.Level.info)
        } catch let error as ConfigError {
            level = .info
            setupError = error
        } catch {
            level = .info
        }
        let logger = JSONLogHandler.logger(
            function: name, level: level, redactor: Redactor(secrets: config.secretValues), sink: sink)
        context = FunctionContext(name: name, config: config, logger: logger, longLived: longLived)
        do {
            _ = try context.bodyLimit()
            try config.checkSecretLengths()
        } catch let error as ConfigError {
            setupError = setupError ?? error
        } catch {}
        // Metrics fail open: a bad setting costs the metric lines, never a payment.
        do {
            metrics = try MetricLine.make(
                config: config, onLambda: onLambda,
                sink: metricsSink ?? (onLambda ? StandardOutputSink() : sink))
        } catch let error as ConfigError {
            metrics = nil
            logger.warning(
                "metrics off: bad setting",
                metadata: ["variable": .string(error.variable), "problem": .string(error.problem)])
        } catch {
            metrics = nil
        }
        self.setupError = setupError
        identity = Result { try CallerIdentity(config: config) }
        cors = Result { try CORSPolicy(config: config) }
        let context = self.context
        handler = Result { try makeHandler(context) }
    }

    /// The request-body limit in force.
    package var bodyLimit: Int { (try? context.bodyLimit()) ?? 1_048_576 }

    /// Answers one request that came in `envelope`, never throwing; an error is answered in the
    /// one error shape, with nothing reported beside it.
    private func respond(to request: HTTPRequest, in envelope: Envelope) -> Answer {
        var logger = context.logger
        logger[metadataKey: LogKey.requestID] = .string(request.requestID)
        let started = MonotonicClock.milliseconds
        var answer: Answer
        var policy: CORSPolicy?
        do {
            if let setupError { throw setupError }
            let handler = try handler.get()
            if handler.browserFacing { policy = try cors.get() }
            let scheduled = handler is any ScheduledHandler
            if envelope == .schedule || scheduled {
                // A timer's tick goes to a scheduled function only, and a scheduled function answers nothing else.
                guard envelope == .schedule else { throw APIError.scheduledOnly }
                guard scheduled else { throw APIError.methodNotAllowed(allowed: handler.method) }
                answer = try handler.answer(try identity.get().settle(request, envelope: envelope), logger: logger)
            } else if let policy, request.method == .options {
                answer = Answer(policy.preflight(origin: request.headers["Origin"], method: handler.method))
            } else {
                guard request.method == handler.method else {
                    throw APIError.methodNotAllowed(allowed: handler.method)
                }
                answer = try handler.answer(try identity.get().settle(request, envelope: envelope), logger: logger)
            }
        } catch {
            answer = Answer(.error(ErrorAnswer.apiError(for: error, logger: logger), requestID: request.requestID))
        }
        policy?.decorate(&answer.response, origin: request.headers["Origin"])
        answer.response.headers.set("X-Request-Id", request.requestID)
        logger.log(
            level: answer.response.status >= 500 ? .error : .info, "request completed",
            metadata: [
                "method": .string(request.method.rawValue), "path": .string(request.path),
                "status": .stringConvertible(answer.response.status),
                "duration_ms": .stringConvertible(MonotonicClock.milliseconds - started),
            ])
        return answer
    }

    /// The bytes that answer an envelope reading, written back in the envelope it came in: the
    /// request's response, or the refusal of one that could not be read.
    package func answer(_ reading: Envelope.Reading) -> [UInt8] {
        let started = MonotonicClock.milliseconds
        let answer =
            switch reading.result {
            case .success(let request): respond(to: request, in: reading.envelope)
            case .failure(let error): Answer(refuse(error))
            }
        metrics?.emit(function: context.name, answer: answer, milliseconds: MonotonicClock.milliseconds - started)
        return reading.envelope.write(answer.response)
    }

    /// Answers a request the envelope could not read, in the same error shape.
    package func refuse(_ error: APIError) -> HTTPResponse {
        let requestID = Envelope.makeRequestID()
        context.logger.warning(
            "request refused",
            metadata: [
                LogKey.requestID: .string(requestID), "status": .stringConvertible(error.status),
                "code": .string(error.code),
            ])
        var response = HTTPResponse.error(error, requestID: requestID)
        response.headers.set("X-Request-Id", requestID)
        return response
    }

}
