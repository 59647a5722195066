import Core
import Foundation
import Testing

@testable import Base

@Suite struct MigrationTests {
    static let tables = [
        "audit_log", "booking_payers", "booking_second_payments", "deliveries", "delivery_attempts", "events",
        "idempotency_keys", "payments", "purchase_charges",
        "purchases", "reconcile_runs", "refunds", "schema_migrations", "sink_states", "subscription_periods",
        "subscriptions",
        "webhook_events", "webhook_rejections",
    ]

    @Test func applyToEmptyThenNoOp() throws {
        let connection = try PGConnection(url: try TestDatabase.fresh(migrated: false))
        let migrator = Migrator(connection: connection)
        #expect(try migrator.currentVersion() == 0)
        #expect(try migrator.migrate() == Migration.all.map(\.version))
        #expect(try migrator.currentVersion() == Migration.latestVersion)
        let names = try connection.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name"
        ).rows.map { try $0.requiredString("table_name") }
        #expect(names == Self.tables)
        #expect(try migrator.migrate() == [])
        #expect(try connection.query("SELECT version FROM schema_migrations").count == Migration.all.count)
    }

    @Test func paymentsPaidBeforeTheReadSideGetTheirInvoiceNumbers() throws {
        let connection = try PGConnection(url: try TestDatabase.fresh(migrated: false))
        let before = Migration.all.filter { $0.version < Migration.readSide.version }
        try Migrator(connection: connection, migrations: before).migrate()
        for (appointment, status) in [("apt-paid", "succeeded"), ("apt-back", "refunded"), ("apt-open", "pending")] {
            try connection.query(
                """
                INSERT INTO payments (id, provider, status, amount_minor, currency, purpose, appointment_id, service_slug, kind, description)
                VALUES (gen_random_uuid(), 'yookassa', $1, 50000, 'RUB', 'booking', $2, 'haircut', 'deposit', 'Deposit')
                """, [status, appointment])
        }
        try Migrator(connection: connection).migrate()
        let rows = try connection.query(
            "SELECT appointment_id, invoice_number, paid_at IS NOT NULL AS paid FROM payments ORDER BY appointment_id")
        let found = try rows.rows.map {
            (try $0.requiredString("appointment_id"), try $0.string("invoice_number"), try $0.bool("paid"))
        }
        #expect(found.map(\.0) == ["apt-back", "apt-open", "apt-paid"])
        for (appointment, number, paid) in found {
            let expected = appointment != "apt-open"
            #expect(
                (number?.wholeMatch(of: #/INV-\d{4}-\d{6}/#) != nil) == expected, "\(appointment): \(number ?? "none")")
            #expect(paid == expected)
        }
    }

    /// Earlier code marked a payment `refunded` on any refund, partial ones too: migration 7 counts
    /// what the refund events say and gives a payment refunded in part back its `succeeded`.
    @Test func refundedPaymentsAreCountedFromTheirRefundEvents() throws {
        let connection = try PGConnection(url: try TestDatabase.fresh(migrated: false))
        try Migrator(
            connection: connection, migrations: Migration.all.filter { $0.version < Migration.refunds.version }
        )
        .migrate()
        let cases: [(name: String, event: String?, payload: String)] = [
            ("apt-part", "payment_refunded", #"{"refund_amount_minor": 20000}"#),
            ("apt-full", "payment_refunded", #"{"refund_amount_minor": 50000}"#),
            ("apt-deal", "deal_refunded", #"{"amount_refunded_minor": 1000}"#),
            ("apt-none", nil, "{}"),
        ]
        for item in cases {
            let id = UUID()
            try connection.query(
                """
                INSERT INTO payments (id, provider, status, amount_minor, currency, purpose, appointment_id, service_slug, kind, description)
                VALUES ($1::uuid, 'yookassa', 'refunded', 50000, 'RUB', 'booking', $2, 'haircut', 'deposit', 'Deposit')
                """, [id, item.name])
            if let event = item.event {
                try connection.query(
                    "INSERT INTO events (type, aggregate_type, aggregate_id, payload) VALUES ($1, 'payment', $2, $3::jsonb)",
                    [event, id.uuidString.lowercased(), item.payload])
            }
        }
        try Migrator(connection: connection).migrate()
        let rows = try connection.query(
            "SELECT appointment_id || ' ' || status || ' ' || amount_refunded_minor AS line FROM payments ORDER BY appointment_id"
        ).rows.map { try $0.requiredString("line") }
        #expect(
            rows == [
                "apt-deal succeeded 1000", "apt-full refunded 50000", "apt-none refunded 50000",
                "apt-part succeeded 20000",
            ])
    }

    @Test func concurrentMigratorsApplyEachStepOnce() throws {
        let url = try TestDatabase.fresh(migrated: false)
        let results = concurrently(4) { _ in try Migrator(connection: PGConnection(url: url)).migrate() }
        let applied = try results.flatMap { try $0.get() }
        #expect(applied.sorted() == Migration.all.map(\.version))
    }

    @Test func constraintsEnforceTheRules() throws {
        let connection = try PGConnection(url: try TestDatabase.fresh())
        let insert = """
            INSERT INTO payments (id, provider, status, amount_minor, currency, purpose, appointment_id, service_slug, kind, description)
            VALUES (gen_random_uuid(), 'yookassa', $1, $2, $3, 'booking', $4, 'haircut', 'deposit', 'Deposit')
            """
        try connection.query(insert, ["pending", 50_000, "RUB", "apt-1"])
        for (status, amount, currency) in [
            ("paid", 1, "RUB"), ("pending", 0, "RUB"), ("pending", -5, "RUB"), ("pending", 1, "rub"),
        ] {
            let error = try #require(throws: StoreError.self) {
                try connection.query(insert, [status, amount, currency, "apt-x"])
            }
            #expect(error.sqlState == .checkViolation, "\(status) \(amount) \(currency)")
        }
        let second = try #require(throws: StoreError.self) {
            try connection.query(insert, ["pending", 50_000, "RUB", "apt-1"])
        }
        #expect(second.sqlState == .uniqueViolation, "one open payment per appointment and kind")
        try connection.query(
            "INSERT INTO webhook_events (provider, event_key, event_type, verification, outcome) VALUES ('stripe', 'evt_1', 't', 'signature', 'processed')"
        )
        let duplicate = try #require(throws: StoreError.self) {
            try connection.query(
                "INSERT INTO webhook_events (provider, event_key, event_type, verification, outcome) VALUES ('stripe', 'evt_1', 't', 'signature', 'processed')"
            )
        }
        #expect(duplicate.sqlState == .uniqueViolation)
    }
}
