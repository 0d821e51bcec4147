import Foundation
import TrellisEngine
import TrellisHosting
import TrellisPluginHost

extension RunCommand {
    /// `trellis run --watch`: runs the pipeline, then runs it again, in a new run directory,
    /// each time the graph file changes or the plugin directories publish a new generation.
    /// A run in progress finishes on the graph and plugin generation it started with; changes
    /// that arrive meanwhile are picked up by the next run. Ends with Ctrl-C.
    static func watchAndRun(file: String, settings: Settings, plugins: PluginHost, adapterNames: [String]) async -> Int32 {
        let (changes, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        let watcher = plugins.watch { generation, reports in
            for report in reports where report.status == .failed {
                Console.error("trellis run: plugin \(report.path) not reloaded: \(report.message); the previous generation keeps serving")
            }
            continuation.yield("plugins changed")
        }
        let graphWatch = Task {
            var last = modificationStamp(of: file)
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                let now = modificationStamp(of: file)
                if now != last {
                    last = now
                    continuation.yield("\(file) changed")
                }
            }
        }
        defer {
            graphWatch.cancel()
            watcher.stop()
        }

        var code = ExitCode.success
        var changeIterator = changes.makeAsyncIterator()
        var ranOn: UInt64?
        while true {
            let generation = plugins.current
            ranOn = generation.number
            do {
                let adapters = try generation.adapterSet(named: adapterNames)
                code = await runOnce(file: file, settings: settings, registry: generation.registry, adapters: adapters)
            } catch {
                Console.error("trellis run: --adapter \(error)")
                code = ExitCode.usage
            }
            // A run stopped by SIGINT or SIGTERM stops the watch too: that is what the signal asked for.
            if code == RunStopSignals.exitCode(for: SIGINT) || code == RunStopSignals.exitCode(for: SIGTERM) { return code }
            Console.error("trellis run: watching \(file) and \(plugins.directories.isEmpty ? "no plugin directories" : plugins.directories.joined(separator: ", ")) for changes (Ctrl-C to stop)")
            var reason: String?
            repeat {
                guard let next = await changeIterator.next() else { return code }
                // A plugin reload that only failed leaves the generation the last run used: nothing new to run.
                if next != "plugins changed" || plugins.current.number != ranOn { reason = next }
            } while reason == nil
            Console.error("trellis run: \(reason!) (plugin generation \(plugins.current.number)); running again")
        }
    }

    /// The file's modification time and size, or `nil` when it cannot be read.
    private static func modificationStamp(of path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "\(modified)-\(attributes[.size] as? Int ?? -1)"
    }
}
