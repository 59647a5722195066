import Logging

/// A provider's list could not be read.
package struct ReconcileError: Error, Sendable, Encodable {
    package let provider: Provider
    package let reason: String

    package init(provider: Provider, reason: String) {
        self.provider = provider
        self.reason = reason
    }
}
