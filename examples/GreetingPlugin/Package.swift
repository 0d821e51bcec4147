// swift-tools-version: 6.1
import PackageDescription

/// A Trellis plugin built the way a plugin author builds one: its own package, depending on
/// Trellis only for the Swift SDK (TrellisPluginKit), producing a shared library the host
/// loads with dlopen. Here Trellis is this repository, two directories up; in your own
/// package, point the path at your Trellis checkout.
let package = Package(
    name: "GreetingPlugin",
    products: [
        // `type: .dynamic` makes libGreetingPlugin.so, the file that goes into a plugin directory.
        .library(name: "GreetingPlugin", type: .dynamic, targets: ["GreetingPlugin"]),
    ],
    dependencies: [
        .package(name: "Trellis", path: "../.."),
    ],
    targets: [
        .target(
            name: "GreetingPlugin",
            dependencies: [.product(name: "TrellisPluginKit", package: "Trellis")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
