public import KubeClient
import Model

/// Stands in for a cluster's storage provisioner: for every claim still waiting for a volume it
/// creates a matching PersistentVolume (hostPath under /tmp, never written: no pod really runs),
/// pre-bound to the claim through `claimRef`, and lets kube-controller-manager's volume binder
/// bind the two as it would on a real cluster.
public actor SimulatedProvisioner: SimulatedController {
  let client: KubeClient
  /// The last failure, for diagnosing a test; the provisioner carries on.
  public private(set) var lastError: String?
  /// Claims a volume was created for (by uid), so each gets one.
  public private(set) var provisioned: Set<String> = []

  public static let fieldManager = "wavesync-simulated-provisioner"

  public init(client: KubeClient) {
    self.client = client
  }

  /// Runs `run()` in a new task; cancel the task to stop.
  public nonisolated func start() -> Task<Void, any Error> {
    Task { try await self.run() }
  }

  /// Watches claims until cancelled; a broken watch is started again after a second.
  public func run() async throws {
    try await watchForever(apiVersion: "v1", kind: "PersistentVolumeClaim", what: "claims")
  }

  func react(to event: WatchEvent) async {
    if event.kind == .added || event.kind == .modified { await provision(event.object) }
  }

  func record(failure: String) { lastError = failure }

  private func provision(_ claim: Value) async {
    guard claim[path: ["status", "phase"]]?.stringValue == "Pending",
      claim[path: ["spec", "volumeName"]] == nil,
      claim[path: ["metadata", "deletionTimestamp"]] == nil,
      let name = claim[path: ["metadata", "name"]]?.stringValue,
      let namespace = claim[path: ["metadata", "namespace"]]?.stringValue,
      let uid = claim[path: ["metadata", "uid"]]?.stringValue, !provisioned.contains(uid)
    else { return }
    var spec: Value = [
      "capacity": ["storage": claim[path: ["spec", "resources", "requests", "storage"]] ?? "1Gi"],
      "accessModes": claim[path: ["spec", "accessModes"]] ?? ["ReadWriteOnce"],
      "persistentVolumeReclaimPolicy": "Delete",
      "hostPath": ["path": .string("/tmp/wavesync-simulated-volumes/\(namespace)-\(name)")],
      "claimRef": [
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "namespace": .string(namespace),
        "name": .string(name), "uid": .string(uid),
      ],
    ]
    if let storageClass = claim[path: ["spec", "storageClassName"]] {
      spec["storageClassName"] = storageClass
    }
    if let mode = claim[path: ["spec", "volumeMode"]] { spec["volumeMode"] = mode }
    let volume: Value = [
      "apiVersion": "v1", "kind": "PersistentVolume",
      "metadata": ["name": .string("sim-\(uid)")],
      "spec": spec,
    ]
    do {
      _ = try await client.apply(volume, fieldManager: Self.fieldManager, force: true)
      provisioned.insert(uid)
    } catch {
      lastError = "creating a volume for \(namespace)/\(name): \(error)"
    }
  }
}
