import Foundation

/// Everything about a transfer that comes from the client rather than the request: where the
/// server is, how to trust it and prove who we are, and how fast and long we may go.
struct TransportSettings: Sendable {
  var connection: ClusterConnection
  var limits: TransferLimits?
  var timeoutSeconds: Double
  /// Connecting may take this long, at most (and never longer than the whole request may).
  var connectTimeoutSeconds: Double { min(timeoutSeconds, 10) }

  /// Hosts never sent through a proxy: the environment's no_proxy plus loopback, which Go
  /// (and so kubectl) never proxies but libcurl would when https_proxy is set.
  static let noProxy: String = {
    let environment = ProcessInfo.processInfo.environment
    let configured = environment["no_proxy"] ?? environment["NO_PROXY"] ?? ""
    return ([configured, "localhost", "127.0.0.1", "::1"].filter { !$0.isEmpty })
      .joined(separator: ",")
  }()

  /// The server URL joined with a path; a server URL may carry a path prefix of its own
  /// (e.g. behind a proxy).
  func url(for path: String) -> String {
    var base = connection.server
    while base.hasSuffix("/") { base.removeLast() }
    return base + path
  }
}
