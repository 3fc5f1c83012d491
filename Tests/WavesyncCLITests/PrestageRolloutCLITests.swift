import Foundation
import KubeClient
import LocalFleet
import Model
import Testing
import WavesyncTesting

// Pre-staging in a rollout of the local fleet: the stores of a later wave pull the new image
// before their cutover (the simulated kubelet records every pull on its Node), so the cutover
// pulls nothing new.
extension RolloutCLITests {
  /// The images the site's node has pulled, in order.
  static func pulledImages(_ fleet: EnvtestFleet, _ site: String) async throws -> [String] {
    let nodes = try await fleet.client(for: site).list(apiVersion: "v1", kind: "Node")
    return try nodes.flatMap { node -> [String] in
      guard
        let text = node[path: ["metadata", "annotations", SimulatedKubelet.pulledImagesAnnotation]]?
          .stringValue
      else { return [] }
      return try JSON.decode(text).arrayValue?.compactMap(\.stringValue) ?? []
    }
  }

  @Test func laterWavesPullTheirImagesBeforeTheirCutover() async throws {
    let repo = try RolloutRepository(
      try fleet, "prestage",
      policy: RolloutRepository.replacing("  rollout:\n", with: "  rollout:\n    prestage: true\n"))
    let first = try await repo.rollout()
    #expect(first.status == 0, "\(first)")
    let newImage = "registry.local/till:2.0-prestaged"
    let revision = try repo.commit(image: newImage)
    let rollout = try repo.startRollout()
    // Wave 0 (canary) has no wave before it; every later store is checked at its cutover: when
    // its Deployment first names the new image, its node has the image already.
    let later = RolloutFleet.sites.filter { $0 != "canary-1" }
    var seenAtCutover: [String: [String]] = [:]
    _ = try await eventually("every later store's cutover", interval: .milliseconds(50)) { note in
      for site in later where seenAtCutover[site] == nil {
        guard try await repo.image(site) == newImage else { continue }
        seenAtCutover[site] = try await Self.pulledImages(repo.fleet, site)
      }
      note("cutovers seen: \(seenAtCutover.keys.sorted())")
      return seenAtCutover.count == later.count ? true : nil
    }
    let result = try await rollout.finish()
    #expect(result.status == 0, "\(result)")
    for site in later {
      #expect(seenAtCutover[site]?.contains(newImage) == true, "\(site) at its cutover")
      // Pulled once, by the pre-stage: the cutover's pod found it on the node.
      #expect(
        try await Self.pulledImages(repo.fleet, site).filter { $0 == newImage }.count == 1,
        "\(site)")
      #expect(try await repo.inventoryRevision(site) == revision, "\(site)")
    }
    // The canary pulled at its cutover, as nothing came before it.
    #expect(try await Self.pulledImages(repo.fleet, "canary-1").contains(newImage))
  }
}
