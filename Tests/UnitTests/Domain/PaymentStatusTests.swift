import Core
import Testing

@Suite struct PaymentStatusTests {
    typealias S = PaymentStatus

    /// The whole table: every pair of statuses and what applying the second to the first does.
    static let expected: [S: [S: S.Transition]] = [
        .pending: [
            .pending: .unchanged, .waitingForCapture: .advance, .succeeded: .advance, .canceled: .advance,
            .refunded: .outOfOrder,
        ],
        .waitingForCapture: [
            .pending: .outOfOrder, .waitingForCapture: .unchanged, .succeeded: .advance, .canceled: .advance,
            .refunded: .outOfOrder,
        ],
        .succeeded: [
            .pending: .outOfOrder, .waitingForCapture: .outOfOrder, .succeeded: .unchanged, .canceled: .outOfOrder,
            .refunded: .advance,
        ],
        .canceled: [
            .pending: .outOfOrder, .waitingForCapture: .outOfOrder, .succeeded: .outOfOrder, .canceled: .unchanged,
            .refunded: .outOfOrder,
        ],
        .refunded: [
            .pending: .outOfOrder, .waitingForCapture: .outOfOrder, .succeeded: .outOfOrder, .canceled: .outOfOrder,
            .refunded: .unchanged,
        ],
    ]

    @Test(arguments: S.allCases)
    func everyTransitionFrom(_ from: S) throws {
        let row = try #require(Self.expected[from])
        for to in S.allCases {
            #expect(from.transition(to: to) == row[to], "\(from.rawValue) → \(to.rawValue)")
        }
    }

    @Test func wireNames() {
        #expect(S(rawValue: "waiting_for_capture") == .waitingForCapture)
        #expect(S.allCases.map(\.rawValue) == ["pending", "waiting_for_capture", "succeeded", "canceled", "refunded"])
    }
}
