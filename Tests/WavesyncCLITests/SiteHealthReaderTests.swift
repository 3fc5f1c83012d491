import Controller
import Foundation
import KubeClient
import Model
import Rollout
import Testing
import WavesyncTesting

extension RolloutCLITests {
  /// A site's health costs a fixed number of requests (the inventories, a LIST per kind, the
  /// pods and ReplicaSets), not one per object; and only the pods of a workload's current
  /// revision count: a crash-looping pod of an older one does not fail the site.
  @Test func siteHealthListsOncePerKindAndJudgesOnlyTheCurrentRevisionsPods() async throws {
    let fleet = try fleet
    let repo = try RolloutRepository(fleet, "health-read")
    let targets = repo.targets()
    // Five more ConfigMaps: eight objects of three kinds.
    let settings = "apps/\(repo.app)/base/settings.yaml"
    var text = try String(
      contentsOf: repo.repo.directory.appendingPathComponent(settings), encoding: .utf8)
    for index in 1...5 {
      text +=
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra-\(index)\n"
        + "  namespace: \(repo.app)\ndata: {n: \"\(index)\"}\n"
    }
    try repo.repo.write(settings, text)
    let revision = try repo.repo.commit("Five more ConfigMaps")
    _ = try await targets.prepare(revision: revision)
    #expect(await targets.apply(revision: revision, to: "rest-1") == .done)

    let client = fleet.client(for: "rest-1")
    let reader = SiteHealthReader(site: "rest-1", client: client)
    let healthy = try await eventually("rest-1 healthy at \(revision)") { note in
      let health = try await reader.health(revision: revision)
      note(health.description)
      return health.status == .current ? health : nil
    }
    #expect(healthy.message == "all 10 objects are current", "8 objects and 2 pods: \(healthy)")

    client.resetStats()
    _ = try await reader.health(revision: revision)
    // Inventories; Namespace, ConfigMap, Deployment (8 objects); Pods, ReplicaSets.
    #expect(client.stats.requests == 6, "\(client.stats)")

    // A pod of an older revision of till, crash-looping on its way out.
    let stray: Value = [
      "apiVersion": "v1", "kind": "Pod",
      "metadata": [
        "name": "till-old", "namespace": .string(repo.app),
        "labels": ["app": "till", "pod-template-hash": "0ld0ld"],
      ],
      "spec": ["containers": [["name": "till", "image": "registry.local/till:broken"]]],
    ]
    _ = try await client.create(stray)
    let strayReference = try ObjectReference(of: stray)
    _ = try await eventually("the stray pod crash-looping") { note in
      let pod = try await client.get(strayReference)
      let waiting = pod?[path: ["status", "containerStatuses"]]?[0]?[path: ["state", "waiting"]]
      note(JSON.encode(pod?["status"] ?? .null))
      return waiting?["reason"] == "CrashLoopBackOff" ? () : nil
    }
    let after = try await reader.health(revision: revision)
    #expect(after.status == .current, "\(after)")
    // The current revision's pods report their images: pulled (the stray pod does not count).
    #expect(try await reader.read(revision: revision).imagesPulled)

    // A revision whose image the registry does not have: its pod waits in ErrImagePull, and
    // the site's images are not pulled.
    let unpullable = try repo.commit(image: "registry.local/till:3.0-unpullable")
    _ = try await targets.prepare(revision: unpullable)
    #expect(await targets.apply(revision: unpullable, to: "rest-1") == .done)
    let waiting = try await eventually("a till pod waiting in ErrImagePull") { note in
      let pods = try await client.list(apiVersion: "v1", kind: "Pod", namespace: repo.app)
      let reasons = pods.compactMap {
        $0[path: ["status", "containerStatuses"]]?[0]?[path: ["state", "waiting", "reason"]]?
          .stringValue
      }
      note("\(reasons)")
      return reasons.contains("ErrImagePull") ? reasons : nil
    }
    #expect(waiting.contains("ErrImagePull"))
    #expect(try await !reader.read(revision: unpullable).imagesPulled)
  }
}
