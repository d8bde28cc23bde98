// swift-tools-version:6.2
import PackageDescription
#if canImport(Glibc)
import Glibc
#endif

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

/// Issue 12: how the release `ml-connector` is linked on Linux, for `serve`'s idle resident set
/// (`mlc-bench footprint --quick`: serve on SQLite, idle 2 s after its first `/readyz`; 45.5–47 MB
/// linked the default way, 38.3–38.8 MB linked this way).
/// - `-static-stdlib`: the Swift runtime and Foundation are linked in, not mapped as nine shared
///   libraries each with its own partly touched pages. The driver adds only the libraries our
///   objects name, so Foundation's own (CoreFoundation, ICU, its collections and C shims) are
///   named here.
/// - `--no-export-dynamic`: `-static-stdlib` would export every symbol of the package's objects
///   (megabytes of dynamic symbol table read at load); nothing looks them up by name.
/// - lld with `-z pack-relative-relocs` (DT_RELR): megabytes of relative relocations, all read at
///   load, shrink to kilobytes (without it: 39.8–42.6 MB). A loader older than glibc 2.36 does
///   not apply DT_RELR, so it is asked for only when the building machine's glibc has it (the
///   binary runs where it is built: a self-hosted server).
/// Debug builds, tests and the other executables are linked as before.
let serveFootprint: [LinkerSetting] = {
    var flags = ["-static-stdlib", "-lCoreFoundation", "-l_FoundationICU", "-l_FoundationCollections", "-l_FoundationCShims", "-use-ld=lld", "-Xlinker", "--no-export-dynamic"]
    if glibcHasRelativeRelocationPacking() { flags += ["-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"] }
    return [.unsafeFlags(flags, .when(platforms: [.linux], configuration: .release))]
}()

/// Whether this machine's glibc (2.36 or later) applies DT_RELR relocations.
func glibcHasRelativeRelocationPacking() -> Bool {
    #if canImport(Glibc)
    // "glibc 2.36", as `getconf GNU_LIBC_VERSION` prints it.
    var buffer = [CChar](repeating: 0, count: 64)
    guard confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count) > 0 else { return false }
    let version = String(cString: buffer).split(separator: " ").last?.split(separator: ".").compactMap { Int($0) } ?? []
    guard version.count >= 2 else { return false }
    return (version[0], version[1]) >= (2, 36)
    #else
    return false
    #endif
}

let package = Package(
    name: "ml-connector",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ml-connector", targets: ["MLConnectorCLI"]),
        .executable(name: "mlc-bench", targets: ["MLCBench"]),
        .executable(name: "mlc-drill", targets: ["MLCDrill"]),
        .library(name: "ConnectorKit", targets: ["ConnectorKit"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Server", targets: ["Server"]),
        .library(name: "Sandbox", targets: ["Sandbox"]),
        .library(name: "FreshBooks", targets: ["FreshBooks"]),
        .library(name: "Flows", targets: ["Flows"]),
        .library(name: "Asana", targets: ["Asana"]),
        .library(name: "QuickBooks", targets: ["QuickBooks"]),
        .library(name: "Acumatica", targets: ["Acumatica"]),
        .library(name: "Jira", targets: ["Jira"]),
        .library(name: "Demo", targets: ["Demo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/vapor/sqlite-nio", from: "1.13.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        .target(
            name: "ConnectorKit",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Store",
            dependencies: [
                "ConnectorKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Engine",
            dependencies: [
                "ConnectorKit", "Store",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Server",
            dependencies: [
                "ConnectorKit", "Store", "Engine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Sandbox",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FreshBooks",
            dependencies: [
                "ConnectorKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Asana",
            dependencies: [
                "ConnectorKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "QuickBooks",
            dependencies: [
                "ConnectorKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Acumatica",
            dependencies: [
                "ConnectorKit",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Jira",
            dependencies: [
                "ConnectorKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Flows",
            dependencies: [
                "ConnectorKit", "Store", "Engine", "FreshBooks", "Asana", "QuickBooks", "Acumatica", "Jira",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Demo",
            dependencies: ["ConnectorKit", "Store", "Engine", "Flows", "FreshBooks", "Asana", "QuickBooks", "Acumatica", "Jira", "Sandbox"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "MLConnectorCLI",
            dependencies: [
                "ConnectorKit", "Store", "Engine", "Server", "Flows", "Demo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict,
            linkerSettings: serveFootprint
        ),
        .target(
            name: "Fuzzing",
            dependencies: [
                "ConnectorKit", "FreshBooks", "Asana", "Jira", "QuickBooks", "Acumatica", "Flows",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "MLCBench",
            dependencies: [
                "ConnectorKit", "Store", "Engine", "Server", "Fuzzing", "Sandbox", "Asana", "FreshBooks", "Flows", "Demo",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "MLCDrill",
            dependencies: [
                "ConnectorKit", "Store", "Engine",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TestSupport",
            dependencies: [
                "ConnectorKit", "Store", "FreshBooks", "Asana", "Jira", "Sandbox",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "ConnectorKitTests",
            dependencies: [
                "ConnectorKit", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: [
                "ConnectorKit", "Store", "TestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EngineTests",
            dependencies: ["ConnectorKit", "Store", "Engine", "TestSupport"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FreshBooksTests",
            dependencies: [
                "ConnectorKit", "FreshBooks", "Sandbox", "Store", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FlowsTests",
            dependencies: [
                "ConnectorKit", "Store", "Engine", "Server", "Flows", "FreshBooks", "Asana", "Jira", "Acumatica", "QuickBooks", "Sandbox", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AsanaTests",
            dependencies: [
                "ConnectorKit", "Asana", "Sandbox", "Store", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "QuickBooksTests",
            dependencies: [
                "ConnectorKit", "QuickBooks", "Sandbox", "Store", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AcumaticaTests",
            dependencies: [
                "ConnectorKit", "Acumatica", "Sandbox", "Store", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "JiraTests",
            dependencies: [
                "ConnectorKit", "Jira", "Sandbox", "Store", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "MLConnectorCLITests",
            dependencies: [
                "ConnectorKit", "Store", "Flows", "Asana", "FreshBooks", "Sandbox", "Demo", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "ConnectorKit", "Store", "Engine", "Server", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "FuzzingTests",
            dependencies: ["ConnectorKit", "Flows", "Fuzzing"],
            swiftSettings: strict
        ),
    ]
)
