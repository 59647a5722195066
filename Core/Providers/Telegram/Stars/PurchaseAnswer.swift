import Base
import Domain
import Logging

/// `{purchase_id, status, pay_url}`, and the item and price once paid.
struct PurchaseAnswer: Encodable {
    let purchase_id: String
    let status: String
    let pay_url: String?
    let item_id: String
    let amount: AmountBody

    init(_ purchase: PurchaseRecord) {
        purchase_id = purchase.id
        status = purchase.status.rawValue
        pay_url = purchase.payURL
        item_id = purchase.itemID
        amount = AmountBody(purchase.price)
    }
}
