import Core
import Foundation
import StandIns
import Testing

/// Round three, finding 4: a Telegram sink for `"chat": "buyer"` wrote to the purchase's
/// `user_id` as the client typed it, so an anonymous caller could make the bot post into a group
/// (`-100…`) with text it partly chose.
@Suite struct MessagingRedTeamTests {
    private static let buyerSink =
        #"[{"name": "buyer", "kind": "telegram", "events": ["purchase_invoice_created", "purchase_succeeded"], "chat": "buyer"}]"#

    @Test func finding4_stars_invoiceRefusesAnIdThatCannotBeATelegramUser() throws {
        let world = try World()
        for userID in ["-1001234567890", #""-1001234567890""#, "0", #""0042""#, #""group""#, "4503599627370496"] {
            let (answer, _) = try world.invoice(#"{"user_id":\#(userID),"item_id":"hint-pack"}"#)
            #expect(answer.statusCode == 422 && answer.errorCode == "invalid_user_id", "\(userID): \(answer.body)")
            let (purchase, _) = try world.purchase(#"{"user_id":\#(userID),"item_id":"hint-pack"}"#)
            #expect(purchase.statusCode == 422, "\(userID)")
        }
        #expect(try world.count("SELECT count(*) FROM purchases") == 0)
        #expect(try world.invoice(#"{"user_id":4503599627370495,"item_id":"hint-pack"}"#).0.statusCode == 201)
    }

    @Test func finding4_aBuyersMessageGoesOnlyToTheUserTelegramSaidPaid() throws {
        let relaying = try Relaying(sinks: Self.buyerSink)
        let world = relaying.world
        let live = ["TELEGRAM_STARS_ENABLED": "true", "MOCK_PAYMENTS": "false"]
        let (invoice, _) = try world.invoice(#"{"user_id":5001,"item_id":"hint-pack"}"#, environment: live)
        let purchase = try #require(invoice.json["purchase_id"] as? String)
        let paid = try world.update(
            world.telegram.successfulPaymentUpdate(purchaseID: purchase, userID: 5001, amount: 50), environment: live)
        #expect(paid.statusCode == 200, "\(paid.body)")
        try relaying.drain()

        #expect(world.telegram.messages.map { $0["chat_id"] as? Int } == [5001], "the payer, once")
        #expect(
            try relaying.deliveries().sorted() == [
                "buyer purchase_invoice_created dead 1", "buyer purchase_succeeded delivered 1",
            ], "an invoice names no payer yet")
        let error = try world.value(
            "SELECT last_error FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE e.type = 'purchase_invoice_created'"
        )
        #expect(error?.hasPrefix(SinkAnswer.noRecipient) == true)
    }

    @Test func finding4_aPurchaseWrittenForAGroupBeforeTheRuleReachesNobody() throws {
        let relaying = try Relaying(sinks: Self.buyerSink)
        let world = relaying.world
        // A row from before the rule, as an anonymous caller could write it then.
        try PGConnection(url: world.databaseURL).query(
            """
            INSERT INTO purchases (id, user_id, item_id, amount_minor, currency, status, invoice_created_at)
            VALUES ('old-group', '-1001234567890', 'hint-pack', 50, 'XTR', 'pending', now())
            """)
        let (paid, _) = try world.purchase(#"{"user_id":"-1001234567890","purchase_id":"old-group"}"#)
        #expect(paid.statusCode == 422)
        let update = world.telegram.successfulPaymentUpdate(
            purchaseID: "old-group", userID: -1_001_234_567_890, amount: 50)
        #expect(try world.update(update, environment: ["TELEGRAM_STARS_ENABLED": "true"]).statusCode == 200)
        try relaying.drain()
        #expect(world.telegram.messages.isEmpty)
        #expect(try relaying.deliveries() == ["buyer purchase_succeeded dead 1"])
    }

    @Test func finding4_aSecondPaymentIsAnnouncedToItsPayerOnly() throws {
        let relaying = try Relaying(
            sinks: #"[{"name": "buyer", "kind": "telegram", "events": ["purchase_refund_due"], "chat": "buyer"}]"#)
        let world = relaying.world
        let live = ["TELEGRAM_STARS_ENABLED": "true", "MOCK_PAYMENTS": "false"]
        let (invoice, _) = try world.invoice(#"{"user_id":5001,"item_id":"hint-pack"}"#, environment: live)
        let purchase = try #require(invoice.json["purchase_id"] as? String)
        for _ in 0..<2 {
            let update = world.telegram.successfulPaymentUpdate(purchaseID: purchase, userID: 5001, amount: 50)
            #expect(try world.update(update, environment: live).statusCode == 200)
        }
        try relaying.drain()
        #expect(world.telegram.messages.map { $0["chat_id"] as? Int } == [5001])
        #expect(try relaying.deliveries() == ["buyer purchase_refund_due delivered 1"])
    }
}
