public import Foundation

/// A real smart-HTTP Git server on 127.0.0.1 with basic auth (`git http-backend` behind a small
/// Python web server), serving every repository under `projectRoot`. A `username` of `*`
/// accepts any user with the right password, as token-checking forges do.
public final class GitHTTPServer {
  public let port: UInt16
  public let username: String
  private let process: ServerProcess

  public let scheme: String

  /// With `tlsCertificate` (a PEM file holding key and certificate) it serves HTTPS.
  public init(
    projectRoot: String, username: String, password: String, workDirectory: URL,
    tlsCertificate: URL? = nil
  ) async throws {
    let script = workDirectory.appendingPathComponent("git-http-server.py")
    try Data(gitHTTPBackendScript.utf8).write(to: script)
    let portFile = workDirectory.appendingPathComponent("git-http-server.port")
    let process = try ServerProcess(
      "/usr/bin/python3",
      [script.path, projectRoot, username, password, portFile.path]
        + (tlsCertificate.map { [$0.path] } ?? []),
      logFile: workDirectory.appendingPathComponent("git-http-server.log"))
    var port: UInt16?
    do {
      try await process.waitUntil {
        port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { UInt16($0) }
        return port.map(LoopbackPort.accepts) ?? false
      }
    } catch {
      process.stop()
      throw error
    }
    self.port = port!
    self.username = username
    self.scheme = tlsCertificate == nil ? "http" : "https"
    self.process = process
  }

  /// `http(s)://127.0.0.1:<port>/<name>` for the repository at `projectRoot/name`.
  public func url(for name: String) -> String { "\(scheme)://127.0.0.1:\(port)/\(name)" }

  /// Requests the server has logged so far (method and status lines).
  public var log: String { process.log }

  public func stop() { process.stop() }
}
