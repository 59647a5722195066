/// Sends requests to providers. Adapters depend on this, so tests can point them at loopback.
package protocol HTTPClient {
    func send(_ request: OutboundRequest) throws(TransportError) -> OutboundResponse
}
