import Foundation
import Model
import Testing
import WavesyncTesting

/// `wavesync plan`'s schedule against a real registry: payloads are the changed objects plus
/// the image layers a site does not run yet, and the projected times follow the sites' links,
/// the uplink budget and the waves' caps.
@Suite struct PlanScheduleCLITests {
  /// The rollout fixture with 20 Mbit/s links, a 40 Mbit/s budget, and its till image in
  /// `registry`.
  static func repository(in temp: TemporaryDirectory, registry: String) throws
    -> GitRepositoryBuilder
  {
    let repo = try GitRepositoryBuilder(in: temp.url, name: "fleet")
    let root = RepositoryPaths.fixture("rollout-fleet")
    let files = try #require(
      FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]))
    for case let file as URL in files
    where (try file.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
      let relative = String(file.path.dropFirst(root.path.count + 1))
      var text = try String(contentsOf: file, encoding: .utf8)
      text = text.replacingOccurrences(of: "registry.local/till:1.0", with: "\(registry)/till:1.0")
      if relative == "fleet.yaml" {
        text = text.replacingOccurrences(
          of: "  rollout:\n", with: "  rollout:\n    uplinkBudget: 40Mbps\n")
      } else if relative.hasPrefix("sites/") {
        text = text.replacingOccurrences(
          of: "spec:\n", with: "spec:\n  link:\n    downlink: 20Mbps\n")
      }
      try repo.write(relative, text)
    }
    return repo
  }

  @Test func thePlanSizesPayloadsFromTheRegistryAndSchedulesThemByLink() async throws {
    let registry = try await LocalRegistry()
    let pusher = RegistryPusher(registry)
    let base = try await pusher.pushLayer(size: 2_000_000, repository: "till")
    let old = try await pusher.pushLayer(size: 500_000, repository: "till")
    let new = try await pusher.pushLayer(size: 1_000_000, repository: "till")
    _ = try await pusher.pushImage(repository: "till", tag: "1.0", layers: [base, old])
    _ = try await pusher.pushImage(repository: "till", tag: "2.0", layers: [base, new])

    let temp = try TemporaryDirectory()
    let repo = try Self.repository(in: temp, registry: registry.host)
    let first = try repo.commit("The rollout fleet, till 1.0")
    let path = "apps/shop/base/till.yaml"
    let text = try String(
      contentsOf: repo.directory.appendingPathComponent(path), encoding: .utf8)
    try repo.write(path, text.replacingOccurrences(of: "till:1.0", with: "till:2.0"))
    _ = try repo.commit("till 2.0")

    func plan(_ extra: [String]) async throws -> Value {
      let result = try await WavesyncProcess.run(
        [
          "plan", "--repo", repo.path, "--cache-dir", temp.appending("cache").path, "--waves-only",
          "--registry", "--registry-plain-http", registry.host, "-o", "json",
        ] + extra)
      #expect(result.status == 0, "\(result)")
      return try JSON.decode(result.output)
    }

    // From 1.0 to 2.0: the new layer (the base is there) and the Deployment's new body.
    let update = try await plan(["--since", first])
    let waves = try #require(update["waves"]?.arrayValue)
    #expect(waves.compactMap { $0["name"]?.stringValue } == ["canary", "early", "rest"])
    for wave in waves {
      let sites = try #require(wave["sites"]?.arrayValue)
      for site in sites {
        let name = site["site"]?.stringValue ?? "?"
        let bytes = try #require(site["bytes"]?.intValue, "\(name)")
        #expect(bytes > new.size && bytes < new.size + 20_000, "\(name): \(bytes)")
        // 20 Mbit/s is 2.5 MB/s, whatever else runs: the budget fits two at that rate.
        let start = try #require(site["startSeconds"]?.doubleValue)
        let end = try #require(site["endSeconds"]?.doubleValue)
        #expect(abs((end - start) - Double(bytes) / 2_500_000) < 0.002, "\(name)")
      }
      let bound = try #require(wave["lowerBoundSeconds"]?.doubleValue)
      let planned = try #require(wave["plannedSeconds"]?.doubleValue)
      // Two sites at a time fit the budget, and each wave allows as many: the plan is the bound.
      #expect(abs(planned - bound) < 0.002, "\(wave)")
    }
    // The rest wave's two sites start together (maxConcurrent 2, 2 × 20 Mbit/s fit in 40).
    let rest = try #require(waves.last?["sites"]?.arrayValue)
    #expect(Set(rest.compactMap { $0["startSeconds"]?.doubleValue }).count == 1)

    // Nothing known to run: every layer of 2.0 counts.
    let fresh = try await plan([])
    let any = try #require(fresh["waves"]?[0]?["sites"]?[0]?["bytes"]?.intValue)
    #expect(any > base.size + new.size)

    // The table says the same, in words.
    let table = try await WavesyncProcess.run([
      "plan", "--repo", repo.path, "--cache-dir", temp.appending("cache").path, "--waves-only",
      "--since", first, "--registry", "--registry-plain-http", registry.host,
    ])
    #expect(table.output.contains("lower bound"), "\(table)")
    #expect(table.output.contains("BYTES") && table.output.contains("20Mbps"), "\(table)")
  }
}
