import Base
import Glibc

/// One CloudWatch Embedded Metric Format line per invocation, so alarms work on Lambda without an
/// agent: namespace `METRICS_NAMESPACE`, dimension sets `[function, outcome]` and `[outcome]`, and
/// the metrics `duration` (ms), `requests`, `status_2xx|4xx|5xx` and whatever counts the answer
/// carries (the relay's `delivered`, `retrying`, `dead`). `outcome` is the webhook outcome or
/// refusal when there is one, else the status class (`2xx`, `4xx`, `5xx`): a closed vocabulary,
/// never an id, so every value stays one custom metric.
package struct MetricLine: Sendable {
    /// `METRICS`.
    enum Mode: String, CaseIterable {
        case emf
        case off
    }

    let namespace: String
    let sink: any LogSink

    /// From `METRICS` (`emf` or `off`; `emf` by default on Lambda, `off` elsewhere) and
    /// `METRICS_NAMESPACE` (default `PaymentFunctions`); nil when off.
    static func make(config: Config, onLambda: Bool, sink: any LogSink) throws -> MetricLine? {
        guard try config.choice("METRICS", default: onLambda ? Mode.emf : Mode.off) == .emf else { return nil }
        let namespace = config.optional("METRICS_NAMESPACE") ?? "PaymentFunctions"
        guard (1...255).contains(namespace.count), namespace.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f && $0 != 0x3a })
        else {
            throw ConfigError(
                variable: "METRICS_NAMESPACE", problem: "must be 1 to 255 printable ASCII characters, no colon")
        }
        return MetricLine(namespace: namespace, sink: sink)
    }

    /// Writes the line for one answered invocation.
    func emit(function: String, answer: Answer, milliseconds: Int) {
        sink.write(
            line: Self.line(
                namespace: namespace, function: function, answer: answer, milliseconds: milliseconds,
                timestamp: Self.now()) + [0x0a])
    }

    /// The line's JSON, without its newline.
    static func line(
        namespace: String, function: String, answer: Answer, milliseconds: Int, timestamp: Int64
    ) -> [UInt8] {
        let statusClass = "\(answer.response.status / 100)xx"
        var values: [String: Int64] = [
            "duration": Int64(milliseconds), "requests": 1, "status_2xx": 0, "status_4xx": 0, "status_5xx": 0,
        ]
        if ["2xx", "4xx", "5xx"].contains(statusClass) { values["status_\(statusClass)"] = 1 }
        for (name, count) in answer.metrics { values[name] = Int64(count) }
        let metrics = values.keys.sorted().map { name -> JSONValue in
            .object(["Name": .string(name), "Unit": .string(name == "duration" ? "Milliseconds" : "Count")])
        }
        var root: [String: JSONValue] = [
            "_aws": .object([
                "Timestamp": .int(timestamp),
                "CloudWatchMetrics": .array([
                    .object([
                        "Namespace": .string(namespace),
                        "Dimensions": .array([
                            .array([.string("function"), .string("outcome")]), .array([.string("outcome")]),
                        ]),
                        "Metrics": .array(metrics),
                    ])
                ]),
            ]),
            "function": .string(function), "outcome": .string(answer.outcome ?? statusClass),
        ]
        for (name, value) in values { root[name] = .int(value) }
        return JSONValue.object(root).jsonBytes
    }

    /// Milliseconds since the Unix epoch.
    private static func now() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
