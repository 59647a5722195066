import Core
import Foundation
import StandIns
import Testing

/// The CloudWatch Embedded Metric Format line every invocation writes when `METRICS=emf`: its
/// structure checked against the specification's rules, its values, and where it goes (stdout on
/// the Lambda Runtime API, where the response travels over HTTP; stderr in the stdin mode, where
/// stdout is the response).
@Suite struct MetricLineTests {
    /// Checks `line` against the EMF specification and returns its root object.
    @discardableResult
    static func validated(_ line: String) throws -> [String: Any] {
        #expect(!line.contains("\n") && line.utf8.count < 1_048_576)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let aws = try #require(root["_aws"] as? [String: Any])
        #expect(Set(aws.keys) == ["Timestamp", "CloudWatchMetrics"])
        let timestamp = try #require(aws["Timestamp"] as? Int)
        #expect(abs(Double(timestamp) / 1_000 - Date().timeIntervalSince1970) < 60, "Timestamp is epoch milliseconds")
        let directives = try #require(aws["CloudWatchMetrics"] as? [[String: Any]])
        #expect(directives.count == 1)
        let units: Set<String> = [
            "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
            "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
            "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
            "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
        ]
        for directive in directives {
            #expect(Set(directive.keys) == ["Namespace", "Dimensions", "Metrics"])
            let namespace = try #require(directive["Namespace"] as? String)
            #expect((1...255).contains(namespace.count) && !namespace.contains(":"))
            let dimensionSets = try #require(directive["Dimensions"] as? [[String]])
            for set in dimensionSets {
                #expect((1...30).contains(set.count))
                for key in set {
                    let value = try #require(root[key] as? String, "dimension \(key) is a root string member")
                    #expect((1...1_024).contains(value.count))
                }
            }
            let metrics = try #require(directive["Metrics"] as? [[String: String]])
            #expect((1...100).contains(metrics.count))
            for metric in metrics {
                let name = try #require(metric["Name"])
                #expect(root[name] is NSNumber, "metric \(name) is a root number member")
                #expect(metric["Unit"].map(units.contains) ?? true)
                #expect(Set(metric.keys).isSubset(of: ["Name", "Unit", "StorageResolution"]))
            }
        }
        return root
    }

    /// The EMF lines among a log's lines.
    static func metricLines(_ lines: [String]) -> [String] { lines.filter { $0.hasPrefix(#"{"_aws""#) } }

    @Test func eachWebhookDeliveryWritesOneLineWithItsOutcome() throws {
        let world = try World(["METRICS": "emf", "METRICS_NAMESPACE": "Shop/Payments"])
        let event = world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal_m", paymentIntent: "pi_m")
        var outcomes: [String] = []
        for secret in [nil, "whsec_wrong"] {
            let (_, log) = try world.deliver(event, secret: secret)
            let lines = Self.metricLines(log)
            #expect(lines.count == 1)
            let root = try Self.validated(try #require(lines.first))
            #expect(root["function"] as? String == "stripe-webhook" && root["requests"] as? Int == 1)
            outcomes.append(root["outcome"] as? String ?? "")
            // Only the function, the outcome and numbers: never an id.
            #expect(!lines[0].contains("pi_m") && !lines[0].contains("deal_m") && !lines[0].contains("req-"))
            #expect(
                Set(root.keys) == [
                    "_aws", "function", "outcome", "duration", "requests", "status_2xx", "status_4xx", "status_5xx",
                ])
        }
        #expect(outcomes == ["processed", "signature_failed"])
    }

    @Test func statusClassesAndTheRelaysCounts() throws {
        let world = try World(["METRICS": "emf"])
        let invocation = Invocation.v2(body: "not json", path: "/api/public/payments", environment: world.environment)
        _ = try invocation.run(name: "create-intent", makeHandler: CreateIntentHandler.make)
        let refused = try Self.validated(try #require(Self.metricLines(invocation.sink.lines).first))
        #expect(refused["outcome"] as? String == "4xx" && refused["status_4xx"] as? Int == 1)

        let relaying = try Relaying(sinks: RelayTests.crm, ["METRICS": "emf"])
        _ = try relaying.paidBooking()
        // A timer tick is not an HTTP event: its answer is the summary itself.
        let sink = MemorySink()
        var tick = BytesSource(
            Array(#"{"version":"0","detail-type":"Scheduled Event","source":"aws.events","detail":{}}"#.utf8))
        _ = FunctionMain.invoke(
            name: "events-relay", environment: relaying.environment, input: &tick, sink: sink,
            makeHandler: RelayHandler.make)
        let drained = try Self.validated(try #require(Self.metricLines(sink.lines).first))
        #expect(drained["outcome"] as? String == "drained")
        #expect(drained["delivered"] as? Int == 1 && drained["dead"] as? Int == 0)
    }

    /// Off outside Lambda unless asked; a bad setting turns the lines off with a warning and never
    /// costs a payment its answer.
    @Test func offOutsideLambdaUnlessAskedAndABadSettingFailsOpen() throws {
        let world = try World()
        let (_, log) = try world.deliver(world.stripe.makeEvent("payment_intent.succeeded", dealID: "d"))
        #expect(Self.metricLines(log).isEmpty)
        for bad in [["METRICS": "statsd"], ["METRICS": "emf", "METRICS_NAMESPACE": "a:b"]] {
            let event = world.stripe.makeEvent("payment_intent.succeeded", dealID: "d")
            let (answer, lines) = try world.deliver(event, environment: bad)
            #expect(answer.statusCode == 200 && answer.json["outcome"] as? String == "processed", "\(bad)")
            #expect(Self.metricLines(lines).isEmpty)
            #expect(lines.contains { $0.contains("metrics off: bad setting") }, "\(bad)")
        }
    }

    /// The stdin mode: stdout is the response alone, the line goes to stderr.
    @Test func theStdinModeKeepsStdoutForTheResponse() throws {
        let world = try World(["METRICS": "emf"])
        let event =
            #"{"version":"2.0","rawPath":"/health","requestContext":{"requestId":"r1","http":{"method":"GET","path":"/health"}}}"#
        let result = try Processes.execute(
            try Processes.product("health"), [], environment: world.environment, stdin: event)
        let answer = try JSONDecoder().decode(GatewayAnswer.self, from: Data(result.stdout.utf8))
        #expect(answer.statusCode == 200)
        let line = try #require(Self.metricLines(result.stderr.split(separator: "\n").map(String.init)).first)
        #expect(try Self.validated(line)["function"] as? String == "health")
    }

    /// On the Lambda Runtime API, metrics are on by default and go to stdout, which carries nothing else.
    @Test func onLambdaTheLineGoesToStdoutByDefault() throws {
        let world = try World()
        let runtimeAPI = LambdaRuntimeStandIn()
        let server = try LoopbackServer(handler: runtimeAPI.handle)
        defer { server.stop() }
        _ = runtimeAPI.enqueue(
            Array(
                #"{"version":"2.0","rawPath":"/health","requestContext":{"requestId":"r1","http":{"method":"GET","path":"/health"}}}"#
                    .utf8))
        let process = Process()
        process.executableURL = try Processes.product("health")
        process.environment = world.environment.merging(["AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(server.port)"]) {
            _, new in new
        }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        #expect(runtimeAPI.waitForResults(1, seconds: 20))
        usleep(200_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let lines = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n").map(String.init)
        #expect(lines.count == 1, "\(lines)")
        let root = try Self.validated(try #require(lines.first))
        #expect(root["function"] as? String == "health" && root["outcome"] as? String == "2xx")
        #expect(
            (root["_aws"] as? [String: Any]).flatMap {
                ($0["CloudWatchMetrics"] as? [[String: Any]])?.first?["Namespace"] as? String
            } == "PaymentFunctions")
    }
}
