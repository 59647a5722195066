import Core

/// Fuzz targets: each takes arbitrary bytes and must neither crash nor break an invariant.
enum FuzzTargets {
    static let names = [
        "envelope", "stripe-signature", "yookassa", "telegram", "money", "redaction", "network", "fastcgi", "answers",
    ]

    static func run(_ name: String, _ bytes: [UInt8]) {
        switch name {
        case "envelope":
            var input = BytesSource(bytes)
            _ = Envelope.read(environment: [:], input: &input, bodyLimit: 65_536)
            var cgi = BytesSource(bytes)
            let text = String(decoding: bytes.prefix(256), as: UTF8.self)
            _ = Envelope.read(
                environment: [
                    "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "QUERY_STRING": text, "REQUEST_URI": text,
                    "CONTENT_LENGTH": String(bytes.count / 2), "HTTP_X_REQUEST_ID": text,
                ], input: &cgi, bodyLimit: 65_536)
        case "stripe-signature":
            let split = bytes.firstIndex(of: 0x0a) ?? bytes.endIndex
            let header = String(decoding: bytes[..<split], as: UTF8.self)
            let body = Array(bytes[min(split + 1, bytes.count)...])
            _ = try? StripeSignature(secrets: ["whsec_fuzz"], toleranceSeconds: 300).verify(
                header: header, body: body, now: 1_700_000_000)
            _ = try? JSONCoding.decode(Stripe.Event.self, from: body)
        case "yookassa":
            _ = try? JSONCoding.decode(YooKassa.Notification.self, from: bytes)
            _ = try? JSONCoding.decode(YooKassa.Payment.self, from: bytes)
            _ = try? JSONCoding.decode(YooKassa.Refund.self, from: bytes)
        case "telegram":
            _ = try? JSONCoding.decode(Telegram.Update.self, from: bytes)
        case "money":
            let text = String(decoding: bytes, as: UTF8.self)
            for currency in [Currency.rub, .xtr, Currency("KWD")!] {
                guard let money = Money(decimal: text, currency: currency) else { continue }
                // What parses must print back to an equal amount.
                precondition(
                    Money(decimal: money.decimalString, currency: currency) == money, "money does not round-trip")
            }
            _ = try? Catalog.parse(bytes)
        case "redaction":
            let text = String(decoding: bytes, as: UTF8.self)
            let scrubbed = Redactor(secrets: ["fuzz-secret"]).scrub(text)
            precondition(!scrubbed.contains("fuzz-secret"), "a configured secret survived redaction")
            _ = Redactor.isSensitiveKey(text)
        case "network":
            let text = String(decoding: bytes, as: UTF8.self)
            _ = IPAddress(text)
            _ = IPNetwork.list(text)
        case "fastcgi":
            // Fed whole and a byte at a time, the parser must say the same, and keep to its limits.
            var whole = FastCGIParser(bodyLimit: 1_024, paramsLimit: 512)
            let events = whole.feed(bytes)
            var trickled = FastCGIParser(bodyLimit: 1_024, paramsLimit: 512)
            precondition(
                bytes.flatMap { trickled.feed([$0]) } == events, "the FastCGI parser depends on how bytes arrive")
            for case .request(let request) in events {
                precondition(request.stdin.count <= 1_024, "a FastCGI body beyond its limit was kept")
            }
        case "answers":
            answers(bytes)
        default:
            preconditionFailure("unknown fuzz target \(name); known: \(names.joined(separator: ", "))")
        }
    }

    /// A receiver's or provider's answer from bytes: two bytes of status, header lines up to a
    /// blank line, then the body. Every sink kind's reading and every provider client's retry
    /// decision must take it without trapping and keep each pause within a day.
    private static func answers(_ bytes: [UInt8]) {
        guard bytes.count >= 2 else { return }
        let status = Int(bytes[0]) << 8 | Int(bytes[1])
        let rest = Array(bytes[2...])
        let split = rest.indices.first { rest[$0] == 0x0a && $0 + 1 < rest.count && rest[$0 + 1] == 0x0a } ?? rest.count
        var headers = HTTPHeaders()
        for line in String(decoding: rest[..<split], as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers.add(String(parts[0]), String(parts[1])) }
        }
        let response = OutboundResponse(
            status: status, headers: headers, body: Array(rest[min(split + 2, rest.count)...]))
        let now = Int64(1_780_000_000) + Int64(bytes[0]) * 1_000_000_000
        for answer in [
            SinkAnswer.classify(response, now: now),
            SinkAnswer.classify(response, retryAfter: TelegramSink.retryAfter(response), now: now),
        ] {
            if case .failed(_, _, let retryAfter?) = answer {
                precondition((0...RetryAfter.maxMilliseconds).contains(retryAfter), "a sink's pause is out of bounds")
                for attempt in 1...8 { _ = RetrySchedule.svix.pause(afterAttempt: attempt, retryAfter: retryAfter) }
            }
        }
        if let header = headers["Retry-After"] {
            let pause = RetryAfter.milliseconds(header: header, now: now)
            precondition(
                pause.map { (0...RetryAfter.maxMilliseconds).contains($0) } ?? true, "Retry-After out of bounds")
        }
        if case .retry(_, let after?) = YooKassaClient.verdict(response, longestPause: 2_000) {
            precondition((0...2_000).contains(after), "a YooKassa pause is out of bounds")
        }
        let telegram: RetryVerdict<Bool, TelegramError> = TelegramClient.verdict(response)
        if case .retry(_, let after?) = telegram {
            precondition((0...RetryAfter.maxMilliseconds).contains(after), "a Telegram pause is out of bounds")
        }
        _ = StripeClient.verdict(response)
    }
}
