public import KubeClient
import Model

/// Stands in for a store cluster's service load balancer (k3s's servicelb, MetalLB): every
/// Service of type LoadBalancer gets the node's address as its ingress point, as a single-node
/// store cluster would give it.
public actor SimulatedLoadBalancer: SimulatedController {
  let client: KubeClient
  private let address: String
  /// The last failure, for diagnosing a test; the load balancer carries on.
  public private(set) var lastError: String?
  /// Services given an address so far.
  public private(set) var served = 0

  public init(client: KubeClient, address: String = "127.0.0.1") {
    self.client = client
    self.address = address
  }

  /// Runs `run()` in a new task; cancel the task to stop.
  public nonisolated func start() -> Task<Void, any Error> {
    Task { try await self.run() }
  }

  /// Watches services until cancelled; a broken watch is started again after a second.
  public func run() async throws {
    try await watchForever(apiVersion: "v1", kind: "Service", what: "services")
  }

  func react(to event: WatchEvent) async {
    if event.kind == .added || event.kind == .modified { await serve(event.object) }
  }

  func record(failure: String) { lastError = failure }

  private func serve(_ service: Value) async {
    guard service[path: ["spec", "type"]] == "LoadBalancer",
      (service[path: ["status", "loadBalancer", "ingress"]]?.arrayValue ?? []).isEmpty,
      service[path: ["metadata", "deletionTimestamp"]] == nil,
      let reference = try? ObjectReference(of: service)
    else { return }
    do {
      _ = try await client.patchStatus(
        reference,
        mergePatch: ["status": ["loadBalancer": ["ingress": [["ip": .string(address)]]]]])
      served += 1
    } catch .notFound {
      // Deleted meanwhile.
    } catch {
      lastError = "giving \(reference) an address: \(error)"
    }
  }
}
