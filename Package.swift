// swift-tools-version:6.0
import PackageDescription

/// The library's floors, which every executable, tool and test also names beside the `Core`
/// umbrella: a target that named only `Core` would not be rebuilt when a floor's declarations
/// change, since `Core` itself does not.
let floors: [Target.Dependency] = ["Base", "Edge", "Domain", "Providers", "Operations"]

/// The endpoint executables under `Functions/`, one per route of the spec.
let functions = [
    "create-intent", "yookassa-webhook", "stripe-webhook", "stars-invoice", "stars-purchase", "stars-webhook",
    "events-relay", "get-payment", "payment-history", "get-purchase", "plans", "health", "reconcile",
]

let package = Package(
    name: "payment-functions",
    platforms: [.macOS(.v15)],
    products: functions.map { .executable(name: $0, targets: [$0]) } + [
        .executable(name: "payctl", targets: ["payctl"]),
        .executable(name: "standins", targets: ["standins"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            path: "Core/C/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CLibCrypto",
            path: "Core/C/CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibCurl",
            path: "Core/C/CLibCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // The library's floors: each target imports only those below it (Core/Core/Core.swift).
        .target(
            name: "Base",
            dependencies: ["CLibPQ", "CLibCrypto", "CLibCurl", .product(name: "Logging", package: "swift-log")],
            path: "Core/Base"
        ),
        .target(
            name: "Edge",
            dependencies: ["Base", .product(name: "Logging", package: "swift-log")],
            path: "Core/Edge"
        ),
        .target(
            name: "Domain",
            dependencies: ["Base", .product(name: "Logging", package: "swift-log")],
            path: "Core/Domain"
        ),
        .target(
            name: "Providers",
            dependencies: ["Base", "Domain", .product(name: "Logging", package: "swift-log")],
            path: "Core/Providers"
        ),
        .target(
            name: "Operations",
            dependencies: ["Base", "Domain", "Providers", "Edge", .product(name: "Logging", package: "swift-log")],
            path: "Core/Operations"
        ),
        .target(
            name: "Core",
            dependencies: ["Base", "Edge", "Domain", "Providers", "Operations"],
            path: "Core/Core"
        ),
        .executableTarget(
            name: "payctl",
            dependencies: floors + [
                "Core",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tools/payctl"
        ),
        .target(
            name: "StandIns",
            dependencies: floors + ["Core"],
            path: "Tools/StandIns"
        ),
        .executableTarget(
            name: "standins",
            dependencies: floors + [
                "StandIns",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tools/StandInsCommand"
        ),
        .executableTarget(
            name: "fuzz",
            dependencies: floors + ["Core"],
            path: "Tools/fuzz",
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
        .testTarget(
            name: "UnitTests",
            dependencies: floors + ["Core"],
            path: "Tests/UnitTests",
            exclude: ["Envelope/Fixtures"]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: floors + ["Core", "StandIns"],
            path: "Tests/IntegrationTests"
        ),
    ]
        + functions.map { name in
            .executableTarget(name: name, dependencies: floors + ["Core"], path: "Functions/\(name)")
        }
)
