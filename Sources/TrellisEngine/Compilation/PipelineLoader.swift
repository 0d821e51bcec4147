import TrellisDOT

/// Reads, parses and compiles a pipeline file in one step.
public enum PipelineLoader {
    /// Loads the DOT file at `path` and compiles it against `registry`. An unreadable file and
    /// parse errors are reported as diagnostics of the thrown `GraphCompileError`, like validation errors.
    /// `strictTypes`: an unknown node type is an error (see `GraphCompiler.compile`).
    public static func load(path: String, registry: HandlerRegistry, strictTypes: Bool = false) throws(GraphCompileError) -> CompiledGraph {
        let parsed: ParseResult
        do {
            parsed = try DOTParser.parse(fileAt: path)
        } catch {
            throw GraphCompileError(diagnostics: [
                Diagnostic(rule: "file", severity: .error, message: "cannot read '\(error.path)': \(error.reason)",
                           fix: "check the path and the file's permissions")
            ])
        }
        guard let graph = parsed.graph else { throw GraphCompileError(diagnostics: parsed.diagnostics) }
        do {
            return try GraphCompiler.compile(graph, registry: registry, sourcePath: path, strictTypes: strictTypes)
        } catch {
            throw GraphCompileError(diagnostics: parsed.diagnostics + error.diagnostics)
        }
    }
}
