/// Why no answer came back.
package enum TransportError: Error, Sendable, Equatable {
    /// The time allowed ran out.
    case timedOut
    /// No connection, or it broke before a whole answer arrived.
    case connectionFailed(String)
    /// Anything else the transport reported.
    case failed(String)
}
