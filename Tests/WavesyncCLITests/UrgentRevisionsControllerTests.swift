import Controller
import Foundation
import KubeClient
import Testing
import WavesyncTesting

// `wavesync controller` and the Fleet's `spec.urgentRevisions`: a revision it lists goes to a
// store whose maintenance window is closed, whether listed before its rollout or while the store
// waits; revisions it does not list wait for the window.
extension RolloutCLITests {
  @Test func theControllerTakesAListedUrgentRevisionThroughAClosedWindow() async throws {
    let repo = try repositoryWhereRestOneWaits("controller-urgent")
    let first = repo.firstCommit
    // The urgent fix is made now, on a branch, so the Fleet can list it from the start; `main`
    // gets it once the first commit waits for rest-1's window. No trailer: only the list says
    // it is urgent.
    try repo.repo.checkout(newBranch: "hotfix")
    let urgent = try repo.commit(image: Self.goodImage + "-hotfix")
    try repo.repo.checkout("main")
    let controlled = try await ControlledFleet(repo, urgentRevisions: [String(urgent.prefix(12))])
    let controller = try controlled.startController()
    defer {
      controller.kill()
      controlled.daemon.stop()
    }

    /// Waits until `revision` is everywhere but rest-1, which waits for its window.
    func waitsForRestOne(_ revision: String) async throws {
      _ = try await repo.eventuallyInRecord("\(revision.prefix(8)): rest-1 waiting, rest-2 done") {
        record in
        guard let current = record.current, current.revision == revision,
          current.site("rest-2")?.healthyAt != nil, current.site("rest-1")?.phase.name == "pending"
        else { return nil as Bool? }
        return true
      }
      #expect(try await repo.record().current?.phase.name == "running")
      for site in RolloutFleet.sites where site != "rest-1" {
        #expect(try await repo.inventoryRevision(site) == revision, "inventory of \(site)")
      }
    }

    // Not listed: rest-1 waits, nothing reaches it.
    try await waitsForRestOne(first)
    #expect(try await repo.inventoryRevision("rest-1") == nil)

    // Listed: the controller's poll finds it, it supersedes the waiting rollout and goes to
    // rest-1 too.
    try repo.repo.git(["merge", "-q", "--ff-only", "hotfix"])
    let status = try await controlled.eventuallyInStatus("\(urgent.prefix(8)) rolled out") {
      $0.lastGoodRevision == urgent && controlled.ready($0)
    }
    #expect(status.sites == FleetSiteCounts(total: 5, healthy: 5))
    for site in RolloutFleet.sites {
      #expect(try await repo.inventoryRevision(site) == urgent, "inventory of \(site)")
    }

    // The next commit is not listed: rest-1 keeps the urgent one and waits again.
    let later = try repo.commit(image: Self.goodImage + "-later")
    try await waitsForRestOne(later)
    #expect(try await repo.inventoryRevision("rest-1") == urgent)

    // Listed while rest-1 waits for it (no new commit): the running rollout reads the list
    // with the operator's other controls and takes it to rest-1 now.
    _ = try await controlled.regional.patch(
      ObjectReference(
        apiVersion: FleetResourceNames.apiVersion, kind: "Fleet", namespace: "wavesync-system",
        name: repo.stateName),
      mergePatch: ["spec": ["urgentRevisions": [.string(urgent), .string(later)]]])
    _ = try await controlled.eventuallyInStatus("\(later.prefix(8)) rolled out") {
      $0.lastGoodRevision == later && controlled.ready($0)
    }
    #expect(try await repo.inventoryRevision("rest-1") == later)

    controller.terminate()
    #expect(try await controller.finish().status == 0)
  }
}
