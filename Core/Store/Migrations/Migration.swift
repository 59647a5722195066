/// One versioned step of the schema. Versions only grow; an applied step is never edited.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    /// Every step, in order. Add a new file and a line here for each schema change.
    public static let all: [Migration] = [
        .initialSchema,
        .webhookRejections,
    ]

    /// The version this build of the code expects.
    public static var latestVersion: Int { all.last?.version ?? 0 }
}
