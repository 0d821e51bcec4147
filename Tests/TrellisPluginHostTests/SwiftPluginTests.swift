import Foundation
import Testing
import TrellisDOT
import TrellisEngine
import TrellisPluginHost
import TrellisTestSupport

/// The example Swift plugin (`examples/GreetingPlugin`, built from source as its own package)
/// loads through the C ABI and runs inside graphs: synchronous and asynchronous handlers,
/// errors thrown in Swift arriving as failure reasons, and cancellation by node timeout.
// Five minutes: a fresh checkout builds the plugin packages from nothing (about two minutes
// on two cores, next to the other suites); the build is shared, so most of it is waiting.
@Suite(.timeLimit(.minutes(5))) struct SwiftPluginTests {
    private func greetingHost() async throws -> (PluginHost, String) {
        let sandbox = try SwiftPluginSandbox()
        let file = try sandbox.install(try await SwiftPluginBuilds.greeting())
        return (try sandbox.loadedHost(), file)
    }

    private func run(_ dot: String, on host: PluginHost, context: Context = Context()) throws -> (CompiledGraph, Context) {
        let parsed = DOTParser.parse(dot, file: "swift-plugin-test.dot")
        let graph = try #require(parsed.graph, "\(parsed.diagnostics)")
        return (try GraphCompiler.compile(graph, registry: host.current.registry), context)
    }

    @Test func descriptorCarriesIdentityToolchainAndSchemas() async throws {
        let (host, file) = try await greetingHost()
        let plugin = try #require(host.current.plugins.first { $0.file == file })
        #expect(plugin.id == "greeting")
        #expect(plugin.version == "1.0.0")
        #expect(plugin.toolchain == SwiftToolchain.identity, "the SDK reports the compiler it was built with")
        #expect(plugin.abiMajor == 1)
        #expect(plugin.nodeTypes.map(\.qualifiedID) == ["greeting.greet", "greeting.delayed_greet"])
        let greet = try #require(plugin.nodeTypes.first)
        #expect(greet.isThreadSafe && !greet.isAsynchronous)
        #expect(greet.schema.attributes.map(\.name) == ["name", "punctuation"])
        let delayed = try #require(plugin.nodeTypes.last)
        #expect(delayed.isAsynchronous)
        #expect(delayed.schema.attributes.map(\.name) == ["name", "punctuation", "delay_ms"])
    }

    @Test func exampleGraphRunsOnThePluginTypes() async throws {
        let (host, _) = try await greetingHost()
        let compiled = try PipelineLoader.load(path: Repository.path("examples/GreetingPlugin/graph.dot"),
                                               registry: host.current.registry)
        let result = await Engine().run(compiled)
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.context["greeting.text"] == .string("Hello, Trellis! Hello, again."))
        #expect(result.context["greeting.count"] == .integer(2))
        #expect(result.completedNodes.contains("again"), "the asynchronous node completed from the host timer's thread")
    }

    @Test func contextReadsReachTheSwiftHandler() async throws {
        let (host, _) = try await greetingHost()
        let (compiled, context) = try run("""
            digraph G {
                start [shape=Mdiamond]
                greet [type="greeting.greet"]
                done [shape=Msquare]
                start -> greet -> done
            }
            """, on: host, context: Context(["user.name": .string("Ada"), "greeting.text": .string("Hi."), "greeting.count": .integer(4)]))
        let result = await Engine().run(compiled, context: context)
        #expect(result.status == .success, "\(result.failureReason ?? "")")
        #expect(result.context["greeting.text"] == .string("Hi. Hello, Ada!"))
        #expect(result.context["greeting.count"] == .integer(5))
    }

    @Test func swiftErrorsBecomeFailureReasons() async throws {
        let (host, _) = try await greetingHost()
        let (compiled, context) = try run("""
            digraph G {
                start [shape=Mdiamond]
                greet [type="greeting.greet", name=""]
                done [shape=Msquare]
                start -> greet -> done
            }
            """, on: host)
        let result = await Engine().run(compiled, context: context)
        #expect(result.status == .fail)
        #expect(result.failureReason?.contains("node 'greet': the name to greet is empty") == true, "\(result.failureReason ?? "")")

        let (asyncCompiled, _) = try run("""
            digraph G {
                start [shape=Mdiamond]
                later [type="greeting.delayed_greet", delay_ms=-5]
                done [shape=Msquare]
                start -> later -> done
            }
            """, on: host)
        let asyncResult = await Engine().run(asyncCompiled)
        #expect(asyncResult.status == .fail)
        #expect(asyncResult.failureReason?.contains("delay_ms must not be negative, got -5") == true, "\(asyncResult.failureReason ?? "")")
    }

    @Test func nodeTimeoutCancelsAPendingSwiftHandler() async throws {
        let (host, _) = try await greetingHost()
        let (compiled, _) = try run("""
            digraph G {
                start [shape=Mdiamond]
                later [type="greeting.delayed_greet", delay_ms=600000, timeout="50ms"]
                done [shape=Msquare]
                start -> later -> done
            }
            """, on: host)
        let result = await Engine().run(compiled)
        #expect(result.status == .fail, "a ten-minute wait must be ended by the 50 ms node timeout")
        #expect(!result.completedNodes.contains("done"))

        // The plugin still serves after the cancelled call.
        let (again, _) = try run("""
            digraph G {
                start [shape=Mdiamond]
                later [type="greeting.delayed_greet", delay_ms=1, name="after"]
                done [shape=Msquare]
                start -> later -> done
            }
            """, on: host)
        let next = await Engine().run(again)
        #expect(next.status == .success, "\(next.failureReason ?? "")")
        #expect(next.context["greeting.text"] == .string("Hello, after!"))
    }

    @Test func concurrentRunsShareOneSwiftPlugin() async throws {
        let (host, _) = try await greetingHost()
        let (compiled, _) = try run("""
            digraph G {
                start [shape=Mdiamond]
                greet [type="greeting.greet"]
                later [type="greeting.delayed_greet", delay_ms=2]
                done [shape=Msquare]
                start -> greet -> later -> done
            }
            """, on: host)
        let texts = await withTaskGroup(of: String.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let result = await Engine().run(compiled, context: Context(["user.name": .string("user\(index)")]))
                    return result.context["greeting.text"]?.stringValue ?? "failed: \(result.failureReason ?? "")"
                }
            }
            var texts: [String] = []
            for await text in group { texts.append(text) }
            return texts
        }
        #expect(Set(texts) == Set((0..<16).map { "Hello, user\($0)! Hello, user\($0)!" }))
    }

    /// The SDK's `onShutdown` (the ABI 1.2 shutdown function) runs once when the activation is
    /// retired: after the plugin file went away and no host serves it. The greeting example
    /// numbers its activations (`onLoad`) and logs the end of each (`onShutdown`). Other tests
    /// may share the activation while it serves (the same bytes), so the test waits for every
    /// user to let go and names the activation it was served by.
    @Test func onShutdownRunsOnceWhenTheActivationIsRetired() async throws {
        let sandbox = try SwiftPluginSandbox()
        let file = try sandbox.install(try await SwiftPluginBuilds.greeting())
        let host = try sandbox.loadedHost()
        // Activations of one image follow each other, so the latest start is the one serving.
        let started = try #require(PluginLog.recent.last { $0.message.hasPrefix("greeting: activation ") && $0.message.hasSuffix(" started") },
                                   "onLoad logged the start of the activation")
        let activation = started.message.dropLast(" started".count)
        let retired = activation + " retired"
        let outcome = try await invoke(host.current.registry, "greeting.greet", context: ["user.name": .string("Ada")])
        #expect(outcome.status == .success, "\(outcome)")
        #expect(!PluginLog.recent.contains { $0.message == retired }, "no shutdown while the activation serves")

        try FileManager.default.removeItem(atPath: file)
        host.reload()
        try await waitUntil(timeout: .seconds(120), "the shutdown of \(activation)") {
            PluginLog.recent.contains { $0.message == retired }
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(PluginLog.recent.filter { $0.message == retired }.count == 1, "onShutdown ran once for \(activation)")
        withExtendedLifetime(host) {}
    }
}
