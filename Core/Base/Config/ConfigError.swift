/// A missing or malformed environment variable. It names the variable and what is wrong with
/// it, never its value, because the value may be a secret.
package struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    package let variable: String
    package let problem: String

    package init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    package var description: String { "\(variable) \(problem)" }
}
