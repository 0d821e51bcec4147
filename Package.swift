// swift-tools-version: 6.1
import PackageDescription

/// Trellis: a Swift plugin host for graph-driven agent sessions.
///
/// One module per concern (see `README.md` and `docs/architecture.md`):
/// the DOT front end, the engine, the plugin host, the plugin SDK, sessions,
/// and a thin command-line tool over them.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "Trellis",
    products: [
        .executable(name: "trellis", targets: ["trellis"]),
        .library(name: "TrellisDOT", targets: ["TrellisDOT"]),
        .library(name: "TrellisEngine", targets: ["TrellisEngine"]),
        .library(name: "TrellisPluginHost", targets: ["TrellisPluginHost"]),
        .library(name: "TrellisPluginKit", targets: ["TrellisPluginKit"]),
        .library(name: "TrellisSession", targets: ["TrellisSession"]),
        .library(name: "TrellisHosting", targets: ["TrellisHosting"]),
        .library(name: "TrellisTerminal", targets: ["TrellisTerminal"]),
        .library(name: "TrellisStandardPlugin", type: .dynamic, targets: ["TrellisStandardPlugin"]),
        .library(name: "TrellisMockAdapters", type: .dynamic, targets: ["TrellisMockAdapters"]),
    ],
    targets: [
        // MARK: Libraries
        .target(name: "CTrellisPlugin"),
        .target(name: "TrellisCore", dependencies: ["CTrellisPlugin"], swiftSettings: strict),
        .target(name: "TrellisDOT", dependencies: ["TrellisCore"], swiftSettings: strict),
        .target(name: "TrellisEngine", dependencies: ["TrellisCore", "TrellisDOT"], swiftSettings: strict),
        .target(
            name: "TrellisPluginHost",
            dependencies: ["TrellisCore", "TrellisEngine", "CTrellisPlugin"],
            swiftSettings: strict
        ),
        .target(name: "TrellisPluginKit", dependencies: ["TrellisCore", "CTrellisPlugin"], swiftSettings: strict),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "TrellisSession",
            dependencies: ["TrellisEngine", "CSQLite"],
            swiftSettings: strict
        ),
        .target(
            name: "TrellisHosting",
            dependencies: ["TrellisDOT", "TrellisEngine", "TrellisPluginHost", "TrellisSession", "TrellisProviders", "TrellisTools", "TrellisTerminal"],
            swiftSettings: strict
        ),
        .target(
            name: "TrellisBench",
            dependencies: ["TrellisDOT", "TrellisEngine", "TrellisPluginHost", "TrellisSession", "TrellisProviders"],
            swiftSettings: strict
        ),
        .target(name: "TrellisPluginTools", swiftSettings: strict),

        .target(name: "TrellisProviders", dependencies: ["TrellisEngine"], swiftSettings: strict),
        .target(name: "TrellisTools", dependencies: ["TrellisEngine"], swiftSettings: strict),
        .target(name: "TrellisTerminal", swiftSettings: strict),

        // MARK: Command-line tool
        .executableTarget(
            name: "trellis",
            dependencies: [
                "TrellisDOT", "TrellisEngine", "TrellisPluginHost", "TrellisSession", "TrellisHosting", "TrellisBench",
                "TrellisPluginTools",
            ],
            swiftSettings: strict
        ),

        // MARK: Plugins (shared libraries loaded through the C ABI; they link only the SDK)
        .target(
            name: "TrellisStandardPlugin",
            dependencies: ["TrellisPluginKit"],
            path: "Plugins/StandardSession",
            swiftSettings: strict
        ),
        .target(
            name: "TrellisMockAdapters",
            dependencies: ["TrellisPluginKit"],
            path: "Plugins/MockAdapters",
            swiftSettings: strict
        ),

        // MARK: Tests
        // Shared helpers for every test target: repository paths, the built executable,
        // temporary directories, C plugin builds and deadline-bounded waits.
        .target(name: "TrellisTestSupport", path: "Tests/TrellisTestSupport", swiftSettings: strict),
        .testTarget(name: "TrellisCoreTests", dependencies: ["TrellisCore"], swiftSettings: strict),
        .testTarget(name: "TrellisDOTTests", dependencies: ["TrellisDOT", "TrellisTestSupport"], swiftSettings: strict),
        .testTarget(name: "TrellisEngineTests", dependencies: ["TrellisEngine", "TrellisTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TrellisPluginHostTests",
            dependencies: ["TrellisPluginHost", "TrellisEngine", "TrellisTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(name: "TrellisSessionTests", dependencies: ["TrellisSession", "TrellisHosting", "TrellisTestSupport"], swiftSettings: strict),
        .testTarget(name: "TrellisProvidersTests", dependencies: ["TrellisProviders", "TrellisTestSupport"], swiftSettings: strict),
        .testTarget(name: "TrellisToolsTests", dependencies: ["TrellisTools", "TrellisTestSupport"], swiftSettings: strict),
        // Depends on the executable it runs, so building the tests builds `trellis` first.
        .testTarget(name: "TrellisCLITests", dependencies: ["trellis", "TrellisTestSupport"], swiftSettings: strict),
        .testTarget(name: "TrellisPluginToolsTests", dependencies: ["TrellisPluginTools", "TrellisTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TrellisHostingTests",
            dependencies: ["TrellisHosting", "TrellisEngine", "TrellisPluginHost", "TrellisSession", "TrellisTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(name: "TrellisTerminalTests", dependencies: ["TrellisTerminal", "TrellisTestSupport"], swiftSettings: strict),
    ]
)
