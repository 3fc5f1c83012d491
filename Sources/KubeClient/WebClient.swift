public import Foundation
public import Logging

/// Requests to any http(s) URL, not a cluster's API server (an OCI registry, its token
/// service), over the same libcurl transport: TLS verified (against `certificateAuthorityData`
/// alone when given, else the system store), transient failures of idempotent requests retried
/// as `KubeClient` retries them, redirects not followed (so an Authorization header never goes
/// to another host), bytes and requests counted.
public final class WebClient: Sendable {
  let transport: Transport

  /// `name` labels logs and errors (a registry's host, say).
  public init(
    name: String, certificateAuthorityData: Data? = nil, timeoutSeconds: Double = 30,
    logger: Logger = Logger(label: "wavesync.web")
  ) {
    transport = Transport(
      settings: TransportSettings(
        connection: ClusterConnection(
          name: name, server: "", certificateAuthorityData: certificateAuthorityData),
        limits: nil, timeoutSeconds: timeoutSeconds),
      retry: ClientTuning.standard.retry, logger: logger)
  }

  /// Sends `method` to `url` with `headers` (an `Accept` replaces the default
  /// `application/json`) and returns the answer, whatever its status. Throws when no answer
  /// came (`.unreachable`, `.timeout`), or `.badConfig` for a URL that is not http(s) (libcurl
  /// would read `file://` too). Header values are never logged.
  public func send(
    _ method: String, url: String, headers: [String: String] = [:], body: Data? = nil
  ) async throws(KubeError) -> KubeResponse {
    let scheme = url.prefix { $0 != ":" }.lowercased()
    guard scheme == "http" || scheme == "https" else {
      throw .badConfig("\(transport.clusterName): not an http(s) URL: \(scheme):...")
    }
    return try await transport.send(
      HTTPRequest(
        method: method.uppercased(), path: "", url: url,
        headers: headers.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }, body: body))
  }

  /// Requests and bytes since the client was made or last reset.
  public var stats: TransferStats { transport.stats.withLock { $0 } }

  public func resetStats() { transport.stats.withLock { $0 = TransferStats() } }
}
