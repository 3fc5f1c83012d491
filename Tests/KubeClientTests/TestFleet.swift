import Foundation
import LocalFleet
import Model
import Testing

@testable import KubeClient

/// One real API server (etcd + kube-apiserver + kube-controller-manager) for every integration
/// test of this target, started on first use. Tests share it and keep apart by namespace. Its
/// processes die with the test process (LocalFleet's watchdog).
enum TestFleet {
  static let cluster = "kube-a"

  private static let started = Task {
    let fleet = try await EnvtestFleet.start(clusters: [cluster])
    // Stopped when the test process exits, which also removes its work directory (the
    // watchdog alone would only take the processes down).
    lock.withLock { running = fleet }
    atexit { TestFleet.lock.withLock { TestFleet.running }?.stop() }
    return fleet
  }
  private static let lock = NSLock()
  nonisolated(unsafe) private static var running: EnvtestFleet?

  /// Whether the envtest binaries are there (scripts/envtest.sh builds them).
  static var available: Bool { EnvtestFleet.binariesAvailable }

  static func fleet() async throws -> EnvtestFleet { try await started.value }

  static func connection() async throws -> ClusterConnection {
    try await fleet().connection(for: cluster)
  }

  /// A fresh client (fresh stats, fresh discovery cache) of the shared cluster.
  static func client(
    limits: TransferLimits? = nil, timeoutSeconds: Double = 30, tuning: ClientTuning = .standard
  ) async throws -> KubeClient {
    KubeClient(
      connection: try await connection(), limits: limits, timeoutSeconds: timeoutSeconds,
      logger: .init(label: "wavesync.kube.test"), tuning: tuning)
  }

  /// A new namespace with a unique name for one test.
  static func namespace(_ prefix: String) async throws -> String {
    let name = "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    _ = try await client().apply(
      ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]],
      fieldManager: "kube-client-tests")
    return name
  }
}

/// Integration tests need the envtest binaries; without them they are skipped, not failed.
extension Trait where Self == ConditionTrait {
  static var needsFleet: Self {
    .enabled(if: TestFleet.available, "envtest binaries missing: run scripts/envtest.sh")
  }
}

/// A ConfigMap manifest.
func configMap(
  _ name: String, namespace: String, data: [String: String], labels: [String: String] = [:]
)
  -> Value
{
  var metadata: Value = ["name": .string(name), "namespace": .string(namespace)]
  if !labels.isEmpty {
    metadata["labels"] = .object(.init(uniqueKeysWithValues: labels.map { ($0, .string($1)) }))
  }
  return [
    "apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata,
    "data": .object(
      .init(uniqueKeysWithValues: data.sorted { $0.key < $1.key }.map { ($0, .string($1)) })),
  ]
}
