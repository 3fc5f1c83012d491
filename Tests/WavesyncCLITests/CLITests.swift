import Foundation
import Testing
import WavesyncTesting

/// The `wavesync` executable against the retail fleet served by a real `git daemon` on loopback.
@Suite("wavesync render and sites", .serialized)
final class CLITests {
  let temp: TemporaryDirectory
  let daemon: GitDaemonServer
  let url: String
  let cache: String

  init() async throws {
    temp = try TemporaryDirectory()
    let repo = try GitRepositoryBuilder(in: temp.appending("served"), name: "fleet")
    try Self.copyFixture(into: repo)
    _ = try repo.commit("Retail fleet")
    daemon = try await GitDaemonServer(
      basePath: temp.appending("served").path, logDirectory: temp.url)
    url = daemon.url(for: "fleet")
    cache = temp.appending("cache").path
  }

  deinit { daemon.stop() }

  static func copyFixture(into repo: GitRepositoryBuilder) throws {
    let root = RepositoryPaths.fixture("retail-fleet")
    let files = FileManager.default.enumerator(
      at: root, includingPropertiesForKeys: [.isRegularFileKey])!
    for case let file as URL in files
    where (try file.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
      let relative = String(file.path.dropFirst(root.path.count + 1))
      try repo.write(relative, data: try Data(contentsOf: file))
    }
  }

  func wavesync(_ arguments: [String]) async throws -> WavesyncProcess.Result {
    try await WavesyncProcess.run(arguments + ["--cache-dir", cache])
  }

  @Test func listsSitesAsJSON() async throws {
    let result = try await wavesync(["sites", "--repo", url, "-o", "json"])
    #expect(result.status == 0, "\(result.errors)")
    let sites = try #require(
      try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
    let fixtureSites = try FileManager.default.contentsOfDirectory(
      atPath: RepositoryPaths.fixture("retail-fleet/sites").path)
    #expect(sites.count >= fixtureSites.count)
    let paris = try #require(sites.first { $0["name"] as? String == "paris-opera" })
    #expect((paris["labels"] as? [String: String])?["store-type"] == "flagship")
    #expect(paris["wave"] as? String == "canary")
    let apps = (paris["apps"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
    #expect(apps?.contains("pos-gateway") == true)
  }

  @Test func planShowsTheWavesOfTheRegionWithoutContactingClusters() async throws {
    let result = try await wavesync([
      "plan", "--repo", url, "--waves-only", "--selector", "region=emea,store-type!=express",
    ])
    #expect(result.status == 0, "\(result.errors)")
    let lines = result.output.split(separator: "\n").map(String.init)
    #expect(lines.first?.hasSuffix(": 6 sites in 5 waves") == true, "\(result.output)")
    #expect(
      lines.contains {
        $0.hasPrefix("  wave flagships (selector \"store-type=flagship\"")
          && $0.contains("manual gate")
          && $0.hasSuffix("): 1 site")
      }, "\(result.output)")
    let rows = lines.drop { !$0.hasPrefix("WAVE") }.dropFirst().map {
      $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }
    #expect(
      rows.map { "\($0[0]) \($0[1])" } == [
        "lab lab-dublin", "canary lyon-part-dieu", "canary paris-opera",
        "flagships london-oxford-street", "everyone berlin-alexanderplatz",
        "everyone madrid-gran-via",
      ])
  }

  @Test func planNamesSitesNoWaveSelects() async throws {
    let folder = temp.appending("unassigned")
    try FileManager.default.copyItem(at: RepositoryPaths.fixture("rollout-fleet"), to: folder)
    let site = folder.appendingPathComponent("sites/rest-2.yaml")
    try String(contentsOf: site, encoding: .utf8).replacingOccurrences(
      of: "ring: rest", with: "ring: retired"
    ).write(to: site, atomically: true, encoding: .utf8)
    let result = try await wavesync(["plan", "--repo", folder.path, "--waves-only"])
    #expect(result.status == 0, "\(result.errors)")
    let rows = result.output.split(separator: "\n").map {
      $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }
    // Its row: no wave, its objects, and no schedule (a rollout leaves it alone).
    #expect(
      rows.contains { $0.prefix(3) == ["-", "rest-2", "3"] && $0.last == "-" }, "\(result.output)")
    #expect(result.errors.contains("warning: no wave selects rest-2"))
  }

  @Test func filtersSitesBySelector() async throws {
    let result = try await wavesync([
      "sites", "--repo", url, "--selector", "region=apac,store-type in (flagship)",
    ])
    #expect(result.status == 0, "\(result.errors)")
    let rows = result.output.split(separator: "\n").dropFirst()
    #expect(rows.count == 1)
    #expect(rows.first?.hasPrefix("tokyo-ginza") == true)
  }

  @Test func rendersOneSite() async throws {
    let result = try await wavesync(["render", "--repo", url, "--site", "tokyo-ginza"])
    #expect(result.status == 0, "\(result.errors)")
    #expect(result.output.contains("kind: Deployment"))
    // The tax-free kiosk is placed only on APAC flagships, and the placement annotation is consumed.
    #expect(result.output.contains("tax-free-kiosk"))
    #expect(!result.output.contains("edge.io/placement"))
    let again = try await wavesync(["render", "--repo", url, "--site", "tokyo-ginza"])
    #expect(again.output == result.output)
  }

  @Test func rendersAllSitesIntoFolders() async throws {
    let out = temp.appending("rendered")
    let result = try await wavesync(["render", "--repo", url, "--all-sites", "--out", out.path])
    #expect(result.status == 0, "\(result.errors)")
    let folders = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
    #expect(folders.count == result.output.split(separator: "\n").count)
    #expect(folders.contains("paris-opera"))
    let manifests = try String(
      contentsOf: out.appendingPathComponent("paris-opera/manifests.yaml"), encoding: .utf8)
    #expect(manifests.contains("paris-opera"))
  }

  @Test func unknownSiteIsAUserError() async throws {
    let result = try await wavesync(["render", "--repo", url, "--site", "atlantis"])
    #expect(result.status == 1)
    #expect(result.errors.contains("site atlantis is not in the repository"))
  }

  @Test func invalidSelectorIsAUserError() async throws {
    let result = try await wavesync(["sites", "--repo", url, "--selector", "region in (emea"])
    #expect(result.status == 1)
    #expect(result.errors.contains("invalid label selector \"region in (emea\""))
  }

  @Test func brokenCommitFailsWithFileAndLineAndPrintsNothing() async throws {
    let repo = try GitRepositoryBuilder(in: temp.appending("broken"), name: "fleet")
    try Self.copyFixture(into: repo)
    try repo.write(
      "apps/pricing/base/kustomization.yaml", "resources:\n  - deployment.yaml\n bad: [\n")
    _ = try repo.commit("Broken pricing")
    let result = try await wavesync(["render", "--repo", repo.path, "--site", "paris-opera"])
    #expect(result.status == 1)
    #expect(result.output.isEmpty)
    #expect(result.errors.hasPrefix("error: apps/pricing/base/kustomization.yaml:3:"))
  }

  @Test func servesTheCacheWhenTheServerIsDown() async throws {
    let online = try await wavesync(["render", "--repo", url, "--site", "lyon-part-dieu"])
    #expect(online.status == 0, "\(online.errors)")
    daemon.stop()
    let offline = try await wavesync(["render", "--repo", url, "--site", "lyon-part-dieu"])
    #expect(offline.status == 0, "\(offline.errors)")
    #expect(offline.output == online.output)
    #expect(offline.errors.contains("is unreachable"))
    #expect(offline.errors.contains("using the cached commit"))
  }

  @Test func buildsAKustomizationLikeKubectl() async throws {
    let folder = RepositoryPaths.fixture("kustomize-cases/61-full-store-overlay")
    let result = try await WavesyncProcess.run(
      ["render", "--kustomize", "input/stores/store-0042"], in: folder)
    #expect(result.status == 0, "\(result.errors)")
    #expect(
      result.output
        == (try String(contentsOf: folder.appendingPathComponent("expected.yaml"), encoding: .utf8))
    )
  }

  @Test func rendersJSONAndOlderRevisionsByRef() async throws {
    let repo = try GitRepositoryBuilder(in: temp.appending("history"), name: "fleet")
    try Self.copyFixture(into: repo)
    _ = try repo.commit("Retail fleet")
    try repo.tag("v1")
    let kustomization = "apps/pricing/base/kustomization.yaml"
    let original = try String(
      contentsOf: repo.directory.appendingPathComponent(kustomization), encoding: .utf8)
    try repo.write(kustomization, original + "nameSuffix: -r2\n")
    _ = try repo.commit("Pricing release r2")

    let latest = try await wavesync([
      "render", "--repo", repo.path, "--site", "paris-opera", "-o", "json",
    ])
    #expect(latest.status == 0, "\(latest.errors)")
    let objects = try #require(
      try JSONSerialization.jsonObject(with: Data(latest.output.utf8)) as? [[String: Any]])
    let yaml = try await wavesync(["render", "--repo", repo.path, "--site", "paris-opera"])
    #expect(objects.count == yaml.output.components(separatedBy: "\n---\n").count)
    #expect(latest.output.contains("pricing-engine-r2"))

    let tagged = try await wavesync([
      "render", "--repo", repo.path, "--ref", "v1", "--site", "paris-opera",
    ])
    #expect(tagged.status == 0, "\(tagged.errors)")
    #expect(tagged.output.contains("pricing-engine"))
    #expect(!tagged.output.contains("pricing-engine-r2"))
  }

  @Test func usageErrorsExitNonZero() async throws {
    let result = try await wavesync(["render", "--repo", url])
    #expect(result.status != 0)
    #expect(result.errors.contains("--site"))
  }
}
