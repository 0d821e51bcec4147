import Foundation
import TrellisPluginTools

/// `trellis plugins new` and `trellis plugins build`: create a plugin package that builds and
/// loads on the first try, and build one in release mode into a plugin directory.
///
/// `PluginsCommand` (the `plugins` command) dispatches its `new` and `build` subcommands here.
enum PluginsScaffoldCommand {
    /// The plugin directory `plugins build` installs into when `--into` is not given.
    static let defaultPluginDirectory = "plugins"

    /// `trellis plugins new`'s syntax.
    static let newSyntax = OptionTable(command: "trellis plugins new", operands: "NAME", options: [
        .value("lang", "swift|c", required: true, "the plugin's language"),
        .value("dir", "DIR", "where the package directory NAME is created (default: the current directory)"),
    ])

    /// `trellis plugins build`'s syntax.
    static let buildSyntax = OptionTable(command: "trellis plugins build", operands: "DIR", options: [
        .value("into", "PLUGIN_DIR", "where the libraries are installed (default: ./\(defaultPluginDirectory))"),
        .value("scratch-path", "PATH", "the Swift build folder (default: DIR/.build)"),
    ])

    /// Help for `trellis plugins new`.
    static let newHelp = newSyntax.help("""
        Creates a plugin package at DIR/NAME (DIR defaults to the current directory) with one
        node type, NAME.greet, a README and an example graph that uses the type. The package
        builds and loads as created:

          trellis plugins new NAME --lang swift
          trellis plugins build NAME --into plugins
          trellis run --plugin-dir plugins NAME/graph.dot

        A Swift package depends on TrellisPluginKit through a path dependency on a Trellis
        checkout: the directory named by the TRELLIS_HOME environment variable, else the
        checkout this trellis executable was built in (found by walking up from the
        executable to the directory whose Package.swift declares the package "Trellis").
        A C package gets a copy of trellis_plugin.h from that checkout and a Makefile.

        NAME: letters, digits, '-' and '_', starting with a letter. The plugin id, which
        namespaces the node types, is NAME in lower case with '-' turned into '_'.
        """)

    /// Help for `trellis plugins build`.
    static let buildHelp = buildSyntax.help("""
        Builds the plugin package at DIR in release mode and installs its shared libraries
        into PLUGIN_DIR (default: ./\(defaultPluginDirectory), created when missing).

        A Swift package (DIR/Package.swift) is built with 'swift build -c release' using its
        own build folder (DIR/.build, or --scratch-path PATH); every dynamic library product
        it declares is installed. A C package is built with 'make' when DIR/Makefile exists,
        else with 'cc -shared -fPIC -O2' over DIR/*.c; every lib*.so it produces is installed.

        Installing copies the library to a temporary file in PLUGIN_DIR and renames it into
        place, so a host watching PLUGIN_DIR never sees a half-written library.
        """)

    /// `trellis plugins new NAME --lang swift|c [--dir DIR]`.
    static func runNew(_ arguments: [String]) async -> Int32 {
        let scanner: ArgumentScanner
        do {
            scanner = try newSyntax.scan(arguments)
        } catch {
            Console.error("trellis plugins new: \(error)")
            return ExitCode.usage
        }
        guard scanner.positionals.count == 1, let name = scanner.positionals.first else {
            Console.error("trellis plugins new: expected exactly one NAME, got \(scanner.positionals.count). Usage: \(newSyntax.usageLine)")
            return ExitCode.usage
        }
        guard let language = scanner.value("lang").flatMap(PluginScaffold.Language.init(rawValue:)) else {
            let given = scanner.value("lang").map { "'\($0)'" } ?? "nothing"
            Console.error("trellis plugins new: --lang must be 'swift' or 'c' (got \(given))")
            return ExitCode.usage
        }
        let scaffold: PluginScaffold
        do {
            scaffold = try PluginScaffold(name: name, language: language)
        } catch {
            Console.error("trellis plugins new: \(error)")
            return ExitCode.usage
        }
        let parent = scanner.value("dir") ?? FileManager.default.currentDirectoryPath
        let packageDirectory = (parent as NSString).appendingPathComponent(name)
        do {
            let checkout = try TrellisCheckout.locate()
            try scaffold.write(to: packageDirectory, checkout: checkout)
        } catch {
            Console.error("trellis plugins new: \(error)")
            return ExitCode.failure
        }
        Console.out("""
            Created \(language == .c ? "C" : "Swift") plugin '\(scaffold.pluginID)' at \(packageDirectory)
            Node type: \(scaffold.typeID)

            Next:
              trellis plugins build \(packageDirectory) --into plugins
              trellis run --plugin-dir plugins \((packageDirectory as NSString).appendingPathComponent("graph.dot"))
            """)
        return ExitCode.success
    }

    /// `trellis plugins build DIR [--into PLUGIN_DIR] [--scratch-path PATH]`.
    static func runBuild(_ arguments: [String]) async -> Int32 {
        let scanner: ArgumentScanner
        do {
            scanner = try buildSyntax.scan(arguments)
        } catch {
            Console.error("trellis plugins build: \(error)")
            return ExitCode.usage
        }
        guard scanner.positionals.count == 1, let directory = scanner.positionals.first else {
            Console.error("trellis plugins build: expected exactly one package DIR, got \(scanner.positionals.count). Usage: \(buildSyntax.usageLine)")
            return ExitCode.usage
        }
        let builder = PluginPackageBuilder(
            packageDirectory: directory,
            pluginDirectory: scanner.value("into") ?? defaultPluginDirectory,
            scratchPath: scanner.value("scratch-path")
        )
        do {
            let installed = try builder.buildAndInstall()
            for path in installed { Console.out("Installed \(path)") }
            return ExitCode.success
        } catch {
            Console.error("trellis plugins build: \(error)")
            return ExitCode.failure
        }
    }
}
