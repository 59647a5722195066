import Base
import Domain

/// The body of `POST /api/public/payments`, checked: a booking (`appointment_id`,
/// `service_slug`, `kind`, optional `return_url`) or a subscription (`plan_id`, `user_id`).
/// No amount is read from the client: prices come from the catalog.
struct CreateIntentRequest {
    let purpose: PaymentRecord.Purpose
    let returnURL: String?

    private struct Body: Decodable {
        let appointment_id: String?
        let service_slug: String?
        let kind: String?
        let return_url: String?
        let plan_id: String?
        let user_id: String?
    }

    static func parse(_ bytes: [UInt8]) throws -> CreateIntentRequest {
        guard !bytes.isEmpty else { throw APIError.badRequest("invalid_json", "The body must be a JSON object.") }
        let body: Body
        do {
            body = try JSONCoding.decode(Body.self, from: bytes)
        } catch {
            throw APIError.badRequest("invalid_json", "The body must be a JSON object whose fields are strings.")
        }
        let booking = [body.appointment_id, body.service_slug, body.kind].contains { $0 != nil }
        let subscription = body.plan_id != nil || body.user_id != nil
        switch (booking, subscription) {
        case (true, true):
            throw APIError.badRequest(
                "ambiguous_request",
                "Send either appointment_id, service_slug and kind, or plan_id and user_id, not both.")
        case (false, false):
            throw APIError.badRequest(
                "missing_field",
                "Send appointment_id, service_slug and kind for a booking, or plan_id and user_id for a subscription.")
        case (true, false):
            let appointmentID = try identifier(body.appointment_id, "appointment_id")
            let serviceSlug = try identifier(body.service_slug, "service_slug")
            let kindText = try identifier(body.kind, "kind")
            guard let kind = BookingKind(rawValue: kindText) else {
                throw APIError.badRequest("invalid_kind", "kind must be \"deposit\" or \"full\".")
            }
            return CreateIntentRequest(
                purpose: .booking(appointmentID: appointmentID, serviceSlug: serviceSlug, kind: kind),
                returnURL: body.return_url)
        case (false, true):
            guard body.return_url == nil else {
                throw APIError.badRequest("invalid_field", "return_url is accepted for bookings only.")
            }
            return CreateIntentRequest(
                purpose: .subscription(
                    planID: try identifier(body.plan_id, "plan_id"), userID: try identifier(body.user_id, "user_id")),
                returnURL: nil)
        }
    }

    /// A required id, checked by `BoundedText`'s rule.
    private static func identifier(_ value: String?, _ name: String) throws -> String {
        guard let value else { throw APIError.badRequest("missing_field", "\(name) is required.") }
        return try BoundedText.id(value, field: name)
    }
}
