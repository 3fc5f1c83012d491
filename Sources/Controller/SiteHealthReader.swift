public import Health
public import KubeClient
import Model
import Sync

/// The health of what Wavesync applied to a site: every object of its inventories, and the pods
/// of its workloads' current revisions (a crash-looping pod fails the site at once, where its
/// Deployment would only fail at its progress deadline).
///
/// A read costs a fixed number of requests, whatever the number of objects: the inventories,
/// one LIST per kind they name, and, when there are workloads, one LIST of pods and of the
/// ReplicaSets or ControllerRevisions that tell their current revision.
public struct SiteHealthReader: Sendable {
  public let site: String
  public let client: KubeClient

  public init(site: String, client: KubeClient) {
    self.site = site
    self.client = client
  }

  /// `InProgress` while an inventory still records another revision than `revision`.
  public func health(revision: String) async throws -> ObjectHealth {
    try await read(revision: revision).health
  }

  /// The site's health, and whether its workloads have pulled the images of their current
  /// revision (`ImagePulls`), from the same reads.
  public func read(revision: String) async throws -> (health: ObjectHealth, imagesPulled: Bool) {
    let inventories = try await SiteSync(site: site, client: client).inventories()
      .values.sorted { $0.app < $1.app }
    let references = inventories.flatMap(\.objects)
    let live = try await liveObjects(references)
    let workloads = references.compactMap { reference in
      CurrentRevisionPods.workloadKinds.contains(reference.kind) ? live[reference] : nil
    }
    let pods = workloads.isEmpty ? nil : try await currentRevisionPods(of: workloads)

    var objects: [(name: String, health: ObjectHealth)] = []
    for inventory in inventories {
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
        let object = live[reference]
        objects.append((reference.description, Health.of(object ?? .null)))
        guard let object, let pods, CurrentRevisionPods.workloadKinds.contains(reference.kind)
        else { continue }
        for pod in pods.pods(of: object) {
          let name = pod[path: ["metadata", "name"]]?.stringValue ?? "?"
          objects.append(("Pod \(reference.namespace ?? "")/\(name)", Health.of(pod)))
        }
      }
    }
    let pulled =
      inventories.allSatisfy { $0.revision == revision }
      && ImagePulls.complete(
        workloads: workloads,
        pods: pods ?? CurrentRevisionPods(pods: [], replicaSets: [], controllerRevisions: []))
    var summary = Health.summarize(objects.map(\.health))
    // Name what failed (a few of them), so the rollout's reason says where to look.
    let failed = objects.filter { $0.health.status == .failed }
    if !failed.isEmpty {
      summary.message +=
        "; "
        + failed.prefix(3).map { "\($0.name): \($0.health.reason): \($0.health.message)" }
        .joined(separator: "; ") + (failed.count > 3 ? "; and \(failed.count - 3) more" : "")
    }
    return (summary, pulled)
  }

  /// The live objects of `references`, one LIST per kind; a missing object has no entry.
  private func liveObjects(
    _ references: [ObjectReference]
  ) async throws -> [ObjectReference: Value] {
    let kinds = Set(references.map { Kind(apiVersion: $0.apiVersion, kind: $0.kind) })
    let wanted = Set(references)
    var live: [ObjectReference: Value] = [:]
    for kind in kinds.sorted(by: { ($0.apiVersion, $0.kind) < ($1.apiVersion, $1.kind) }) {
      for object in try await list(kind) {
        let reference = ObjectReference(
          apiVersion: kind.apiVersion, kind: kind.kind,
          namespace: object[path: ["metadata", "namespace"]]?.stringValue,
          name: object[path: ["metadata", "name"]]?.stringValue ?? "")
        if wanted.contains(reference) { live[reference] = object }
      }
    }
    return live
  }

  private func currentRevisionPods(of workloads: [Value]) async throws -> CurrentRevisionPods {
    let kinds = Set(workloads.compactMap { $0["kind"]?.stringValue })
    return CurrentRevisionPods(
      pods: try await list(Kind(apiVersion: "v1", kind: "Pod")),
      replicaSets: kinds.contains("Deployment")
        ? try await list(Kind(apiVersion: "apps/v1", kind: "ReplicaSet")) : [],
      controllerRevisions: kinds.contains("DaemonSet")
        ? try await list(Kind(apiVersion: "apps/v1", kind: "ControllerRevision")) : [])
  }

  /// Every object of `kind` on the site; none when the site does not serve the kind (a custom
  /// resource whose definition is gone: its objects are missing, which Health reports).
  private func list(_ kind: Kind) async throws -> [Value] {
    do {
      return try await client.list(apiVersion: kind.apiVersion, kind: kind.kind)
    } catch .unknownKind {
      return []
    }
  }

  private struct Kind: Hashable {
    var apiVersion: String
    var kind: String
  }
}
