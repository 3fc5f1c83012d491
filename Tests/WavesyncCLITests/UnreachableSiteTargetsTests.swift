import Controller
import Foundation
import Rollout
import Testing
import WavesyncTesting

extension RolloutCLITests {
  /// A site whose cluster is gone is unreachable, for the health check as for the apply: the
  /// policy's `unreachableSites` then decides, instead of an unknown health failing the site at
  /// its timeout.
  @Test func aSiteCutOffIsUnreachableForTheHealthCheckAndTheApplyAlike() async throws {
    let fleet = try fleet
    let repo = try RolloutRepository(fleet, "cut-off")
    let targets = repo.targets()
    let revision = repo.firstCommit
    _ = try await targets.prepare(revision: revision)
    #expect(await targets.apply(revision: revision, to: "rest-1") == .done)

    let (health, apply) = try await fleet.withClusterStopped("rest-1") {
      (
        await targets.health(of: "rest-1", at: revision),
        await targets.apply(revision: revision, to: "rest-1")
      )
    }
    guard case .unreachable(let reason) = health else {
      Issue.record("health of a stopped cluster: \(health)")
      return
    }
    #expect(reason.contains("cannot reach cluster rest-1"), "\(reason)")
    guard case .unreachable = apply else {
      Issue.record("apply to a stopped cluster: \(apply)")
      return
    }
  }
}
