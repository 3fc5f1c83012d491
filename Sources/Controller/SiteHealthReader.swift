public import Health
public import KubeClient
import Model
import Sync

/// The health of what Wavesync applied to a site: every object of its inventories, and the pods
/// of its workloads (a crash-looping pod fails the site at once, where its Deployment would
/// only fail at its progress deadline).
public struct SiteHealthReader: Sendable {
  public let site: String
  public let client: KubeClient

  public init(site: String, client: KubeClient) {
    self.site = site
    self.client = client
  }

  /// `InProgress` while an inventory still records another revision than `revision`.
  public func health(revision: String) async throws -> ObjectHealth {
    let inventories = try await SiteSync(site: site, client: client).inventories()
    var objects: [(name: String, health: ObjectHealth)] = []
    for inventory in inventories.values.sorted(by: { $0.app < $1.app }) {
      if inventory.revision != revision {
        objects.append(
          (
            "app \(inventory.app)",
            ObjectHealth(
              status: .inProgress, reason: "RevisionNotApplied",
              message: "app \(inventory.app) is at \(inventory.revision ?? "no revision")")
          ))
      }
      for reference in inventory.objects {
        let live = try await client.get(reference)
        objects.append((reference.description, Health.of(live ?? .null)))
        if let live, Self.workloadKinds.contains(reference.kind) {
          for pod in try await pods(of: live, namespace: reference.namespace) {
            let name = pod[path: ["metadata", "name"]]?.stringValue ?? "?"
            objects.append(("Pod \(reference.namespace ?? "")/\(name)", Health.of(pod)))
          }
        }
      }
    }
    var summary = Health.summarize(objects.map(\.health))
    // Name what failed (a few of them), so the rollout's reason says where to look.
    let failed = objects.filter { $0.health.status == .failed }
    if !failed.isEmpty {
      summary.message +=
        "; "
        + failed.prefix(3).map { "\($0.name): \($0.health.reason): \($0.health.message)" }
        .joined(separator: "; ") + (failed.count > 3 ? "; and \(failed.count - 3) more" : "")
    }
    return summary
  }

  private static let workloadKinds: Set<String> = ["Deployment", "StatefulSet", "DaemonSet"]

  /// The pods a workload's `spec.selector.matchLabels` selects.
  private func pods(of workload: Value, namespace: String?) async throws -> [Value] {
    guard let namespace,
      let labels = workload[path: ["spec", "selector", "matchLabels"]]?.objectValue,
      !labels.isEmpty
    else { return [] }
    let selector = labels.map { "\($0.key)=\($0.value.stringValue ?? "")" }.sorted()
      .joined(separator: ",")
    return try await client.list(
      apiVersion: "v1", kind: "Pod", namespace: namespace, labelSelector: selector)
  }
}
