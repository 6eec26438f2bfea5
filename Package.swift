// swift-tools-version:6.0
// Understudy: an offline, deterministic stand-in for the Gemini Interactions API, plus a conformance kit.
//
// Module graph (dependencies point one way):
//   understudy (CLI) → UnderstudyServer, UnderstudyConformance → UnderstudyEngine → UnderstudyStore → UnderstudyModel
//   UnderstudyWire (the Dec-2025 "outputs" wire revision) → UnderstudyModel; used by the server and the runner.
//   UnderstudyGenerators (PNG, PCM, JSON-from-schema) → UnderstudyModel, CompressNIO (zlib); used by the engine.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "understudy",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "understudy", targets: ["understudy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
    ],
    targets: [
        .target(name: "UnderstudyModel", swiftSettings: strict),
        .target(
            name: "UnderstudyGenerators",
            dependencies: [
                "UnderstudyModel",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .target(name: "UnderstudyWire", dependencies: ["UnderstudyModel"], swiftSettings: strict),
        .target(
            name: "UnderstudyStore",
            dependencies: ["UnderstudyModel", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        .target(
            name: "UnderstudyEngine",
            dependencies: [
                "UnderstudyModel", "UnderstudyStore", "UnderstudyGenerators",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: strict),
        .target(
            name: "UnderstudyServer",
            dependencies: [
                "UnderstudyEngine", "UnderstudyWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .target(
            name: "UnderstudyConformance",
            dependencies: [
                "UnderstudyServer", "UnderstudyEngine", "UnderstudyWire", "UnderstudyStore", "UnderstudyModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "understudy",
            dependencies: [
                "UnderstudyServer", "UnderstudyConformance", "UnderstudyEngine", "UnderstudyStore", "UnderstudyWire",
                "UnderstudyModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(name: "UnderstudyModelTests", dependencies: ["UnderstudyModel", "UnderstudyWire"]),
        .testTarget(
            name: "UnderstudyGeneratorsTests",
            dependencies: [
                "UnderstudyGenerators",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]),
        .testTarget(
            name: "UnderstudyEngineTests",
            dependencies: ["UnderstudyEngine", "UnderstudyWire", "UnderstudyStore", "UnderstudyModel"]),
        .testTarget(
            name: "UnderstudyConformanceTests",
            dependencies: ["UnderstudyConformance", "UnderstudyEngine", "UnderstudyStore", "UnderstudyModel"]),
        .testTarget(
            name: "UnderstudyServerTests",
            dependencies: [
                "UnderstudyServer", "UnderstudyEngine", "UnderstudyStore", "UnderstudyModel", "UnderstudyWire",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
    ]
)
