public import Foundation

/// A real OCI registry on 127.0.0.1: Debian's `docker-registry` (distribution 2.8) with its
/// storage in a temporary directory, optionally behind TLS and authentication.
public final class LocalRegistry {
  public enum Authentication {
    case none
    /// htpasswd: HTTP basic auth for one user.
    case basic(user: String, password: String)
    /// Bearer tokens from a token service, as Docker Hub and most cloud registries do.
    case token(RegistryTokenServer)
  }

  public let port: UInt16
  /// `127.0.0.1:<port>`, as image references name it.
  public let host: String
  /// The CA of the registry's certificate (its self-signed certificate) when it serves TLS.
  public let certificateAuthority: Data?
  private let directory: TemporaryDirectory
  private let process: ServerProcess

  public static let executable = "/usr/bin/docker-registry"

  /// Starts the registry on a free loopback port (a few ports are tried, in case another
  /// process grabs the chosen one first) and waits until it accepts connections.
  public init(authentication: Authentication = .none, tls: Bool = false) async throws {
    let directory = try TemporaryDirectory("wavesync-registry")
    let authSection = try await Self.authSection(authentication, directory: directory)
    var tlsSection = ""
    if tls {
      _ = try SelfSignedCertificate.make(in: directory.url)
      tlsSection =
        "  tls:\n    certificate: \(directory.appending("tls.crt").path)\n"
        + "    key: \(directory.appending("tls.key").path)\n"
    }
    (process, port) = try await ServerProcess.onFreeLoopbackPort("docker-registry") {
      port, attempt in
      let config = directory.appending("config-\(attempt).yml")
      try Data(
        """
        version: 0.1
        log:
          level: warn
          accesslog:
            disabled: true
        storage:
          filesystem:
            rootdirectory: \(directory.appending("storage").path)
        http:
          addr: 127.0.0.1:\(port)
          secret: \(UUID().uuidString)
        \(tlsSection)\(authSection)
        """.utf8
      ).write(to: config)
      return try ServerProcess(
        Self.executable, ["serve", config.path],
        logFile: directory.appending("registry-\(attempt).log"))
    }
    host = "127.0.0.1:\(port)"
    certificateAuthority = tls ? try Data(contentsOf: directory.appending("tls.crt")) : nil
    self.directory = directory
  }

  /// `http(s)://127.0.0.1:<port>`.
  public var baseURL: String { "\(certificateAuthority == nil ? "http" : "https")://\(host)" }

  /// What the registry logged (warnings and errors), for failure messages.
  public var log: String { process.log }

  public func stop() { process.stop() }

  private static func authSection(_ authentication: Authentication, directory: TemporaryDirectory)
    async throws -> String
  {
    switch authentication {
    case .none:
      return ""
    case .basic(let user, let password):
      let htpasswd = directory.appending("htpasswd")
      try Data("\(user):\(try await bcrypt(password))\n".utf8).write(to: htpasswd)
      return "auth:\n  htpasswd:\n    realm: wavesync-test\n    path: \(htpasswd.path)\n"
    case .token(let server):
      return """
        auth:
          token:
            realm: \(server.realm)
            service: \(RegistryTokenServer.service)
            issuer: \(RegistryTokenServer.issuer)
            rootcertbundle: \(server.certificate.path)

        """
    }
  }

  /// A bcrypt hash of `password` for htpasswd, by the C library's crypt(3) (libxcrypt) through
  /// Perl, both always on Debian: no htpasswd tool needed.
  static func bcrypt(_ password: String) async throws -> String {
    let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
    let salt = String((0..<22).map { _ in alphabet.randomElement()! })
    let result = try await AwaitedProcess.run(
      URL(fileURLWithPath: "/usr/bin/perl"),
      ["-e", "print crypt($ARGV[0], '$2y$05$' . $ARGV[1])", password, salt])
    guard result.status == 0, result.output.hasPrefix("$2y$05$") else {
      throw ServerStartError(description: "cannot make a bcrypt hash with perl: \(result)")
    }
    return result.output
  }
}
