import Foundation
import Glibc
import Testing
import TrellisDOT
@testable import TrellisEngine
import TrellisTestSupport

/// Helpers shared by the leaf-handler tests: scratch directories, process checks and requests.
enum LeafTestSupport {
    /// A new empty directory under the system's temporary directory (symlinks resolved).
    static func makeScratchDirectory() throws -> String {
        let path = try TemporaryDirectory.make("leaf")
        return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    /// Removes a scratch directory and everything in it.
    static func remove(_ directory: String) {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Whether process `pid` no longer runs: it is gone, or only a zombie waiting for its
    /// (new) parent to reap it.
    static func isDead(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        guard let close = stat.lastIndex(of: ")") else { return true }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state == "Z" || state == "X"
    }

    /// Waits until the file at `path` holds a line, for up to 30 s, and returns its text.
    static func waitForLine(in path: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws -> String {
        try await waitFor("a line in \(path)", interval: .milliseconds(20), sourceLocation: sourceLocation) {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") else { return nil }
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    /// A request for a node of `type` with `attributes` (raw DOT values) and `outgoing` edges.
    static func request(
        id: String = "node",
        type: String,
        attributes: [(String, String)],
        outgoing: [OutgoingEdgeInfo] = [],
        context: Context = Context(),
        adapters: AdapterSet = AdapterSet(),
        services: RunServices = RunServices(),
        attempt: Int = 0
    ) -> HandlerRequest {
        let spec = NodeSpec(
            id: id,
            type: type,
            attributes: Attributes(attributes.map { ($0.0, AttributeValue($0.1)) }),
            index: 0,
            outgoing: outgoing
        )
        return HandlerRequest(node: spec, context: context, adapters: adapters, services: services, attempt: attempt)
    }

    /// Reads a file as text, or an empty string when it does not exist.
    static func read(_ path: String) -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    struct SupportError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
