import Base

/// What a Telegram user id is: a positive number of at most 52 significant bits (a private chat
/// with a user has the user's id; groups, supergroups and channels are negative).
package enum TelegramUser {
    /// The largest id Telegram gives a user.
    package static let maxID: Int64 = 1 << 52 - 1

    /// The payload field of `purchase_succeeded` that names the user Telegram said paid.
    package static let payloadKey = "telegram_user_id"

    /// Whether `id` can be a user (and so a private chat), not a group or channel.
    package static func isUserID(_ id: Int64) -> Bool { (1...maxID).contains(id) }

    /// The user id written as `text` (decimal digits, no sign, no leading zero), or nil.
    package static func id(_ text: String) -> Int64? {
        guard (1...16).contains(text.utf8.count), text.utf8.allSatisfy(ASCII.isDigit), text.first != "0",
            let id = Int64(text), isUserID(id)
        else { return nil }
        return id
    }
}
