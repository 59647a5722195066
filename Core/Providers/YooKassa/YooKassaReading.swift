import Domain

/// What a YooKassa notification means once confirmed: the payment or refund as the API (or, with
/// `ip` verification only, the notification) reports it, and the status its event name claims.
enum YooKassaReading {
    /// The payment as confirmed, and the status the notification's event name reports.
    case payment(YooKassa.Payment, reported: PaymentStatus?)
    /// The refund as confirmed; the notification reports it succeeded.
    case refund(YooKassa.Refund)
    /// An event this endpoint does not act on.
    case ignored
}
