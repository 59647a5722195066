import CLibCurl

/// An HTTP client on libcurl: HTTPS with the system's certificate store, one reused handle so
/// retries and a warm process keep their connection.
///
/// Not thread-safe: one client per thread.
package final class CurlHTTPClient: HTTPClient {
    /// Made on the first request: initialising libcurl (and OpenSSL under it) costs milliseconds
    /// that a request which never calls a provider should not pay.
    private var easy: UnsafeMutableRawPointer?
    /// Answers larger than this are cut off as a failure.
    package static let maxResponseBytes = 4 * 1_048_576

    package init() {}

    deinit { if let easy { curl_easy_cleanup(easy) } }

    private static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    private func handle() throws(TransportError) -> UnsafeMutableRawPointer {
        if let easy {
            curl_easy_reset(easy)
            return easy
        }
        Self.globalInit
        guard let made = curl_easy_init() else { throw .failed("curl_easy_init failed") }
        easy = made
        return made
    }

    package func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse {
        let handle = try handle()
        let sink = ResponseSink()
        let context = Unmanaged.passUnretained(sink).toOpaque()
        var list: UnsafeMutablePointer<curl_slist>?
        for field in request.headers { list = curl_slist_append(list, "\(field.name): \(field.value)") }
        list = curl_slist_append(list, "Expect:")
        defer { curl_slist_free_all(list) }

        payfn_curl_set_pointer(handle, CURLOPT_URL, request.url)
        payfn_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        // 0 waits as long as it takes: the Lambda Runtime API's long poll for the next event.
        payfn_curl_set_long(handle, CURLOPT_TIMEOUT_MS, max(0, request.timeoutMilliseconds))
        payfn_curl_set_long(
            handle, CURLOPT_CONNECTTIMEOUT_MS,
            request.timeoutMilliseconds > 0 ? min(request.timeoutMilliseconds, 3_000) : 3_000)
        payfn_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        payfn_curl_set_pointer(handle, CURLOPT_HTTPHEADER, list)
        payfn_curl_set_callback(
            handle, CURLOPT_WRITEFUNCTION,
            { data, size, count, context in
                Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue().body(data, size * count)
            })
        payfn_curl_set_pointer(handle, CURLOPT_WRITEDATA, context)
        payfn_curl_set_callback(
            handle, CURLOPT_HEADERFUNCTION,
            { data, size, count, context in
                Unmanaged<ResponseSink>.fromOpaque(context!).takeUnretainedValue().header(data, size * count)
            })
        payfn_curl_set_pointer(handle, CURLOPT_HEADERDATA, context)

        let code: CURLcode = request.body.withUnsafeBytes { body in
            switch request.method {
            case .get:
                payfn_curl_set_long(handle, CURLOPT_HTTPGET, 1)
            default:
                payfn_curl_set_long(handle, CURLOPT_POST, 1)
                payfn_curl_set_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                payfn_curl_set_pointer(
                    handle, CURLOPT_POSTFIELDS, body.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start))
                if request.method != .post {
                    payfn_curl_set_pointer(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
                }
            }
            return curl_easy_perform(handle)
        }
        guard code == CURLE_OK else { throw Self.error(code) }
        var status = 0
        payfn_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return OutboundResponse(status: status, headers: sink.headers, body: sink.bytes)
    }

    private static func error(_ code: CURLcode) -> TransportError {
        let text = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return .timedOut
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_GOT_NOTHING, CURLE_SEND_ERROR, CURLE_RECV_ERROR,
            CURLE_PARTIAL_FILE, CURLE_SSL_CONNECT_ERROR:
            return .connectionFailed(text)
        default: return .failed(text)
        }
    }

    /// Collects one answer's headers and body from libcurl's callbacks.
    private final class ResponseSink {
        var bytes: [UInt8] = []
        var headers = HTTPHeaders()

        func body(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
            guard let data, bytes.count + count <= CurlHTTPClient.maxResponseBytes else { return 0 }
            data.withMemoryRebound(to: UInt8.self, capacity: count) {
                bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: count))
            }
            return count
        }

        func header(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
            guard let data else { return 0 }
            let line = data.withMemoryRebound(to: UInt8.self, capacity: count) {
                String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
            }
            if line.hasPrefix("HTTP/") {
                headers = HTTPHeaders()
            } else if let colon = line.firstIndex(of: ":") {
                headers.add(
                    String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingSpaces.trimmingLineEnd)
            }
            return count
        }
    }
}

extension String {
    fileprivate var trimmingLineEnd: String {
        var text = self
        while text.last == "\r\n" || text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
