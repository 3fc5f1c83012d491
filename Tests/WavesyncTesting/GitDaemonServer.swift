public import Foundation

/// `git daemon` serving every repository under `basePath` over `git://127.0.0.1:<port>/`.
public final class GitDaemonServer {
  public let port: UInt16
  public let basePath: String
  private let process: ServerProcess

  /// Starts the daemon on a free loopback port (a few ports are tried, in case another process
  /// grabs the chosen one first) and waits until it accepts connections.
  public init(basePath: String, logDirectory: URL) async throws {
    (process, port) = try await ServerProcess.onFreeLoopbackPort("git daemon") { port, attempt in
      try ServerProcess(
        "/usr/bin/git",
        [
          "daemon", "--reuseaddr", "--export-all", "--informative-errors",
          "--base-path=\(basePath)", "--listen=127.0.0.1", "--port=\(port)",
        ],
        logFile: logDirectory.appendingPathComponent("git-daemon-\(attempt).log"))
    }
    self.basePath = basePath
  }

  /// `git://127.0.0.1:<port>/<name>` for the repository at `basePath/name`.
  public func url(for name: String) -> String { "git://127.0.0.1:\(port)/\(name)" }

  public func stop() { process.stop() }
}
