/// A missing or malformed environment variable. It names the variable and what is wrong with
/// it, never its value, because the value may be a secret.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public let variable: String
    public let problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "\(variable) \(problem)" }
}
