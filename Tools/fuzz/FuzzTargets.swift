import Core

/// Fuzz targets: each takes arbitrary bytes and must neither crash nor break an invariant.
enum FuzzTargets {
    static let names = [
        "envelope", "stripe-signature", "yookassa", "telegram", "money", "redaction", "network", "fastcgi",
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
        default:
            preconditionFailure("unknown fuzz target \(name); known: \(names.joined(separator: ", "))")
        }
    }
}
