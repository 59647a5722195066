/// A record a caller may have created through the gateway: `ownerID` is that caller, nil when it
/// was created anonymously.
package protocol CallerOwned {
    var ownerID: String? { get }
}

extension CallerOwned {
    /// Whether `caller` may see or reuse it: an owned record its owner only, an anonymous one
    /// anyone holding its id (the id is the capability, as a checkout link's is).
    package func allows(_ caller: String?) -> Bool { ownerID == nil || ownerID == caller }
}

extension PaymentRecord: CallerOwned {}
extension PurchaseRecord: CallerOwned {}
