import ArgumentParser

/// A time window written as `45s`, `30m`, `2h` or `1d`.
struct Window: ExpressibleByArgument, Sendable {
    let seconds: Int

    init(seconds: Int) { self.seconds = seconds }

    init?(argument: String) {
        guard let unit = argument.last, let count = Int(argument.dropLast()), count > 0 else { return nil }
        let scale: Int
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3_600
        case "d": scale = 86_400
        default: return nil
        }
        // At most ten years: a window is an int4 of seconds in SQL, and a product never overflows.
        guard count <= Self.longest / scale else { return nil }
        seconds = count * scale
    }

    var defaultValueDescription: String { "\(seconds)s" }

    /// Ten years, in seconds.
    static let longest = 3_650 * 86_400
}
