import Core
import Foundation
import StandIns
import Testing

/// Finding 6: ids, types and errors from unauthenticated senders reach the operator's terminal.
@Suite struct ConsoleRedTeamTests {
    static let escape = "\u{1b}]0;pwned\u{07}\u{1b}[2J\u{9b}31m\u{202e}"

    @Test func finding6_controlCharactersFromDeliveriesAreEscapedInHumanOutput() throws {
        let world = try World()
        var event = world.stripe.makeEvent(
            "payment_intent.succeeded", dealID: "deal\(Self.escape)", paymentIntent: "pi_escape")
        let eventID = try #require(event["id"] as? String)
        #expect(try world.deliver(event).0.statusCode == 200)
        let otherMode = world.stripe.makeEvent("payment_intent.succeeded", dealID: "deal\(Self.escape)", livemode: true)
        #expect(try world.deliver(otherMode, environment: ["STRIPE_EXPECTED_LIVEMODE": "false"]).0.statusCode == 200)
        event["id"] = "evt_\(Self.escape)"
        event["type"] = "type\(Self.escape)"
        #expect(try world.deliver(event, secret: "whsec_attacker_guess").0.statusCode == 400)

        for arguments in [["tail", "--no-follow", "--since", "1h"], ["show", eventID], ["summary", "--since", "1h"]] {
            let result = try Processes.run(arguments, environment: world.environment)
            let output = result.stdout + result.stderr
            #expect(
                !output.unicodeScalars.contains {
                    $0.value == 0x1b || $0.value == 0x07 || $0.value == 0x9b || $0.value == 0x202e
                },
                "\(arguments[0]) printed a raw control character")
            #expect(output.contains(#"\x1b]0;pwned\x07"#), "\(arguments[0]) shows the escaped text: \(output)")
        }
        let json = try Processes.run(
            ["tail", "--no-follow", "--since", "1h", "--json"], environment: world.environment)
        let first = try #require(json.stdout.split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        #expect(object["dealID"] as? String == "deal\(Self.escape)", "JSON output keeps the value, encoded as JSON")
    }
}
