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
        .library(name: "TrellisStandardPlugin", type: .dynamic, targets: ["TrellisStandardPlugin"]),
        .library(name: "TrellisMockAdapters", type: .dynamic, targets: ["TrellisMockAdapters"]),
    ],
    targets: [
        // MARK: Libraries
        .target(name: "CTrellisPlugin"),
        .target(name: "TrellisDOT", swiftSettings: strict),
        .target(name: "TrellisEngine", dependencies: ["TrellisDOT"], swiftSettings: strict),
        .target(
            name: "TrellisPluginHost",
            dependencies: ["TrellisEngine", "CTrellisPlugin"],
            swiftSettings: strict
        ),
        .target(name: "TrellisPluginKit", dependencies: ["CTrellisPlugin"], swiftSettings: strict),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "TrellisSession",
            dependencies: ["TrellisEngine", "TrellisPluginHost", "CSQLite"],
            swiftSettings: strict
        ),

        // MARK: Command-line tool
        .executableTarget(
            name: "trellis",
            dependencies: ["TrellisDOT", "TrellisEngine", "TrellisPluginHost", "TrellisSession"],
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
        .testTarget(name: "TrellisDOTTests", dependencies: ["TrellisDOT", "TrellisTestSupport"], swiftSettings: strict),
        .testTarget(name: "TrellisEngineTests", dependencies: ["TrellisEngine", "TrellisTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TrellisPluginHostTests",
            dependencies: ["TrellisPluginHost", "TrellisEngine", "TrellisTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(name: "TrellisSessionTests", dependencies: ["TrellisSession", "TrellisTestSupport"], swiftSettings: strict),
        // Depends on the executable it runs, so building the tests builds `trellis` first.
        .testTarget(name: "TrellisCLITests", dependencies: ["trellis", "TrellisTestSupport"], swiftSettings: strict),
    ]
)
