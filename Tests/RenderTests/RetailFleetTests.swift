import Foundation
import GitSource
import Model
import Render
import Synchronization
import Testing
import WavesyncTesting

/// The retail-chain fixture, loaded and rendered for every site.
@Suite("Rendering the retail fleet")
struct RetailFleetTests {
  let tree: InMemoryFileTree
  let fleet: FleetRepository

  init() throws {
    tree = try LocalDirectoryTree(root: RepositoryPaths.fixture("retail-fleet").path).loadAll()
    fleet = try FleetRepository.load(from: tree)
  }

  @Test func loadsSitesAppsAndPolicy() {
    #expect(Set(fleet.sites.compactMap { $0.labels["region"] }).count >= 3)
    #expect(fleet.sites.count >= 12)
    #expect(
      fleet.apps.map(\.name) == ["inventory-service", "local-analytics", "pos-gateway", "pricing"])
    #expect(fleet.rollout.waves.first?.name == "lab")
    #expect(fleet.rollout.uplinkBudget == BitRate(bitsPerSecond: 200_000_000))
    // Sites from a SiteList file are there too, each remembering its file.
    #expect(fleet.sites.contains { $0.file.hasSuffix("remote-outposts.yaml") })
  }

  @Test func everySiteIsInExactlyOneWaveOrReported() {
    let (waves, unassigned) = fleet.rollout.assign(fleet.sites)
    let assigned = waves.flatMap { $0.sites.map(\.name) }
    #expect(Set(assigned).count == assigned.count)
    #expect(assigned.count + unassigned.count == fleet.sites.count)
    for (wave, sites) in waves {
      for site in sites {
        #expect(wave.selector.matches(site.labels), "\(site.name) in \(wave.name)")
      }
    }
    // First match wins: a lab site that is also a canary stays in the lab wave.
    let lab = waves.first { $0.wave.name == "lab" }!
    #expect(lab.sites.allSatisfy { $0.labels["store-type"] == "lab" })
    #expect(!lab.sites.isEmpty)
  }

  @Test func rendersEverySiteDeterministically() throws {
    let renderer = SiteRenderer(repository: fleet, tree: tree)
    let first = try renderer.renderAll()
    let second = try renderer.renderAll()
    #expect(first.map(\.contentHash) == second.map(\.contentHash))
    #expect(first.allSatisfy { !$0.objects.isEmpty })
    // Different labels, different manifests.
    #expect(Set(first.map(\.contentHash)).count == first.count)
  }

  /// Sites that get an app with the same components share one kustomize build: the app's files
  /// are read once per distinct set of components, not once per site.
  @Test func anAppIsBuiltOncePerSetOfComponents() throws {
    let counting = CountingTree(tree)
    let all = try SiteRenderer(repository: fleet, tree: counting).renderAll()
    let builds = Set(all.flatMap { site in site.apps.map { [$0.name] + $0.components } })
    let appRenders = all.map(\.apps.count).reduce(0, +)
    #expect(builds.count < appRenders, "the fixture has sites sharing an app's components")
    let base = "apps/pricing/base/pricing-engine.yaml"
    let pricingBuilds = builds.filter { $0.first == "pricing" }.count
    let oneSite = CountingTree(tree)
    _ = try SiteRenderer(repository: fleet, tree: oneSite).render(fleet.sites[0])
    #expect(oneSite.reads(of: base) == 1)
    #expect(counting.reads(of: base) == pricingBuilds)
    // The same manifests as rendering each site on its own.
    for (index, site) in fleet.sites.enumerated() {
      #expect(
        try SiteRenderer(repository: fleet, tree: tree).render(site).contentHash
          == all[index].contentHash, "\(site.name)")
    }
  }

  @Test func componentsFollowSiteLabels() throws {
    let renderer = SiteRenderer(repository: fleet, tree: tree)
    for site in fleet.sites {
      let rendered = try renderer.render(site)
      for app in rendered.apps {
        let definition = fleet.apps.first { $0.name == app.name }!
        #expect(definition.sites.matches(site.labels))
        #expect(
          app.components
            == definition.components.filter { $0.selector.matches(site.labels) }.map(\.name))
      }
      let expectedApps = fleet.apps.filter { $0.sites.matches(site.labels) }.map(\.name)
      #expect(rendered.apps.map(\.name) == expectedApps, "\(site.name)")
    }
  }

  @Test func placementAnnotationsChooseSitesAndAreRemoved() throws {
    let renderer = SiteRenderer(repository: fleet, tree: tree)
    for site in fleet.sites {
      let objects = try renderer.render(site).objects
      let names = Set(objects.compactMap { $0[path: ["metadata", "name"]]?.stringValue })
      let hasShelfVision = names.contains { $0.contains("shelf-vision") }
      let getsAnalytics = site.labels["store-type"] != "express"
      #expect(
        hasShelfVision == (getsAnalytics && site.labels["store-type"] == "flagship"), "\(site.name)"
      )
      for object in objects {
        let annotations = object[path: ["metadata", "annotations"]]?.objectValue ?? [:]
        #expect(annotations[Placement.placementKey] == nil)
        #expect(annotations[Placement.latencyKey] == nil)
        #expect(annotations[Placement.localityKey] == nil)
        // Data that must stay in a region only reaches that region's sites.
        if let region = object[path: ["metadata", "labels", "region"]]?.stringValue,
          object[path: ["metadata", "name"]]?.stringValue?.contains("customer-journeys") == true
        {
          #expect(region == site.labels["region"])
        }
      }
    }
  }

  @Test func substitutesSiteVariables() throws {
    let renderer = SiteRenderer(repository: fleet, tree: tree)
    for site in fleet.sites {
      let yaml = try renderer.render(site).yaml
      // The fixture escapes one reference on purpose ($${store.id}), which must come out literally.
      #expect(
        !yaml.replacingOccurrences(of: "${store.id}", with: "").contains("${"), "\(site.name)")
      #expect(yaml.contains("store $${store.id} - thank you") == false)
      #expect(yaml.contains("store ${store.id} - thank you"))
      #expect(yaml.contains(site.name))
      if let storeID = site.vars["STORE_ID"] { #expect(yaml.contains("store.id=\(storeID)")) }
    }
  }

  @Test func rendersFromAGitCommit() async throws {
    let temp = try TemporaryDirectory()
    let repo = try GitRepositoryBuilder(in: temp.url, name: "fleet")
    for (path, data) in tree.files { try repo.write(path, data: data) }
    let commit = try repo.commit("Retail fleet")
    let snapshot = try await openSource(
      repo: "file://" + repo.path, cacheRoot: temp.appending("cache"))
    #expect(snapshot.revision == commit)
    let fromGit = try SiteRenderer(
      repository: try FleetRepository.load(from: snapshot.tree), tree: snapshot.tree
    )
    .renderAll()
    let fromDisk = try SiteRenderer(repository: fleet, tree: tree).renderAll()
    #expect(fromGit.map(\.contentHash) == fromDisk.map(\.contentHash))
  }
}

/// A file tree that counts the reads of each file.
private final class CountingTree: FileTree {
  private let tree: InMemoryFileTree
  private let counts = Mutex<[String: Int]>([:])

  init(_ tree: InMemoryFileTree) { self.tree = tree }

  func reads(of path: String) -> Int { counts.withLock { $0[path] ?? 0 } }

  func contents(of path: String) throws -> Data? {
    counts.withLock { $0[path, default: 0] += 1 }
    return try tree.contents(of: path)
  }

  func entries(of directory: String) throws -> [FileTreeEntry]? {
    try tree.entries(of: directory)
  }
}
