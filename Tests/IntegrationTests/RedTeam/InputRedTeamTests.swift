import Core
import Foundation
import StandIns
import Testing

/// Finding 8: lengths counted in grapheme clusters let through what PostgreSQL, counting code
/// points, then refused with a 500; ids had no common bound.
@Suite struct InputRedTeamTests {
    /// One visible character carrying `count - 1` combining marks: one `Character`, `count` code points.
    static func heavy(_ count: Int) -> String { "a" + String(repeating: "\u{301}", count: count - 1) }

    @Test func finding8_longIdsAreRefusedWith400() throws {
        let world = try World()
        for (body, field) in [
            (#"{"user_id":"\#(Self.heavy(5_001))","item_id":"hint-pack"}"#, "user_id"),
            (#"{"user_id":"42","item_id":"\#(String(repeating: "i", count: 65))"}"#, "item_id"),
        ] {
            let (answer, _) = try world.invoice(body)
            #expect(answer.statusCode == 400, "\(field)")
            #expect(answer.errorCode == "field_too_long", "\(field)")
            #expect(answer.body.contains(field))
        }
        for body in [
            #"{"appointment_id":"\#(Self.heavy(65))","service_slug":"haircut","kind":"deposit"}"#,
            #"{"plan_id":"basic","user_id":"\#(String(repeating: "u", count: 65))"}"#,
        ] {
            let answer = try world.createIntent(body)
            #expect(answer.statusCode == 400)
            #expect(answer.errorCode == "field_too_long")
        }
        #expect(try world.count("SELECT count(*) FROM payments") == 0)
        #expect(try world.count("SELECT count(*) FROM purchases") == 0)
    }

    @Test func finding8_idsAtTheLimitAreStoredWhole() throws {
        let world = try World()
        let appointment = Self.heavy(64)
        let answer = try world.createIntent(
            #"{"appointment_id":"\#(appointment)","service_slug":"haircut","kind":"deposit"}"#)
        #expect(answer.statusCode == 201, "\(answer.body)")
        #expect(try world.value("SELECT appointment_id FROM payments") == appointment)
        #expect(try world.count("SELECT count(*) FROM payments WHERE char_length(description) <= 128") == 1)
    }

    @Test func finding8_clippingCountsCodePoints() {
        let text = Self.heavy(300)
        #expect(BoundedText.length(BoundedText.clip(text, 128)) == 128)
        #expect(BoundedText.clip("short", 128) == "short")
        #expect(BoundedText.length(BoundedText.prefix(text, 64)) == 64)
    }
}
