import Foundation

/// The files of a new plugin package (`trellis plugins new`): one node type, `<id>.greet`,
/// that writes `<id>.greeting`, plus a README and an example graph that runs it.
package struct PluginScaffold: Sendable {
    /// The languages a scaffold can be written in.
    package enum Language: String, Sendable {
        /// A SwiftPM package using TrellisPluginKit.
        case swift
        /// A C file, a copy of `trellis_plugin.h` and a Makefile.
        case c
    }

    /// The directory name given by the user.
    package let name: String
    /// Swift or C.
    package let language: Language
    /// The plugin id: `name` in lower case, `-` turned into `_`.
    package let pluginID: String
    /// The Swift module and product name: `name` in UpperCamelCase.
    package let moduleName: String

    /// The node type the scaffold registers.
    package var typeID: String { pluginID + ".greet" }
    /// The context key the node type writes.
    package var outputKey: String { pluginID + ".greeting" }

    /// Checks `name` and derives the plugin id and module name from it.
    package init(name: String, language: Language) throws(ScaffoldError) {
        let isLetter = { (scalar: Unicode.Scalar) in ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
        guard let first = name.unicodeScalars.first, isLetter(first),
              name.unicodeScalars.allSatisfy({ isLetter($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" })
        else {
            throw ScaffoldError("'\(name)' is not a usable plugin name: use letters, digits, '-' and '_', starting with a letter (for example 'word-count')")
        }
        self.name = name
        self.language = language
        pluginID = name.lowercased().replacingOccurrences(of: "-", with: "_")
        moduleName = name.split(whereSeparator: { $0 == "-" || $0 == "_" })
            .map { $0.prefix(1).uppercased() + $0.dropFirst() }
            .joined()
    }

    /// Writes the package into `directory` (which must not exist yet or be empty).
    package func write(to directory: String, checkout: TrellisCheckout) throws(ScaffoldError) {
        let manager = FileManager.default
        if let existing = try? manager.contentsOfDirectory(atPath: directory), !existing.isEmpty {
            throw ScaffoldError("\(directory) already exists and is not empty; choose another NAME or --dir, or remove it")
        }
        var files: [String: String] = ["README.md": readme, "graph.dot": graph, ".gitignore": gitignore]
        switch language {
        case .swift:
            files["Package.swift"] = swiftManifest(checkout: checkout)
            files["Sources/\(moduleName)/\(moduleName).swift"] = swiftSource
        case .c:
            guard let header = try? String(contentsOfFile: checkout.headerPath, encoding: .utf8) else {
                throw ScaffoldError("cannot read the plugin ABI header at \(checkout.headerPath); is \(checkout.root) a complete Trellis checkout?")
            }
            files["include/trellis_plugin.h"] = header
            files["\(pluginID).c"] = cSource
            files["Makefile"] = makefile
        }
        for (path, text) in files.sorted(by: { $0.key < $1.key }) {
            let full = directory + "/" + path
            do {
                try manager.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try text.write(toFile: full, atomically: true, encoding: .utf8)
            } catch {
                throw ScaffoldError("cannot write \(full): \(error.localizedDescription)")
            }
        }
    }

    // MARK: Shared files

    private var graph: String {
        """
        // Runs the node type of the '\(pluginID)' plugin once. See README.md.
        digraph "\(pluginID) example" {
            start [shape=Mdiamond]
            greet [type="\(typeID)", name="Trellis"]
            done  [shape=Msquare]

            start -> greet -> done
        }

        """
    }

    private var gitignore: String {
        language == .swift ? ".build/\n.swiftpm/\n" : "*.so\n*.o\n"
    }

    private var readme: String {
        let source = language == .swift ? "Sources/\(moduleName)/\(moduleName).swift" : "\(pluginID).c"
        let built = language == .swift
            ? "`swift build -c release` in its own `.build` folder (the first build compiles the SDK too and takes a minute or two)"
            : "`make` (`cc -shared -fPIC` against the copy of `trellis_plugin.h` in `include/`)"
        return """
            # \(name): a Trellis plugin

            A \(language == .swift ? "Swift" : "C") plugin for Trellis with one node type, `\(typeID)`, which
            writes `Hello, NAME!` to the context key `\(outputKey)`. NAME is the node's `name`
            attribute, or `world`.

            ## Build, install, run

                trellis plugins build . --into ../plugins
                trellis run --plugin-dir ../plugins graph.dot

            `plugins build` runs \(built), then copies the library into the plugin
            directory under a temporary name and renames it into place, so a running host that
            watches the directory only ever sees a complete file. The plugin directory must not be
            writable by other users (the host refuses to load from one that is).

            `trellis plugins list --plugin-dir ../plugins` shows the type; `trellis plugins inspect
            ../plugins/\(language == .swift ? "lib\(moduleName).so" : "lib\(pluginID).so")` shows its ABI version, toolchain and attribute schema.

            ## Change it

            The node type lives in `\(source)`. The plugin id `\(pluginID)` namespaces every type
            it registers: a type named `summarize` becomes `\(pluginID).summarize` in graphs.
            \(language == .swift ? swiftNotes : cNotes)
            """
    }

    private var swiftNotes: String {
        """
        A synchronous type conforms to `SyncNodeHandler`; one that waits (on the LLM, memory or
        tools adapter through `call.llm`, `call.memory`, `call.tools`, or on `HostTimer.sleep`)
        conforms to `AsyncNodeHandler` and is listed with `.async(...)`. A thrown error fails the
        node with its description. Adapters are exported with `adapters: [.llm(...), ...]`.

        The package depends on TrellisPluginKit through a path to a Trellis checkout (see
        `Package.swift`). A Swift plugin must be built with the same Swift toolchain as the host
        that loads it; the host checks and says so when they differ.

        """
    }

    private var cNotes: String {
        """
        Everything the host offers is in `include/trellis_plugin.h` (a copy of the header of the
        Trellis checkout this scaffold came from): context reads and writes, logging, events, and
        the timer, LLM, memory and tools extensions for asynchronous types (return
        `TRELLIS_PENDING`, then call `host->complete` once). Every function's comment says
        which threads may call it and how long its pointers stay valid.

        """
    }

    // MARK: Swift

    private func swiftManifest(checkout: TrellisCheckout) -> String {
        """
        // swift-tools-version: 6.1
        import PackageDescription

        let package = Package(
            name: "\(moduleName)",
            products: [
                // A dynamic library: lib\(moduleName).so is what goes into a plugin directory.
                .library(name: "\(moduleName)", type: .dynamic, targets: ["\(moduleName)"]),
            ],
            dependencies: [
                // The Trellis checkout providing TrellisPluginKit, the Swift plugin SDK.
                .package(name: "Trellis", path: \(quotedSwiftString(checkout.root))),
            ],
            targets: [
                .target(
                    name: "\(moduleName)",
                    dependencies: [.product(name: "TrellisPluginKit", package: "Trellis")],
                    swiftSettings: [.swiftLanguageMode(.v6)]
                ),
            ]
        )

        """
    }

    private var swiftSource: String {
        """
        import TrellisPluginKit

        /// The plugin's entry symbol: the host calls it to learn the plugin id, version and types.
        /// It must be public: only public symbols are exported from the library.
        @c(trellis_plugin_entry)
        public func trellisPluginEntry() -> PluginDescriptorPointer {
            TrellisPlugin.export(
                id: "\(pluginID)",
                version: "0.1.0",
                description: "\(name) plugin",
                types: [
                    .sync("greet", Greet(), description: "writes a greeting to \(outputKey)", attributes: [
                        AttributeDeclaration("name", summary: "who to greet (default: world)"),
                    ]),
                ]
            )
        }

        /// `\(typeID)`: writes "Hello, NAME!" to `\(outputKey)`.
        struct Greet: SyncNodeHandler {
            func handle(_ call: inout NodeCall) throws -> NodeResult {
                let name = call.attribute("name") ?? "world"
                guard !name.isEmpty else { throw PluginError("node '\\(call.nodeID)': the name attribute is empty") }
                return .success(["\(outputKey)": .string("Hello, \\(name)!")])
            }
        }

        """
    }

    private func quotedSwiftString(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    // MARK: C

    private var makefile: String {
        """
        # Builds lib\(pluginID).so, the file that goes into a Trellis plugin directory.
        CC ?= cc
        CFLAGS ?= -O2

        lib\(pluginID).so: \(pluginID).c include/trellis_plugin.h
        \t$(CC) -std=c11 -Wall -Wextra -Werror $(CFLAGS) -fPIC -shared -Iinclude -o $@ \(pluginID).c

        clean:
        \trm -f lib\(pluginID).so

        .PHONY: clean

        """
    }

    private var cSource: String {
        """
        /* The '\(pluginID)' Trellis plugin: one node type, \(typeID). */
        #include "trellis_plugin.h"

        #include <stdio.h>

        /* The host API table, kept from init: valid for the life of the process. */
        static const trellis_host_api *host;

        /* \(typeID): writes "Hello, NAME!" to \(outputKey). Runs on any host thread,
         * concurrently (the type is registered thread-safe: it keeps no state). */
        static trellis_status greet_invoke(void *state, trellis_call *call) {
            (void)state;
            trellis_string name = TRELLIS_LITERAL("world");
            trellis_string attribute;
            if (host->node_attribute(call, TRELLIS_LITERAL("name"), &attribute) == TRELLIS_OK) {
                name = attribute;
            }
            if (name.length == 0) {
                host->outcome_set_failure(call, TRELLIS_LITERAL("the name attribute is empty"));
                return TRELLIS_ERROR;
            }
            char text[512];
            int length = snprintf(text, sizeof text, "Hello, %.*s!", (int)name.length, name.data);
            if (length < 0 || (size_t)length >= sizeof text) {
                host->outcome_set_failure(call, TRELLIS_LITERAL("the name attribute is too long"));
                return TRELLIS_ERROR;
            }
            host->context_set_string(call, TRELLIS_LITERAL("\(outputKey)"), trellis_string_make(text, (size_t)length));
            return TRELLIS_OK;
        }

        static const trellis_attribute_spec greet_attributes[] = {
            {TRELLIS_HEADER_INIT(trellis_attribute_spec), "name", TRELLIS_ATTR_STRING, false, "who to greet (default: world)"},
        };

        static trellis_status plugin_init(const trellis_host_api *api, trellis_registrar *registrar) {
            host = api;
            trellis_node_type greet = {
                TRELLIS_HEADER_INIT(trellis_node_type),
                "greet",
                "writes a greeting to \(outputKey)",
                TRELLIS_NODE_THREAD_SAFE,
                greet_attributes,
                sizeof greet_attributes / sizeof greet_attributes[0],
                true,
                NULL,
                greet_invoke,
                NULL,
            };
            return host->register_node_type(registrar, &greet);
        }

        static const trellis_plugin_descriptor descriptor = {
            TRELLIS_HEADER_INIT(trellis_plugin_descriptor),
            "\(pluginID)",
            "0.1.0",
            "\(name) plugin",
            NULL,
            plugin_init,
        };

        TRELLIS_EXPORT const trellis_plugin_descriptor *trellis_plugin_entry(void) {
            return &descriptor;
        }

        """
    }
}
