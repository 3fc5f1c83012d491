import Foundation
import GitSource
import KubeClient
import LocalFleet
import Model
import Render
import Sync
import Testing
import WavesyncTesting

/// Sync against real API servers: the retail fleet applied to three store clusters, plus a
/// scratch cluster for objects that are not the fleet's. The fleet is shared by the suite, so
/// every test holds whatever order the tests run in.
@Suite("Sync against real API servers", .serialized)
final class SiteSyncTests {
  static let sites = ["paris-opera", "lyon-part-dieu", "tromso-storgata-express"]
  static let scratch = "scratch-store"
  static let shared = SharedEnvtestFleet(clusters: sites + [scratch])
  let fleet: EnvtestFleet
  let tree: InMemoryFileTree

  init() async throws {
    fleet = try await Self.shared.fleet()
    tree = try LocalDirectoryTree(root: RepositoryPaths.fixture("retail-fleet").path).loadAll()
  }

  func desired(_ site: String, tree: InMemoryFileTree? = nil) throws -> [DesiredApp] {
    let tree = tree ?? self.tree
    let repository = try FleetRepository.load(from: tree)
    let rendered = try SiteRenderer(repository: repository, tree: tree).render(
      repository.site(named: site)!)
    return rendered.apps.map { DesiredApp(name: $0.name, objects: $0.objects) }
  }

  func sync(_ site: String) -> SiteSync {
    SiteSync(site: site, client: KubeClient(connection: fleet.connection(for: site)))
  }

  @Test func appliesTheFleetThenReappliesWithZeroWrites() async throws {
    for site in Self.sites {
      let sync = sync(site)
      let plan = try await sync.plan(try desired(site), revision: "r1")
      let result = try await sync.apply(plan)
      #expect(result.applied.count == plan.changes(.create).count + plan.changes(.update).count)

      // Every desired object is there, as the server stores it.
      for app in try desired(site) {
        for object in app.objects {
          let live = try await sync.client.get(try ObjectReference(of: object))
          #expect(live != nil, "\(site): \(object[path: ["metadata", "name"]] ?? "?")")
        }
      }

      // Again: nothing to change, and not a single write request.
      sync.client.resetStats()
      let again = try await sync.plan(try desired(site), revision: "r1")
      #expect(
        !again.hasChanges, "\(again.changes.filter { $0.action != .unchanged }.map(\.reference))")
      _ = try await sync.apply(again)
      #expect(sync.client.stats.writeRequests == 0)
    }
  }

  @Test func aComponentChangeTouchesOnlyTheSitesThatGetIt() async throws {
    for site in Self.sites {
      _ = try await sync(site).apply(try await sync(site).plan(try desired(site)))
    }
    var changed = tree
    let path = "apps/inventory-service/components/flagship/kustomization.yaml"
    changed.write(
      path,
      text: try tree.text(of: path)! + "commonAnnotations:\n  retail.example.com/promo: winter\n")
    for site in Self.sites {
      let plan = try await sync(site).plan(try desired(site, tree: changed))
      let isFlagship =
        try FleetRepository.load(from: tree).site(named: site)!.labels["store-type"] == "flagship"
      #expect(plan.hasChanges == isFlagship, "\(site)")
      if isFlagship {
        #expect(plan.changes(.update).allSatisfy { $0.app == "inventory-service" })
        #expect(
          plan.changes(.update).contains {
            $0.diff.contains("+    retail.example.com/promo: winter")
          })
      }
    }
  }

  @Test func prunesWhatGitDroppedAndNothingElse() async throws {
    let site = "lyon-part-dieu"
    let sync = sync(site)
    _ = try await sync.apply(try await sync.plan(try desired(site)))
    // An object applied by someone else, in a namespace Wavesync manages: never touched.
    let stranger: Value = [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": "hand-made", "namespace": "pricing"],
      "data": ["a": "1"],
    ]
    _ = try await sync.client.apply(stranger, fieldManager: "kubectl")
    var apps = try desired(site)
    let dropped = try #require(apps[0].objects.first { $0["kind"] == "Service" })
    apps[0].objects.removeAll { $0 == dropped }
    // Without pruning the object stays.
    #expect(try await sync.plan(apps, prune: false).changes(.delete).isEmpty)
    let plan = try await sync.plan(apps)
    #expect(plan.changes(.delete).map(\.reference) == [try ObjectReference(of: dropped)])
    _ = try await sync.apply(plan)
    #expect(try await sync.client.get(try ObjectReference(of: dropped)) == nil)
    #expect(try await sync.client.get(try ObjectReference(of: stranger)) != nil)
    #expect(try await sync.plan(apps).changes(.delete).isEmpty)
  }

  @Test func driftIsShownAndCorrected() async throws {
    let site = "paris-opera"
    let sync = sync(site)
    _ = try await sync.apply(try await sync.plan(try desired(site)))
    let deployment = try #require(
      try desired(site).flatMap(\.objects).first { $0["kind"] == "Deployment" })
    let reference = try ObjectReference(of: deployment)
    _ = try await sync.client.patch(reference, mergePatch: ["spec": ["replicas": 7]])
    let plan = try await sync.plan(try desired(site))
    let drift = try #require(plan.changes(.update).first { $0.reference == reference })
    #expect(drift.diff.contains("-  replicas: 7"))
    _ = try await sync.apply(plan)
    #expect(
      try await sync.client.get(reference)?[path: ["spec", "replicas"]]
        == deployment[path: ["spec", "replicas"]])
  }

  @Test func fieldsOfAnotherManagerAreAConflictUntilForced() async throws {
    let site = Self.scratch
    let sync = sync(site)
    let namespace: Value = [
      "apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "legacy"],
    ]
    let theirs: Value = [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": "till-settings", "namespace": "legacy"],
      "data": ["currency": "EUR"],
    ]
    _ = try await sync.client.apply(namespace, fieldManager: "kubectl")
    _ = try await sync.client.apply(theirs, fieldManager: "kubectl")
    var ours = theirs
    ours[path: ["data", "currency"]] = "CHF"
    let apps = [DesiredApp(name: "tills", objects: [ours])]
    let error = await #expect(throws: SyncError.self) { try await sync.plan(apps) }
    guard case .conflict(let reported, _, let message)? = error else {
      Issue.record("expected a conflict, got \(String(describing: error))")
      return
    }
    #expect(reported == site)
    #expect(message.contains("kubectl") && message.contains(".data.currency"))
    #expect(error?.description.contains("has fields owned by another manager") == true)

    let forced = try await sync.plan(apps, forceConflicts: true)
    _ = try await sync.apply(forced, forceConflicts: true)
    #expect(
      try await sync.client.get(try ObjectReference(of: ours))?[path: ["data", "currency"]] == "CHF"
    )
  }

  @Test func aCRDAndItsObjectsApplyInOneSync() async throws {
    let site = Self.scratch
    let sync = sync(site)
    let crd = TestCRD.definition(
      group: "retail.example.com", kind: "ShelfLabel", plural: "shelflabels",
      spec: ["type": "object", "properties": ["price": ["type": "string"]]])
    let namespace: Value = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "shelf"]]
    let label: Value = [
      "apiVersion": "retail.example.com/v1", "kind": "ShelfLabel",
      "metadata": ["name": "aisle-4", "namespace": "shelf"], "spec": ["price": "2.99"],
    ]
    // Listed in an order that would fail if applied as written.
    let apps = [DesiredApp(name: "shelf-labels", objects: [label, namespace, crd])]
    let plan = try await sync.plan(apps)
    #expect(plan.changes(.create).count == 3)
    #expect(plan.changes.first { $0.reference.kind == "ShelfLabel" }?.awaitsDependency == true)
    _ = try await sync.apply(plan)
    let live = try await sync.client.get(try ObjectReference(of: label))
    #expect(live?[path: ["spec", "price"]] == "2.99")
    #expect(!(try await sync.plan(apps, prune: false)).hasChanges)
  }

  @Test func anInvalidObjectFailsWithTheAPIMessageAndChangesNothing() async throws {
    let site = "tromso-storgata-express"
    let sync = sync(site)
    _ = try await sync.apply(try await sync.plan(try desired(site)))
    var apps = try desired(site)
    let configMap: Value = [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": ["name": "new-settings", "namespace": "pricing"],
      "data": ["x": "1"],
    ]
    let index = try #require(apps[0].objects.firstIndex { $0["kind"] == "Deployment" })
    apps[0].objects[index][path: ["spec", "replicas"]] = -3
    apps[0].objects.append(configMap)
    sync.client.resetStats()
    let error = await #expect(throws: SyncError.self) { try await sync.plan(apps) }
    #expect(error?.description.contains("spec.replicas") == true, "\(String(describing: error))")
    #expect(sync.client.stats.writeRequests == 0)
    #expect(try await sync.client.get(try ObjectReference(of: configMap)) == nil)
  }

  @Test func secretsNeverAppearInDiffs() async throws {
    // Paris's objects planned against the scratch cluster, where they are all new.
    let sync = sync(Self.scratch)
    let apps = try desired("paris-opera")
    let secrets = apps.flatMap(\.objects).filter { $0["kind"] == "Secret" }
    try #require(!secrets.isEmpty)
    let plan = try await sync.plan(apps, prune: false)
    let text = plan.changes.map(\.diff).joined()
    for secret in secrets {
      for (_, value) in secret["data"]?.objectValue ?? [:] {
        #expect(!text.contains(value.stringValue!))
      }
    }
    #expect(text.contains(SecretRedaction.marker))
  }

  @Test func anUnreachableSiteFailsFast() async throws {
    let closed = ClusterConnection(
      name: "ghost-store", server: "https://127.0.0.1:\(try LoopbackPort.free())")
    let client = KubeClient(connection: closed, timeoutSeconds: 5)
    let sync = SiteSync(site: "ghost-store", client: client)
    let error = await #expect(throws: SyncError.self) {
      try await sync.plan(try desired("paris-opera"))
    }
    // One request's bounded tries (4), not one per object: the plan stops at the first.
    #expect(client.stats.retries == 3)
    guard case .unreachable(let site, _)? = error else {
      Issue.record("expected unreachable, got \(String(describing: error))")
      return
    }
    #expect(site == "ghost-store")
  }
}
