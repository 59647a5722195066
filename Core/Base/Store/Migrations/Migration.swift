/// One versioned step of the schema. Versions only grow; an applied step is never edited.
package struct Migration: Sendable {
    package let version: Int
    package let name: String
    package let sql: String

    /// Every step, in order. Add a new file and a line here for each schema change.
    package static let all: [Migration] = [
        .initialSchema,
        .webhookRejections,
        .outbox,
        .subscriptions,
        .readSide,
        .notifyAfterCommit,
        .refunds,
        .reconcileRuns,
        .reconcileRunErrors,
        .ownOpenPayments,
        .sinkStates,
    ]

    /// The version this build of the code expects.
    package static var latestVersion: Int { all.last?.version ?? 0 }
}
