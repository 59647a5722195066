import Core
import Foundation
import StandIns
import Testing

/// Round three, finding 1: a receiver's or provider's number (`Retry-After`, Telegram's
/// `retry_after`) was multiplied before any cap, so one answer trapped the relay on overflow and
/// every run after it died on the same delivery.
@Suite struct ReceiverRedTeamTests {
    private static let twoSinks = #"""
        [{"name": "crm", "kind": "webhook", "url": "DOWNSTREAM/hooks/crm", "events": ["booking_paid"], "secret_env": "CRM_WEBHOOK_SECRET"},
         {"name": "audit", "kind": "webhook", "url": "DOWNSTREAM/hooks/audit", "events": ["booking_paid"], "secret_env": "CRM_WEBHOOK_SECRET"}]
        """#

    @Test func finding1_aHugeRetryAfterParksTheDeliveryForADayAndTheRelayGoesOn() throws {
        let relaying = try Relaying(sinks: Self.twoSinks)
        relaying.downstream.setFault(DownstreamFault(status: 503, retryAfter: "10000000000000000"), on: "/hooks/crm")
        _ = try relaying.paidBooking()
        let summary = try relaying.drain()
        #expect(summary.delivered == 1 && summary.retrying == 1, "\(summary)")
        #expect(relaying.taken.map(\.receiver) == ["audit"], "the other sink is not held up")
        #expect(
            try relaying.world.count(
                """
                SELECT count(*) FROM deliveries WHERE sink = 'crm' AND status = 'retrying'
                  AND next_attempt_at BETWEEN now() + interval '23 hours' AND now() + interval '24 hours 1 minute'
                """) == 1, "capped at a day")
        #expect(
            try relaying.drain() == Relay.Summary(delivered: 0, retrying: 0, dead: 0, due: 0), "the next run is clean")
    }

    @Test func finding1_anHTTPDateRetryAfterIsHonouredAndGarbageIsIgnored() throws {
        let relaying = try Relaying(sinks: Self.twoSinks, ["RELAY_RETRY_SCHEDULE": "30s,30s"])
        let inAnHour = Date().addingTimeInterval(3_600)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        relaying.downstream.setFault(
            DownstreamFault(status: 503, retryAfter: formatter.string(from: inAnHour)), on: "/hooks/crm")
        relaying.downstream.setFault(DownstreamFault(status: 429, retryAfter: "soon, 99e99 -1"), on: "/hooks/audit")
        _ = try relaying.paidBooking()
        #expect(try relaying.drain().retrying == 2)
        #expect(
            try relaying.world.count(
                """
                SELECT count(*) FROM deliveries WHERE sink = 'crm'
                  AND next_attempt_at BETWEEN now() + interval '58 minutes' AND now() + interval '61 minutes'
                """) == 1, "the date is when to come back")
        #expect(
            try relaying.world.count(
                """
                SELECT count(*) FROM deliveries WHERE sink = 'audit'
                  AND next_attempt_at BETWEEN now() + interval '25 seconds' AND now() + interval '34 seconds'
                """) == 1, "garbage leaves the schedule's own pause (30 s here)")
    }

    @Test func finding1_telegramsLargestRetryAfterIsBoundedInTheSinkAndTheClient() throws {
        let relaying = try Relaying(
            sinks: #"[{"name": "ops", "kind": "telegram", "events": ["booking_paid"], "chat": -1001234}]"#)
        relaying.world.telegram.failNext(429, retryAfter: Int64.max)
        _ = try relaying.paidBooking()
        #expect(try relaying.drain().retrying == 1)
        #expect(
            try relaying.world.count(
                "SELECT count(*) FROM deliveries WHERE next_attempt_at BETWEEN now() + interval '23 hours' AND now() + interval '25 hours'"
            ) == 1)

        // The Bot API client: a pause past its budget ends the call as unavailable, at once.
        relaying.world.telegram.failNext(429, retryAfter: Int64.max)
        let started = Date()
        let (answer, _) = try relaying.world.invoice(
            #"{"user_id":5001,"item_id":"hint-pack"}"#,
            environment: ["TELEGRAM_STARS_ENABLED": "true", "MOCK_PAYMENTS": "false"])
        #expect(answer.statusCode == 503 && answer.errorCode == "provider_unavailable", "\(answer.body)")
        #expect(Date().timeIntervalSince(started) < 3)
    }

    @Test func finding1_everyOutsideNumberIsParsedWithBounds() {
        let now: Int64 = 1_796_588_400  // Sun, 06 Dec 2026 20:20:00 GMT
        let cases: [(String, Int?)] = [
            ("120", 120_000), ("  7 ", 7_000), ("0", 0), ("9223372036854775808", 86_400_000),
            ("10000000000000000", 86_400_000), ("-1", nil), ("1.5", nil), ("", nil), ("soon", nil), ("0x10", nil),
            ("Sun, 06 Dec 2026 20:30:00 GMT", 600_000), ("Sunday, 06-Dec-26 20:30:00 GMT", 600_000),
            ("Sun Dec  6 20:30:00 2026", 600_000), ("Sun, 06 Dec 2026 20:00:00 GMT", 0),
            ("Fri, 31 Dec 9999 23:59:59 GMT", 86_400_000), ("Sun, 06 Dec 2026 25:30:00 GMT", nil),
            ("Sun, 06 Foo 2026 20:30:00 GMT", nil), ("Sun, 6 Dec 2026 20:30:00 GMT", nil),
        ]
        for (header, expected) in cases {
            #expect(RetryAfter.milliseconds(header: header, now: now) == expected, "\(header)")
        }
        #expect(RetryAfter.milliseconds(seconds: .max) == 86_400_000)
        #expect(RetryAfter.milliseconds(seconds: .min) == 0)
        #expect(RetryAfter.clamped(milliseconds: .max) == 86_400_000)
        let verdict = YooKassaClient.verdict(
            OutboundResponse(
                status: 202, headers: HTTPHeaders(), body: Array(#"{"retry_after":9223372036854775807}"#.utf8)),
            longestPause: 2_000)
        guard case .retry(_, let after) = verdict else {
            Issue.record("a 202 is retried")
            return
        }
        #expect(after == 2_000)
    }
}
