import ArgumentParser

/// A time window written as `45s`, `30m`, `2h` or `1d`.
struct Window: ExpressibleByArgument, Sendable {
    let seconds: Int

    init(seconds: Int) { self.seconds = seconds }

    init?(argument: String) {
        guard let unit = argument.last, let count = Int(argument.dropLast()), count > 0 else { return nil }
        switch unit {
        case "s": seconds = count
        case "m": seconds = count * 60
        case "h": seconds = count * 3_600
        case "d": seconds = count * 86_400
        default: return nil
        }
    }

    var defaultValueDescription: String { "\(seconds)s" }
}
