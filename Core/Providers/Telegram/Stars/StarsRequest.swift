import Base
import Domain
import Logging

/// The bodies of `stars-invoice` and `stars-purchase`: `user_id` (a Telegram user id, number or
/// string; never a group's or channel's), `item_id`, `purchase_id`; checked here so both
/// functions refuse the same things.
struct StarsRequest {
    let userID: String
    let itemID: String?
    let purchaseID: String?

    private struct Body: Decodable {
        let user_id: FlexibleID?
        let item_id: String?
        let purchase_id: String?
    }

    /// A string, or a whole number written without quotes.
    private struct FlexibleID: Decodable {
        let text: String
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Int64.self) {
                text = String(number)
            } else {
                text = try container.decode(String.self)
            }
        }
    }

    /// The body checked, and checked against `caller`: an identified caller buys for themselves.
    static func parse(_ bytes: [UInt8], caller: String?) throws -> StarsRequest {
        guard let body = try? JSONCoding.decode(Body.self, from: bytes) else {
            throw APIError.badRequest(
                "invalid_json", "The body must be a JSON object with user_id, item_id and purchase_id.")
        }
        guard let userID = body.user_id?.text else {
            throw APIError.badRequest("missing_field", "user_id is required.")
        }
        _ = try BoundedText.id(userID, field: "user_id")
        guard TelegramUser.id(userID) != nil else {
            throw APIError.unprocessable(
                "invalid_user_id", "user_id must be a Telegram user's id: a positive whole number.")
        }
        if let caller, caller != userID { throw APIError.identityMismatch }
        if let purchaseID = body.purchase_id {
            guard try BoundedText.id(purchaseID, field: "purchase_id").utf8.allSatisfy(ASCII.isToken) else {
                throw APIError.badRequest("invalid_field", "purchase_id must be 1 to 64 letters, digits, '-' or '_'.")
            }
        }
        return StarsRequest(userID: userID, itemID: body.item_id, purchaseID: body.purchase_id)
    }

    /// The catalog item named, or the answer for a missing or unknown one.
    func item(in catalog: Catalog) throws -> Catalog.Item {
        guard let itemID else { throw APIError.badRequest("missing_field", "item_id is required.") }
        _ = try BoundedText.id(itemID, field: "item_id")
        guard let item = catalog.items[itemID] else {
            throw APIError.unprocessable("unknown_item", "No item \"\(itemID)\" is on sale.")
        }
        return item
    }
}

extension PurchaseRecord {
    /// Whether `userID`, calling as `caller`, may act on this purchase: it is theirs, and when it
    /// was created by an identified caller, they are that caller.
    func belongs(to userID: String, caller: String?) -> Bool {
        self.userID == userID && allows(caller)
    }

    /// The 409 for a purchase that belongs to someone else, logged under `logName`.
    func refuseOtherUser(_ userID: String, logName: String, logger: Logger) -> APIError {
        logger.warning("\(logName)", metadata: ["purchase_id": .string(id)])
        return APIError.conflict("purchase_conflict", "This purchase belongs to another user or item.")
    }
}
