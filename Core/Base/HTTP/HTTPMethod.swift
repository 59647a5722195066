/// An HTTP request method as the gateway reports it: the ones the functions answer by name, any
/// other kept as it came (and answered 405). Written as a literal where one is meant: `"POST"`.
package struct HTTPMethod: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    package let rawValue: String

    package init(rawValue: String) { self.rawValue = rawValue }
    package init(stringLiteral value: String) { self.init(rawValue: value) }

    /// The method a gateway reports, in capitals and at most 16 characters: never the client's
    /// whole text in a log line.
    package init(reported text: String) { self.init(rawValue: String(text.uppercased().prefix(16))) }

    package static let get: HTTPMethod = "GET"
    package static let post: HTTPMethod = "POST"
    package static let options: HTTPMethod = "OPTIONS"

    package var description: String { rawValue }
}
