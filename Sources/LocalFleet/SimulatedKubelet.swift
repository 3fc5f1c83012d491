import Foundation
public import KubeClient
import Model

/// Stands in for the kubelets of one cluster: registers a Node, watches pods in every namespace
/// and reports them started (status subresource, JSON merge patch): `phase: Running`, every
/// container ready, conditions True, pod and host IPs. A container whose image `brokenImages`
/// matches is reported crashing instead (`CrashLoopBackOff`, restarts, `Ready=False`), so its
/// Deployment never becomes available and a rollout of it fails.
///
/// Pods are not bound to the node, so deleting them needs no kubelet. A pod already reported
/// as this kubelet would report it is left alone: one patch per pod, no loops.
public actor SimulatedKubelet: SimulatedController {
  public nonisolated let nodeName: String
  let client: KubeClient
  private let brokenImages: @Sendable (String) -> Bool
  private var addresses: [String: String] = [:]
  private var nextAddress = 0

  /// Status patches sent so far.
  public private(set) var statusPatches = 0
  /// The last failure (a patch, the watch), for diagnosing a test; the kubelet carries on.
  public private(set) var lastError: String?

  public static let fieldManager = "wavesync-simulated-kubelet"
  static let hostIP = "127.0.0.1"

  public init(
    client: KubeClient,
    brokenImages: @escaping @Sendable (String) -> Bool = SimulatedKubelet.isBrokenByDefault,
    nodeName: String = "sim-node"
  ) {
    self.client = client
    self.brokenImages = brokenImages
    self.nodeName = nodeName
  }

  /// The default test for a broken image: its tag contains `broken` (`shop:broken`,
  /// `registry.local/shop:2.0-broken`).
  public static func isBrokenByDefault(_ image: String) -> Bool {
    guard let colon = image.lastIndex(of: ":"), !image[colon...].contains("/") else { return false }
    return image[colon...].contains("broken")
  }

  /// Runs `run()` in a new task; cancel the task to stop.
  public nonisolated func start() -> Task<Void, any Error> {
    Task { try await self.run() }
  }

  /// Registers the node, then reports pods until the task is cancelled. A broken watch (the API
  /// server restarting, say) is started again after a second; pods seen again are skipped unless
  /// their status differs from what this kubelet reports.
  public func run() async throws {
    while !Task.isCancelled {
      do {
        try await SimulatedNode.register(nodeName, client: client, fieldManager: Self.fieldManager)
        break
      } catch {
        lastError = "registering node \(nodeName): \(error)"
        try await Task.sleep(for: .seconds(1))
      }
    }
    try await watchForever(apiVersion: "v1", kind: "Pod", what: "pods")
  }

  func react(to event: WatchEvent) async {
    if event.kind == .deleted { forget(event.object) } else { await handle(event.object) }
  }

  func record(failure: String) { lastError = failure }

  private func handle(_ pod: Value) async {
    guard let name = pod[path: ["metadata", "name"]]?.stringValue else { return }
    let namespace = pod[path: ["metadata", "namespace"]]?.stringValue
    let id = ObjectReference(apiVersion: "v1", kind: "Pod", namespace: namespace, name: name)
    if pod[path: ["metadata", "deletionTimestamp"]] != nil {
      // A pod bound to this node (by someone else) waits for its kubelet to confirm deletion.
      if pod[path: ["spec", "nodeName"]]?.stringValue == nodeName { await finishDeletion(id) }
      return
    }
    // A pod that finished (someone reported it so) stays finished.
    let phase = pod[path: ["status", "phase"]]?.stringValue
    guard phase != "Succeeded", phase != "Failed" else { return }
    let status = SimulatedPodStatus.make(
      for: pod,
      SimulatedPodStatus.Context(
        podIP: address(for: pod), hostIP: Self.hostIP, now: Self.timestamp(),
        isBroken: brokenImages))
    guard
      SimulatedPodStatus.signature(of: status) != SimulatedPodStatus.signature(of: pod["status"])
    else { return }
    do {
      _ = try await client.patchStatus(id, mergePatch: ["status": status])
      statusPatches += 1
    } catch .notFound {
      // Deleted meanwhile.
    } catch {
      lastError = "patching the status of \(id): \(error)"
    }
  }

  private func finishDeletion(_ id: ObjectReference) async {
    guard let namespace = id.namespace else { return }
    let options: Value = ["apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0]
    do {
      _ = try await client.request(
        "DELETE", "/api/v1/namespaces/\(namespace)/pods/\(id.name)",
        body: Data(JSON.encode(options).utf8), contentType: "application/json")
    } catch {
      lastError = "deleting \(id): \(error)"
    }
  }

  /// The pod's IP: the one it has, else the next of 10.88.0.0/16.
  private func address(for pod: Value) -> String {
    if let existing = pod[path: ["status", "podIP"]]?.stringValue, !existing.isEmpty {
      return existing
    }
    let uid = pod[path: ["metadata", "uid"]]?.stringValue ?? ""
    if let known = addresses[uid] { return known }
    let index = nextAddress % 65_000
    nextAddress += 1
    let address = "10.88.\(index / 250).\(index % 250 + 2)"
    addresses[uid] = address
    return address
  }

  private func forget(_ pod: Value) {
    if let uid = pod[path: ["metadata", "uid"]]?.stringValue { addresses[uid] = nil }
  }

  static func timestamp() -> String {
    Date().formatted(.iso8601)
  }
}
