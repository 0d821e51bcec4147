import Foundation

/// A certificate authority made for one test run with the `openssl` command-line tool, and a
/// server certificate it signed for `localhost` (and only that name), so TLS tests can trust
/// it explicitly and see that nothing else does.
public struct TestCertificateAuthority: Sendable {
    /// The CA certificate (PEM): the file a client must be told to trust.
    public var caFile: String
    /// The server's certificate (PEM), signed by the CA, for `DNS:localhost`.
    public var certificateFile: String
    /// The server's private key (PEM).
    public var keyFile: String

    /// The server's certificate and key, as the loopback server takes them.
    public var serverFiles: LoopbackHTTPServer.TLSFiles { .init(certificate: certificateFile, key: keyFile) }

    /// One authority for the whole test process, made on a thread of its own the first time it
    /// is asked for: running `openssl` blocks, and blocked cooperative-pool threads would stall
    /// every other test in the process meanwhile.
    public static func shared() async throws -> TestCertificateAuthority {
        try await SharedAuthority.instance.value()
    }

    /// Makes a CA and a `localhost` certificate in a fresh temporary directory (blocking).
    public static func make() throws -> TestCertificateAuthority {
        let directory = try TemporaryDirectory.make("test-ca")
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try openssl(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Trellis Test CA"], in: directory)
        try openssl(["req"] + ec + ["-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], in: directory)
        try "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n".write(toFile: directory + "/server.ext", atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                     "-out", "server.pem", "-days", "2", "-extfile", "server.ext"], in: directory)
        return TestCertificateAuthority(caFile: directory + "/ca.pem", certificateFile: directory + "/server.pem", keyFile: directory + "/server.key")
    }

    private static func openssl(_ arguments: [String], in directory: String) throws {
        let result = try ChildProcess.run("/usr/bin/openssl", arguments, in: directory, timeout: .seconds(60))
        guard result.status == 0 else {
            throw LoopbackHTTPServer.ServerError("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(result.errors)")
        }
    }
}

/// The process's one test authority, made once, off the cooperative pool.
private actor SharedAuthority {
    static let instance = SharedAuthority()
    private var making: Task<TestCertificateAuthority, any Error>?

    func value() async throws -> TestCertificateAuthority {
        if let making { return try await making.value }
        let task = Task<TestCertificateAuthority, any Error> {
            try await withCheckedThrowingContinuation { continuation in
                Thread { continuation.resume(with: Result { try TestCertificateAuthority.make() }) }.start()
            }
        }
        making = task
        return try await task.value
    }
}
