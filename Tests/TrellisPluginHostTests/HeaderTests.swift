import Foundation
import Testing
import TrellisTestSupport

/// The ABI header must compile cleanly as strict C11 and as C++.
@Suite(.timeLimit(.minutes(1))) struct HeaderTests {
    static let program = """
        #include "trellis_plugin.h"
        static trellis_status init(const trellis_host_api *host, trellis_registrar *registrar) {
            (void)registrar;
            trellis_adapter adapter;
            adapter.struct_size = (uint32_t)sizeof adapter;
            adapter.flags = TRELLIS_ADAPTER_MESSAGES_BY_ACCESSOR;
            return TRELLIS_HAS_FIELD(host, trellis_host_api, complete) && TRELLIS_HAS_FIELD(host, trellis_host_api, reply_message_json_at)
                && TRELLIS_HAS_FIELD(&adapter, trellis_adapter, flags) ? TRELLIS_OK : TRELLIS_ERROR;
        }
        static const trellis_plugin_descriptor descriptor = {
            TRELLIS_HEADER_INIT(trellis_plugin_descriptor), "header", "1.0.0", "header check", "", init};
        const trellis_plugin_descriptor *trellis_plugin_entry(void) { return &descriptor; }
        size_t literal_length(void) { return TRELLIS_LITERAL("four").length; }
        """

    @Test func compilesAsStrictC11() throws {
        let directory = TestPlugins.buildDirectory
        let source = directory + "/header_check.c"
        try Self.program.write(toFile: source, atomically: true, encoding: .utf8)
        try TestPlugins.compile(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I", TestPlugins.includeDirectory,
                                 "-c", source, "-o", directory + "/header_check_c.o"])
    }

    @Test func compilesAsCPlusPlus() throws {
        let directory = TestPlugins.buildDirectory
        let source = directory + "/header_check.cpp"
        try Self.program.write(toFile: source, atomically: true, encoding: .utf8)
        try TestPlugins.compile(["-std=c++11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-I", TestPlugins.includeDirectory,
                                 "-c", source, "-o", directory + "/header_check_cpp.o"], cplusplus: true)
    }

    @Test func shippedCExampleCompilesWithoutWarnings() throws {
        try TestPlugins.compile(["-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-shared", "-fPIC", "-I", TestPlugins.includeDirectory,
                                 Repository.cExampleSource,
                                 "-o", TestPlugins.buildDirectory + "/libcexample_strict.so"])
    }
}
