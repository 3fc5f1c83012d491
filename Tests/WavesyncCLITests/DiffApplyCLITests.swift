import Foundation
import KubeClient
import LocalFleet
import Model
import Testing
import WavesyncTesting

/// `wavesync diff` and `wavesync apply` against real API servers, one context per site.
@Suite("wavesync diff and apply", .serialized)
final class DiffApplyCLITests {
  static let sites = ["lyon-part-dieu", "berlin-alexanderplatz"]
  let fleet: EnvtestFleet
  let temp: TemporaryDirectory
  let repo: GitRepositoryBuilder

  init() async throws {
    fleet = try await EnvtestFleet.start(clusters: Self.sites)
    temp = try TemporaryDirectory()
    repo = try GitRepositoryBuilder(in: temp.url, name: "fleet")
    try CLITests.copyFixture(into: repo)
    _ = try repo.commit("Retail fleet")
  }

  // Stopped off the cooperative pool: a deinit that waits for processes to exit would hold
  // one of its few threads for seconds, stalling other tests' timers.
  deinit {
    let fleet = fleet
    Task.detached { await fleet.stopInBackground() }
  }

  func wavesync(_ arguments: [String]) async throws -> WavesyncProcess.Result {
    try await WavesyncProcess.run(
      arguments + [
        "--repo", repo.path, "--kubeconfig", fleet.kubeconfigPath, "--cache-dir",
        temp.appending("cache").path,
      ])
  }

  @Test func diffExitCodesFollowTheSiteState() async throws {
    let before = try await wavesync(["diff", "--site", "lyon-part-dieu"])
    #expect(before.status == 3, "\(before.errors)")
    #expect(before.output.contains("lyon-part-dieu: created apps/Deployment"))
    #expect(before.output.contains("+kind: Deployment"))
    // Secrets are shown, their values are not.
    #expect(before.output.contains("<redacted>"))

    let apply = try await wavesync(["apply", "--site", "lyon-part-dieu"])
    #expect(apply.status == 0, "\(apply.errors)")
    #expect(apply.output.contains("lyon-part-dieu: applied"))

    let after = try await wavesync(["diff", "--site", "lyon-part-dieu"])
    #expect(after.status == 0, "\(after.output)\(after.errors)")
    #expect(after.output.contains("0 to create, 0 to change, 0 to delete"))
  }

  /// An object another manager made first, with a field Wavesync sets differently, is a
  /// conflict: `apply` says how to take the field over, and does with `--force-conflicts`.
  @Test func aConflictNamesTheWayToTakeTheFieldsOver() async throws {
    let client = fleet.client(for: "lyon-part-dieu")
    _ = try await client.apply(
      ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "local-analytics"]],
      fieldManager: "kubectl")
    _ = try await client.apply(
      [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": "analytics-config", "namespace": "local-analytics"],
        "data": ["REGION": "somewhere-else"],
      ], fieldManager: "kubectl")

    let refused = try await wavesync(["apply", "--site", "lyon-part-dieu"])
    #expect(refused.status == 1, "\(refused)")
    #expect(refused.errors.contains("has fields owned by another manager"), "\(refused)")
    #expect(refused.errors.contains("apply with --force-conflicts to take them over"))
    let forced = try await wavesync(["apply", "--site", "lyon-part-dieu", "--force-conflicts"])
    #expect(forced.status == 0, "\(forced)")
    let id = ObjectReference(
      apiVersion: "v1", kind: "ConfigMap", namespace: "local-analytics", name: "analytics-config")
    #expect(try await client.get(id)?[path: ["data", "REGION"]] == "emea")
  }

  @Test func applyBySelectorAndDryRun() async throws {
    let dryRun = try await wavesync([
      "apply", "--selector", "country in (fr, de),store-type=standard", "--dry-run",
    ])
    #expect(dryRun.status == 0, "\(dryRun.errors)")
    for site in Self.sites { #expect(dryRun.output.contains("\(site): created")) }
    // A dry run writes nothing: the diff still sees everything to create.
    #expect(try await wavesync(["diff", "--site", "berlin-alexanderplatz"]).status == 3)

    let apply = try await wavesync([
      "apply", "--selector", "country in (fr, de),store-type=standard",
    ])
    #expect(apply.status == 0, "\(apply.errors)")
    for site in Self.sites { #expect(try await wavesync(["diff", "--site", site]).status == 0) }
  }

  @Test func pruneRemovesWhatACommitDropped() async throws {
    #expect(try await wavesync(["apply", "--site", "berlin-alexanderplatz"]).status == 0)
    let pdb = "apps/pricing/base/pdb.yaml"
    let kustomization = "apps/pricing/base/kustomization.yaml"
    let text = try String(
      contentsOf: repo.directory.appendingPathComponent(kustomization), encoding: .utf8)
    try repo.write(kustomization, text.replacingOccurrences(of: "- pdb.yaml\n", with: ""))
    try repo.remove(pdb)
    _ = try repo.commit("Pricing drops its disruption budget")

    let diff = try await wavesync(["diff", "--site", "berlin-alexanderplatz"])
    #expect(diff.status == 3)
    #expect(diff.output.contains("deleted policy/PodDisruptionBudget pricing/pricing-engine"))
    let apply = try await wavesync(["apply", "--site", "berlin-alexanderplatz", "--prune"])
    #expect(apply.status == 0, "\(apply.errors)")
    #expect(apply.output.contains("deleted 1"))
    #expect(try await wavesync(["diff", "--site", "berlin-alexanderplatz"]).status == 0)
  }

  @Test func anUnknownContextIsAUserError() async throws {
    let result = try await wavesync(["diff", "--site", "paris-opera"])
    #expect(result.status == 1)
    #expect(result.errors.contains("paris-opera"))
  }
}
