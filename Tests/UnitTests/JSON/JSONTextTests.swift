import Core
import Foundation
import Testing

@Suite struct JSONTextTests {
    static let value: JSONValue = [
        "type": "deal_paid", "amount_minor": 59_900, "negative": -9_223_372_036_854_775_808, "refunded": false,
        "paid": true, "none": nil, "empty": [:], "list": [1, "two", [], nil],
        "text": "quote \" backslash \\ slash / newline \n tab \t return \r bell \u{07} unit \u{1F} ₽ 🙂",
        "nested": ["deal_id": "deal-1", "steps": [["step": "received", "outcome": "ok"]]],
    ]

    @Test func writesWhatTheEncoderWrites() throws {
        #expect(Self.value.jsonText == String(decoding: try JSONCoding.encode(Self.value), as: UTF8.self))
    }

    @Test func readsBackAsTheSameValue() throws {
        #expect(try JSONCoding.decode(JSONValue.self, from: Array(Self.value.jsonText.utf8)) == Self.value)
        let parsed = try JSONSerialization.jsonObject(with: Data(Self.value.jsonText.utf8)) as? [String: Any]
        #expect(parsed?["text"] as? String == Self.value["text"]?.stringValue)
    }
}
