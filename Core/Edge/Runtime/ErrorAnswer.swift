import Base
import Logging

/// Maps any error a handler throws to the answer the caller gets, and logs what the caller
/// must not see.
enum ErrorAnswer {
    static func apiError(for error: Error, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as ConfigError:
            logger.error(
                "configuration error",
                metadata: [
                    "variable": .string(error.variable), "problem": .string(error.problem),
                    "hint": .string("set \(error.variable) in the function's environment"),
                ])
            return APIError(
                500, "configuration_error", "The function is misconfigured: \(error.variable) \(error.problem).")
        case let error as StoreError:
            logger.error(
                "database error",
                metadata: [
                    "kind": .string("\(error.kind)"), "sqlstate": .string(error.sqlState?.code ?? ""),
                    "detail": .string(error.detail),
                ])
            switch error.kind {
            case .unavailable:
                return .databaseUnavailable
            case .schemaOutdated:
                return APIError(
                    500, "schema_outdated",
                    "The database schema is older than this function expects; run `payctl migrate`.")
            case .statementFailed, .notInTransaction, .unexpectedResult:
                return .internalError
            }
        default:
            logger.error("unexpected error", metadata: ["error": .string(String(describing: type(of: error)))])
            return .internalError
        }
    }
}
