// swift-tools-version: 6.3
import PackageDescription

/// Trellis: a Swift plugin host for graph-driven agent sessions.
///
/// One module per concern (see `README.md` and `docs/architecture.md`):
/// the DOT front end, the engine, the plugin host, the plugin SDK, sessions,
/// and a thin command-line tool over them.
///
/// Every Swift target is in the Swift 6 language mode (the default of tools version 6, so
/// not restated) with complete concurrency checking, and turns on these upcoming features:
/// - `ExistentialAny`: an existential is spelled `any P`, so its cost is visible;
/// - `MemberImportVisibility`: a file imports every module whose members it uses, so a file
///   moved between folders or modules never depends on what a neighbour imported;
/// - `InternalImportsByDefault` (`own`): an `import` is internal unless written `public import`,
///   so what a module's API exposes from another module is said where it happens. On in the
///   targets whose files say so already; the engine, sessions, providers, tools, hosting and
///   the executable still import as public by default.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]
let own = strict + [.enableUpcomingFeature("InternalImportsByDefault")]

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
        // Host-internal: the per-thread crash context and fatal-signal handler that name the
        // plugin, node and session a crash happened in (not part of the plugin ABI).
        .target(name: "CTrellisCrash"),
        .target(name: "TrellisCore", dependencies: ["CTrellisPlugin", "CEpoll"], swiftSettings: own),
        .target(name: "TrellisDOT", dependencies: ["TrellisCore"], swiftSettings: own),
        .target(name: "TrellisEngine", dependencies: ["TrellisCore", "TrellisDOT"], swiftSettings: strict),
        .target(
            name: "TrellisPluginHost",
            dependencies: ["TrellisCore", "TrellisEngine", "CTrellisPlugin", "CTrellisCrash"],
            swiftSettings: own
        ),
        .target(name: "TrellisPluginKit", dependencies: ["TrellisCore", "CTrellisPlugin"], swiftSettings: own),
        // The session node types' behaviour, written once: the built-in handlers and the
        // standard session plugin are glue over it (docs/architecture.md).
        .target(name: "TrellisSessionNodes", dependencies: ["TrellisCore"], swiftSettings: own),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // epoll and eventfd (libc headers Glibc's module leaves out), for the HTTP client's loop.
        .systemLibrary(name: "CEpoll"),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            path: "Sources/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "TrellisSession",
            dependencies: ["TrellisCore", "TrellisEngine", "TrellisSessionNodes", "CSQLite", "CLibPQ"],
            swiftSettings: strict
        ),
        .target(
            name: "TrellisHosting",
            dependencies: ["TrellisDOT", "TrellisEngine", "TrellisPluginHost", "TrellisSession", "TrellisProviders", "TrellisTools", "TrellisTerminal"],
            swiftSettings: strict
        ),
        // A throwaway PostgreSQL cluster (initdb, pg_ctl) that the tests and the store benchmark start.
        .target(name: "TrellisPostgresCluster", swiftSettings: own),
        .target(
            name: "TrellisBench",
            dependencies: ["TrellisDOT", "TrellisEngine", "TrellisPluginHost", "TrellisSession", "TrellisProviders", "TrellisPostgresCluster"],
            swiftSettings: own
        ),
        .target(name: "TrellisPluginTools", dependencies: ["TrellisCore"], swiftSettings: own),

        .target(name: "TrellisProviders", dependencies: ["TrellisCore", "TrellisEngine", "CEpoll", "COpenSSL"], swiftSettings: strict),
        .target(name: "TrellisTools", dependencies: ["TrellisEngine"], swiftSettings: strict),
        .target(name: "TrellisTerminal", dependencies: ["TrellisCore"], swiftSettings: own),

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
            dependencies: ["TrellisPluginKit", "TrellisSessionNodes"],
            path: "Plugins/StandardSession",
            swiftSettings: own
        ),
        .target(
            name: "TrellisMockAdapters",
            dependencies: ["TrellisPluginKit"],
            path: "Plugins/MockAdapters",
            swiftSettings: own
        ),

        // MARK: Tests
        // Shared helpers for every test target: repository paths, the built executable,
        // temporary directories, C plugin builds and deadline-bounded waits.
        .target(name: "TrellisTestSupport", dependencies: ["COpenSSL"], path: "Tests/TrellisTestSupport", swiftSettings: strict),
        .testTarget(name: "TrellisCoreTests", dependencies: ["TrellisCore"], swiftSettings: strict),
        .testTarget(name: "TrellisDOTTests", dependencies: ["TrellisDOT", "TrellisTestSupport"], swiftSettings: strict),
        .testTarget(name: "TrellisEngineTests", dependencies: ["TrellisEngine", "TrellisTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TrellisPluginHostTests",
            dependencies: ["TrellisPluginHost", "TrellisEngine", "TrellisSession", "TrellisTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(name: "TrellisSessionTests", dependencies: ["TrellisSession", "TrellisSessionNodes", "TrellisHosting", "TrellisTestSupport", "TrellisPostgresCluster"], swiftSettings: strict),
        .testTarget(name: "TrellisProvidersTests", dependencies: ["TrellisProviders", "TrellisTestSupport"], swiftSettings: strict),
        .testTarget(name: "TrellisToolsTests", dependencies: ["TrellisTools", "TrellisTestSupport"], swiftSettings: strict),
        // Depends on the executable it runs, so building the tests builds `trellis` first.
        .testTarget(name: "TrellisCLITests", dependencies: ["trellis", "TrellisTestSupport", "TrellisPostgresCluster"], swiftSettings: strict),
        .testTarget(name: "TrellisPluginToolsTests", dependencies: ["TrellisPluginTools", "TrellisTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "TrellisHostingTests",
            dependencies: ["TrellisHosting", "TrellisEngine", "TrellisPluginHost", "TrellisSession", "TrellisProviders", "TrellisTools", "TrellisTestSupport"],
            swiftSettings: strict
        ),
        .testTarget(name: "TrellisTerminalTests", dependencies: ["TrellisTerminal", "TrellisCore", "TrellisTestSupport"], swiftSettings: strict),
    ]
)
