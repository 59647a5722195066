import Core
import Foundation
import Testing

@testable import Edge

/// Where an API Gateway event names its caller, and what is not taken for one.
@Suite struct CallerTests {
    func caller(_ context: [String: Any], version: String? = "2.0") throws -> String? {
        var event: [String: Any] = ["rawPath": "/api/v1/payments/history", "headers": ["x-user-id": "mallory"]]
        var requestContext = context
        if let version {
            event["version"] = version
            requestContext["http"] = ["method": "GET", "path": "/api/v1/payments/history"]
        } else {
            event["httpMethod"] = "GET"
            event["path"] = "/api/v1/payments/history"
        }
        event["requestContext"] = requestContext
        var input = BytesSource(Array(try JSONSerialization.data(withJSONObject: event)))
        return try Envelope.read(environment: [:], input: &input, bodyLimit: 1_024).result.get().caller
    }

    @Test func theAuthorizersSubjectIsTheCaller() throws {
        #expect(
            try caller(["authorizer": ["jwt": ["claims": ["sub": "user-1", "aud": "x"], "scopes": NSNull()]]])
                == "user-1")
        #expect(try caller(["authorizer": ["claims": ["sub": "user-2"]]], version: nil) == "user-2")
        #expect(
            try caller(["authorizer": ["principalId": "user-3", "integrationLatency": 4]], version: nil) == "user-3")
        #expect(
            try caller(["authorizer": ["jwt": ["claims": ["sub": "jwt"]], "principalId": "lambda"]]) == "jwt",
            "the JWT's subject comes first")
    }

    @Test func nothingElseIsTakenForTheCaller() throws {
        #expect(try caller([:]) == nil, "a header is never the caller on API Gateway")
        #expect(try caller(["authorizer": ["jwt": ["claims": ["sub": 42]]]]) == nil, "a subject must be a string")
        #expect(try caller(["authorizer": ["lambda": ["sub": "user-4"]]]) == nil)
        #expect(try caller(["authorizer": ["claims": "sub=user-5"]], version: nil) == nil)
    }
}
