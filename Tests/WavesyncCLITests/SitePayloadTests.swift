import Controller
import Foundation
import GitSource
import Model
import Registry
import Render
import Synchronization
import Testing
import WavesyncTesting

/// What a revision moves over each site's link, as the driver's targets estimate it: the bodies
/// of the objects that change plus the layers of images the site does not run yet.
@Suite struct SitePayloadTests {
  /// Sizes every set of images the same, and counts the questions (the registry's side is
  /// tested against a real registry in RegistryTests).
  final class FixedLayers: ImagePayloadEstimating {
    let bytes: Int64?
    let asked = Mutex<[[String]]>([])
    init(bytes: Int64?) { self.bytes = bytes }
    func estimate(newImages: [String], currentImages: [String]) async -> PayloadEstimate {
      asked.withLock { $0.append(newImages) }
      return bytes.map { .bytes($0) } ?? .unknown(reason: "registry.retail.internal is down")
    }
  }

  struct Fleet {
    /// Holds the repository's folder for as long as the test uses it.
    let temp: TemporaryDirectory
    let targets: FleetRolloutTargets
    let before: String
    let after: String
    let renderAfter: [String: RenderedSite]
  }

  /// The retail fleet, then a commit moving pos-gateway to a new image.
  static func fleet(images: (any ImagePayloadEstimating)?) async throws -> Fleet {
    let temp = try TemporaryDirectory()
    let repo = try GitRepositoryBuilder(in: temp.url, name: "fleet")
    try CLITests.copyFixture(into: repo)
    let before = try repo.commit("Retail fleet")
    let deployment = "apps/pos-gateway/base/deployment.yaml"
    let text = try String(
      contentsOf: repo.directory.appendingPathComponent(deployment), encoding: .utf8)
    try repo.write(
      deployment, text.replacingOccurrences(of: "pos-gateway:2.3.1", with: "pos-gateway:2.4.0"))
    let after = try repo.commit("pos-gateway 2.4.0")
    let (path, cache) = (repo.path, temp.appending("cache"))
    let targets = FleetRolloutTargets(
      snapshot: { try await openRevision($0, repo: path, cacheRoot: cache) },
      client: { _ in throw TimedOut(description: "no cluster is reached to estimate") },
      images: images)
    let snapshot = try await openRevision(after, repo: path, cacheRoot: cache)
    let repository = try FleetRepository.load(from: snapshot.tree)
    let renderer = SiteRenderer(repository: repository, tree: snapshot.tree)
    var rendered: [String: RenderedSite] = [:]
    for site in repository.sites { rendered[site.name] = try renderer.render(site) }
    return Fleet(temp: temp, targets: targets, before: before, after: after, renderAfter: rendered)
  }

  static let newImage = "registry.retail.internal/pos-gateway:2.4.0"

  /// The site's pos-gateway Deployment, when it runs the new image (some stores pin theirs).
  static func posGateway(_ site: RenderedSite) -> Value? {
    guard site.images.contains(newImage) else { return nil }
    return site.objects.first {
      $0["kind"]?.stringValue == "Deployment"
        && $0[path: ["metadata", "name"]]?.stringValue == "pos-gateway"
    }
  }

  @Test func changedObjectsAndNewLayersAreThePayload() async throws {
    let layers = FixedLayers(bytes: 40_000_000)
    let fleet = try await Self.fleet(images: layers)
    let payloads = await fleet.targets.payloads(
      of: fleet.after, replacing: fleet.before, behind: []
    ).bytes
    #expect(payloads.count == fleet.renderAfter.count)
    var withGateway = 0
    for (name, site) in fleet.renderAfter {
      if let deployment = Self.posGateway(site) {
        withGateway += 1
        // Only the Deployment changed: its body, plus the layers of the new image.
        #expect(payloads[name] == Int64(JSON.encode(deployment).utf8.count) + 40_000_000, "\(name)")
      } else {
        #expect(payloads[name] == 0, "\(name)")
      }
    }
    #expect(withGateway > 0)
    // Sites running the same images are sized once: one question per distinct image set.
    let questions = layers.asked.withLock { $0 }
    #expect(questions.count == Set(questions).count)
    #expect(questions.allSatisfy { $0.contains(Self.newImage) })
  }

  @Test func nothingRunningMeansEveryObjectCountsAndTheSameRevisionMovesNothing() async throws {
    let fleet = try await Self.fleet(images: FixedLayers(bytes: 7))
    let first = await fleet.targets.payloads(of: fleet.after, replacing: nil, behind: []).bytes
    for (name, site) in fleet.renderAfter {
      let bodies = site.objects.map { Int64(JSON.encode($0).utf8.count) }.reduce(0, +)
      #expect(first[name] == bodies + (site.images.isEmpty ? 0 : 7), "\(name)")
    }
    let again = await fleet.targets.payloads(of: fleet.after, replacing: fleet.after, behind: [])
      .bytes
    #expect(again.count == fleet.renderAfter.count)
    #expect(again.values.allSatisfy { $0 == 0 })
    // A store left behind may run anything older: everything counts for it, as for nothing.
    let left = try #require(fleet.renderAfter.keys.sorted().first)
    let behind = await fleet.targets.payloads(
      of: fleet.after, replacing: fleet.after, behind: [left]
    ).bytes
    #expect(behind[left] == first[left])
    #expect(behind.filter { $0.key != left }.values.allSatisfy { $0 == 0 })
  }

  @Test func unsizedImagesLeaveThePayloadUnknown() async throws {
    for images in [nil, FixedLayers(bytes: nil)] as [(any ImagePayloadEstimating)?] {
      let fleet = try await Self.fleet(images: images)
      let estimates = await fleet.targets.payloads(
        of: fleet.after, replacing: fleet.before, behind: [])
      for (name, site) in fleet.renderAfter {
        // A site that needs the new image has an unknown payload, and says why; the others are
        // known (0).
        let needsImage = Self.posGateway(site) != nil
        #expect((estimates.bytes[name] == nil) == needsImage, "\(name)")
        let reason = estimates.unknown[name]
        #expect(
          reason
            == (needsImage
              ? (images == nil
                ? "no registry to size new images (neither spec.registry nor --registry is set)"
                : "registry.retail.internal is down") : nil),
          "\(name)")
      }
    }
  }

  @Test func urgentRevisions() {
    #expect(UrgentRevision.hasTrailer("Fix the tills\n\nWavesync-Urgent: true\n"))
    #expect(
      UrgentRevision.hasTrailer("Fix\n\nbody\n\nSigned-off-by: a <a@b>\nwavesync-urgent: Yes"))
    #expect(!UrgentRevision.hasTrailer("Wavesync-Urgent: true"))  // a subject is no trailer
    #expect(!UrgentRevision.hasTrailer("Fix\n\nWavesync-Urgent: true\n\nmore text"))
    #expect(!UrgentRevision.hasTrailer("Fix\n\nWavesync-Urgent: false"))
    let id = "3f2a9c1d7e0b4a5c6d7e8f9a0b1c2d3e4f5a6b7c"
    #expect(UrgentRevision.listed(id, in: ["3f2a9c1"]))
    #expect(UrgentRevision.listed(id, in: [id.uppercased()]))
    #expect(!UrgentRevision.listed(id, in: ["3f2a9c"]))  // too short to be sure
    #expect(!UrgentRevision.listed(id, in: ["3f2a9c2"]))
  }
}
