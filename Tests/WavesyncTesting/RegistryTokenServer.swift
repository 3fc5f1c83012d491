public import Foundation

/// A real token service for `docker-registry`'s token auth, on 127.0.0.1 (see
/// `registryTokenServerScript`): tokens for one user and password, signed with a throwaway key
/// whose certificate the registry is told to trust.
public final class RegistryTokenServer {
  public let port: UInt16
  public let user: String
  /// A test password, kept so the test can push with it.
  public let password: String
  /// The certificate signing the tokens (PEM file), for the registry's `rootcertbundle`.
  public let certificate: URL
  public static let issuer = "wavesync-test-token-issuer"
  public static let service = "wavesync-test-registry"
  private let process: ServerProcess

  public init(user: String, password: String, workDirectory: URL) async throws {
    _ = try SelfSignedCertificate.make(in: workDirectory)
    let key = workDirectory.appendingPathComponent("tls.key")
    certificate = workDirectory.appendingPathComponent("tls.crt")
    let script = workDirectory.appendingPathComponent("registry-token-server.py")
    try Data(registryTokenServerScript.utf8).write(to: script)
    let portFile = workDirectory.appendingPathComponent("registry-token-server.port")
    let process = try ServerProcess(
      "/usr/bin/python3",
      [script.path, user, password, key.path, certificate.path, Self.issuer, portFile.path],
      logFile: workDirectory.appendingPathComponent("registry-token-server.log"))
    do {
      port = try await eventually("the registry token service listening") { note in
        guard process.isRunning else {
          throw ServerStartError(description: "token service exited: \(process.log)")
        }
        note(process.log)
        let port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { UInt16($0) }
        return port.flatMap { LoopbackPort.accepts($0) ? $0 : nil }
      }
    } catch {
      process.stop()
      throw error
    }
    self.user = user
    self.password = password
    self.process = process
  }

  /// The URL the registry's challenge names.
  public var realm: String { "http://127.0.0.1:\(port)/token" }

  /// The lines logged so far, one per token request: `GET /token <status> scopes=<n>`.
  public var requests: [String] { process.log.split(separator: "\n").map(String.init) }

  public func stop() { process.stop() }
}
