// The Kubernetes client: kubeconfig, a libcurl transport, discovery and a REST mapper,
// get/list/server-side apply/delete/status patch/watch, typed errors from the API's Status.

public import Foundation
public import Logging
import Model
import Synchronization

/// A client for one cluster's API server, on libcurl. Every method may be called from any task;
/// transfers run on a dedicated curl thread, never on Swift's cooperative pool.
///
/// `timeoutSeconds` bounds each try; idempotent requests retry transient failures (refused or
/// reset connections, timeouts, 429, 500/502/503/504) up to 4 tries with backoff (0.2 s to 3 s).
public final class KubeClient: Sendable {
  public let connection: ClusterConnection
  let transport: Transport
  let discovery = DiscoveryCache()
  let tuning: ClientTuning

  public convenience init(
    connection: ClusterConnection, limits: TransferLimits? = nil, timeoutSeconds: Double = 30,
    logger: Logger = Logger(label: "wavesync.kube")
  ) {
    self.init(
      connection: connection, limits: limits, timeoutSeconds: timeoutSeconds, logger: logger,
      tuning: .standard)
  }

  init(
    connection: ClusterConnection, limits: TransferLimits?, timeoutSeconds: Double, logger: Logger,
    tuning: ClientTuning
  ) {
    self.connection = connection
    self.tuning = tuning
    transport = Transport(
      settings: TransportSettings(
        connection: connection, limits: limits, timeoutSeconds: timeoutSeconds),
      retry: tuning.retry, logger: logger)
  }

  /// Requests and bytes since the client was made or last reset; writes exclude dry runs.
  public var stats: TransferStats { transport.stats.withLock { $0 } }

  public func resetStats() { transport.stats.withLock { $0 = TransferStats() } }

  /// A raw request, for health checks and the odd endpoint: path like "/readyz" or
  /// "/api/v1/namespaces" (a query is allowed). Any HTTP status comes back as it is; only a
  /// server that cannot be reached throws.
  public func request(
    _ method: String, _ path: String, body: Data? = nil, contentType: String? = nil
  ) async throws(KubeError) -> KubeResponse {
    let path = path.hasPrefix("/") ? path : "/" + path
    return try await transport.send(
      HTTPRequest(method: method.uppercased(), path: path, body: body, contentType: contentType))
  }

  /// Sends a request and reads the JSON object of a 2xx answer; anything else becomes the
  /// typed error of the API's Status, naming `subject`.
  func object(_ request: HTTPRequest, subject: String) async throws(KubeError) -> Value {
    let response = try await transport.send(request)
    guard (200..<300).contains(response.status) else {
      throw APIStatus(response: response).error(cluster: connection.name, subject: subject)
    }
    return try decode(response, subject: subject)
  }

  func decode(_ response: KubeResponse, subject: String) throws(KubeError) -> Value {
    do {
      return try JSON.decode(response.body)
    } catch {
      throw .server(
        code: response.status, message: "\(connection.name): \(subject): the answer is not JSON")
    }
  }

  func failure(_ response: KubeResponse, subject: String) -> KubeError {
    APIStatus(response: response).error(cluster: connection.name, subject: subject)
  }
}
