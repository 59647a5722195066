import ArgumentParser
import Foundation
import StandIns

/// `standins`: runs the provider stand-ins, the downstream stand-in, the identity stand-in and a
/// Lambda Runtime API on loopback until stopped, for the local run, the gateway tests and the benchmarks. Prints
/// `export NAME=VALUE` lines: each stand-in's URL and the credentials it expects.
@main
struct StandInsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "standins", abstract: "Run loopback stand-ins for the provider APIs until stopped.")

    @Option(help: "Port of the YooKassa stand-in (0 picks a free one).") var yookassaPort = 0
    @Option(help: "Port of the Stripe stand-in (0 picks a free one).") var stripePort = 0
    @Option(help: "Port of the Telegram Bot API stand-in (0 picks a free one).") var telegramPort = 0
    @Option(help: "Port of the downstream stand-in: webhook receivers and user-service (0 picks a free one).")
    var downstreamPort = 0
    @Option(help: "Port of the identity stand-in that nginx's auth_request asks (0 picks a free one).")
    var identityPort = 0
    @Option(help: "Port of the Lambda Runtime API stand-in, for the Lambda benchmark (0 picks a free one).")
    var lambdaRuntimePort = 0
    @Option(help: "Also write the export lines to this file once listening.") var readyFile: String?

    func run() throws {
        let yookassa = YooKassaStandIn()
        let yookassaServer = try LoopbackServer(port: yookassaPort, handler: yookassa.handle)
        let stripe = StripeStandIn()
        let stripeServer = try LoopbackServer(port: stripePort, handler: stripe.handle)
        let telegram = TelegramStandIn()
        let telegramServer = try LoopbackServer(port: telegramPort, handler: telegram.handle)
        let downstream = try DownstreamStandIn()
        let downstreamServer = try LoopbackServer(port: downstreamPort, handler: downstream.handle)
        let identity = IdentityStandIn()
        let identityServer = try LoopbackServer(port: identityPort, handler: identity.handle)
        let lambdaRuntime = LambdaRuntimeStandIn()
        let lambdaRuntimeServer = try LoopbackServer(port: lambdaRuntimePort, handler: lambdaRuntime.handle)
        let lines =
            [
                "export YOOKASSA_API_URL=\(yookassaServer.baseURL)",
                "export YOOKASSA_SHOP_ID=\(yookassa.shopID)",
                "export YOOKASSA_SECRET_KEY=\(yookassa.secretKey)",
                "export STRIPE_API_URL=\(stripeServer.baseURL)",
                "export STRIPE_API_KEY=\(stripe.apiKey)",
                "export STRIPE_REFUNDS_KEY=\(stripe.refundsKey)",
                "export STRIPE_WEBHOOK_SECRET=\(stripe.webhookSecret)",
                "export TELEGRAM_API_URL=\(telegramServer.baseURL)",
                "export TELEGRAM_BOT_TOKEN=\(telegram.botToken)",
                "export TELEGRAM_WEBHOOK_SECRET=\(telegram.webhookSecret)",
                "export DOWNSTREAM_URL=\(downstreamServer.baseURL)",
                "export DOWNSTREAM_WEBHOOK_SECRET=\(downstream.webhookSecret)",
                "export IDENTITY_URL=\(identityServer.baseURL)",
                "export LAMBDA_RUNTIME_URL=\(lambdaRuntimeServer.baseURL)",
            ].joined(separator: "\n") + "\n"
        FileHandle.standardOutput.write(Data(lines.utf8))
        if let readyFile { try lines.write(toFile: readyFile, atomically: true, encoding: .utf8) }
        while true { sleep(3_600) }
    }
}
