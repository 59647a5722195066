import Base
import FoundationEssentials

/// The server-side price list. Every amount charged comes from here, never from the client.
package struct Catalog: Sendable {
    /// A bookable service: a full price and a smaller deposit.
    package struct Service: Sendable {
        package let slug: String
        package let title: String
        package let full: Money
        package let deposit: Money
    }

    /// A subscription plan.
    package struct Plan: Sendable {
        package let id: String
        package let title: String
        package let price: Money
        package let periodDays: Int
    }

    /// A digital item sold for Telegram Stars.
    package struct Item: Sendable {
        package let id: String
        package let title: String
        package let description: String
        package let price: Money
    }

    package let services: [String: Service]
    package let plans: [String: Plan]
    package let items: [String: Item]

    /// Why a catalog file was refused; the message names the entry, never a secret.
    package struct LoadError: Error, Sendable, CustomStringConvertible {
        package let description: String
    }

    /// Reads and checks the catalog at `path`.
    package static func load(path: String) throws -> Catalog {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LoadError(description: "cannot read the catalog file")
        }
        return try parse(Array(bytes))
    }

    /// Parses and checks catalog JSON.
    package static func parse(_ bytes: [UInt8]) throws -> Catalog {
        let file: File
        do {
            file = try JSONCoding.decode(File.self, from: bytes)
        } catch {
            throw LoadError(description: "the catalog is not valid catalog JSON")
        }
        var services: [String: Service] = [:]
        for entry in file.services {
            let full = try entry.full.money("service \(entry.slug) full")
            let deposit = try entry.deposit.money("service \(entry.slug) deposit")
            guard deposit.currency == full.currency, deposit.minorUnits <= full.minorUnits else {
                throw LoadError(
                    description:
                        "service \(entry.slug): the deposit must be in the full price's currency and not above it")
            }
            try insert(
                Service(slug: entry.slug, title: entry.title, full: full, deposit: deposit), at: entry.slug,
                into: &services)
        }
        var plans: [String: Plan] = [:]
        for entry in file.plans {
            guard entry.period_days > 0 else {
                throw LoadError(description: "plan \(entry.id): period_days must be positive")
            }
            let plan = Plan(
                id: entry.id, title: entry.title, price: try entry.price.money("plan \(entry.id)"),
                periodDays: entry.period_days)
            try insert(plan, at: entry.id, into: &plans)
        }
        var items: [String: Item] = [:]
        for entry in file.items {
            let price = try entry.price.money("item \(entry.id)")
            guard price.currency == .xtr else {
                throw LoadError(description: "item \(entry.id): Stars items are priced in XTR")
            }
            try insert(
                Item(id: entry.id, title: entry.title, description: entry.description, price: price), at: entry.id,
                into: &items)
        }
        return Catalog(services: services, plans: plans, items: items)
    }

    private static func insert<Entry>(_ entry: Entry, at key: String, into table: inout [String: Entry]) throws {
        guard !key.isEmpty, table[key] == nil else {
            throw LoadError(description: "catalog key \"\(key)\" is empty or repeated")
        }
        table[key] = entry
    }

    private struct File: Decodable {
        struct Price: Decodable {
            let amount: String
            let currency: String
            func money(_ owner: String) throws -> Money {
                guard let currency = Currency(currency), let money = Money(decimal: amount, currency: currency),
                    money.minorUnits > 0
                else {
                    throw LoadError(
                        description: "\(owner): price must be a positive decimal amount and a currency code")
                }
                return money
            }
        }
        struct ServiceEntry: Decodable {
            let slug: String
            let title: String
            let full: Price
            let deposit: Price
        }
        struct PlanEntry: Decodable {
            let id: String
            let title: String
            let price: Price
            let period_days: Int
        }
        struct ItemEntry: Decodable {
            let id: String
            let title: String
            let description: String
            let price: Price
        }
        let services: [ServiceEntry]
        let plans: [PlanEntry]
        let items: [ItemEntry]
    }
}
