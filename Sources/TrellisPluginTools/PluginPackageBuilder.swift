import Foundation
import TrellisCore

/// Builds a plugin package (Swift or C) in release mode and installs its shared libraries
/// into a plugin directory, each by copy-then-rename so a watching host sees whole files only.
package struct PluginPackageBuilder: Sendable {
    /// The package to build.
    package var packageDirectory: String
    /// Where the libraries go; created (mode 0755) when missing.
    package var pluginDirectory: String
    /// The Swift build folder; `nil` for the package's own `.build`.
    package var scratchPath: String?

    /// A builder for the package in `packageDirectory` that installs into `pluginDirectory`.
    package init(packageDirectory: String, pluginDirectory: String, scratchPath: String? = nil) {
        self.packageDirectory = packageDirectory
        self.pluginDirectory = pluginDirectory
        self.scratchPath = scratchPath
    }

    /// Builds the package and returns the installed library paths.
    package func buildAndInstall() throws(ScaffoldError) -> [String] {
        let package = URL(fileURLWithPath: packageDirectory).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: package, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ScaffoldError("\(packageDirectory) is not a directory; give the plugin package's directory")
        }
        let libraries: [String]
        if FileManager.default.fileExists(atPath: package + "/Package.swift") {
            libraries = try buildSwift(package)
        } else if FileManager.default.fileExists(atPath: package + "/Makefile") {
            libraries = try buildWithMake(package)
        } else {
            libraries = try buildWithCompiler(package)
        }
        return try libraries.map { library throws(ScaffoldError) in try install(library) }
    }

    // MARK: Swift

    private func buildSwift(_ package: String) throws(ScaffoldError) -> [String] {
        let scratch = scratchPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? package + "/.build"
        let common = ["--package-path", package, "--scratch-path", scratch]
        try BuildToolRunner.run("/usr/bin/env", ["swift", "build", "-c", "release"] + common, what: "swift build")
        let binPath = try BuildToolRunner.capture(
            "/usr/bin/env", ["swift", "build", "-c", "release", "--show-bin-path"] + common, what: "swift build --show-bin-path"
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        let description = try BuildToolRunner.capture(
            "/usr/bin/env", ["swift", "package"] + common + ["describe", "--type", "json"], what: "swift package describe"
        )
        let products = Self.dynamicLibraryProducts(describeJSON: description)
        guard !products.isEmpty else {
            throw ScaffoldError("\(package)/Package.swift declares no dynamic library product; add .library(name: \"MyPlugin\", type: .dynamic, targets: [\"MyPlugin\"])")
        }
        return try products.map { product throws(ScaffoldError) in
            let path = "\(binPath)/lib\(product).so"
            guard FileManager.default.fileExists(atPath: path) else {
                throw ScaffoldError("swift build succeeded but \(path) is missing")
            }
            return path
        }
    }

    /// The names of the dynamic library products in `swift package describe --type json` output.
    package static func dynamicLibraryProducts(describeJSON: String) -> [String] {
        guard let root = try? ContextValue(jsonText: describeJSON), let products = root["products"]?.list else { return [] }
        return products.compactMap { product in
            guard let name = product["name"]?.string,
                  let library = product["type"]?["library"]?.list, library.contains(.string("dynamic")) else { return nil }
            return name
        }
    }

    // MARK: C

    private func buildWithMake(_ package: String) throws(ScaffoldError) -> [String] {
        try BuildToolRunner.run("/usr/bin/env", ["make", "-C", package], what: "make")
        return try sharedLibraries(in: package)
    }

    private func buildWithCompiler(_ package: String) throws(ScaffoldError) -> [String] {
        let sources = ((try? FileManager.default.contentsOfDirectory(atPath: package)) ?? [])
            .filter { $0.hasSuffix(".c") }.sorted().map { package + "/" + $0 }
        guard !sources.isEmpty else {
            throw ScaffoldError("\(package) holds no Package.swift, no Makefile and no .c file: nothing to build")
        }
        var includes = ["-I", package, "-I", package + "/include"]
        if let checkout = try? TrellisCheckout.locate() {
            includes += ["-I", (checkout.headerPath as NSString).deletingLastPathComponent]
        }
        let name = URL(fileURLWithPath: package).lastPathComponent.replacingOccurrences(of: "-", with: "_")
        let output = "\(package)/lib\(name).so"
        try BuildToolRunner.run(
            "/usr/bin/env", ["cc", "-std=c11", "-O2", "-shared", "-fPIC"] + includes + ["-o", output] + sources, what: "cc"
        )
        return [output]
    }

    private func sharedLibraries(in package: String) throws(ScaffoldError) -> [String] {
        let found = ((try? FileManager.default.contentsOfDirectory(atPath: package)) ?? [])
            .filter { $0.hasPrefix("lib") && $0.hasSuffix(".so") }.sorted().map { package + "/" + $0 }
        guard !found.isEmpty else {
            throw ScaffoldError("make finished but left no lib*.so in \(package); the Makefile should build lib<name>.so there")
        }
        return found
    }

    // MARK: Installing

    /// Copies `library` into the plugin directory under a temporary name, then renames it
    /// over the final name: rename is atomic within a file system.
    private func install(_ library: String) throws(ScaffoldError) -> String {
        let directory = URL(fileURLWithPath: pluginDirectory).standardizedFileURL.path
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        } catch {
            throw ScaffoldError("cannot create the plugin directory \(directory): \(error.localizedDescription)")
        }
        let fileName = (library as NSString).lastPathComponent
        let destination = directory + "/" + fileName
        let temporary = directory + "/.\(fileName).\(getpid()).tmp"
        do {
            if manager.fileExists(atPath: temporary) { try manager.removeItem(atPath: temporary) }
            try manager.copyItem(atPath: library, toPath: temporary)
            try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: temporary)
        } catch {
            try? manager.removeItem(atPath: temporary)
            throw ScaffoldError("cannot copy \(library) into \(directory): \(error.localizedDescription)")
        }
        guard rename(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            try? manager.removeItem(atPath: temporary)
            throw ScaffoldError("cannot move the new library into place at \(destination): \(reason)")
        }
        return destination
    }
}
