// The library as one module for the executables, tools and tests, which stand on every floor.
// The floors themselves are targets of their own, each importing only those below it:
// Base (store, HTTP types and client, logging, crypto, JSON, network, text, configuration),
// Edge (envelopes, the runtime hosts) and Domain (money, payments, purchases, refunds,
// subscriptions, events, webhooks) on Base, Providers (YooKassa, Stripe, Telegram) on Domain,
// and Operations (relay and sinks, reconciliation, alarms, the read side) on all of them.
@_exported import Base
@_exported import Domain
@_exported import Edge
@_exported import Operations
@_exported import Providers
