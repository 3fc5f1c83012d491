import Foundation
import Model
import Render
import Testing

/// Values that would overflow or be misread later, symbolic links, and oversized output: each is
/// refused where it is read, with the file and the line of the offending entry.
@Suite("Hostile fleet repositories")
struct HostileFleetTests {
  typealias Broken = BrokenFleetTests

  static func siteSpec(_ lines: String) -> String {
    Broken.siteYAML.replacingOccurrences(of: "spec:\n", with: "spec:\n" + lines)
  }

  @Test(
    arguments: [
      (
        [
          "fleet.yaml": Broken.fleetYAML.replacingOccurrences(
            of: "selector: canary=true",
            with: "selector: canary=true\n      soak: 9999999999999999999h")
        ],
        "fleet.yaml:10: spec.rollout.waves.0.soak: duration 9999999999999999999h is too long (at most 2562047h47m16.854775807s)"
      ),
      (
        [
          "fleet.yaml": Broken.fleetYAML.replacingOccurrences(
            of: "  rollout:\n", with: "  rollout:\n    defaults:\n      healthTimeout: 2562048h\n")
        ],
        "fleet.yaml:8: spec.rollout.defaults.healthTimeout: duration 2562048h is too long"
      ),
      (
        ["sites/store-1.yaml": siteSpec("  timezone: Mars/Olympus_Mons\n")],
        "sites/store-1.yaml:9: spec.timezone: unknown time zone \"Mars/Olympus_Mons\" (expected an IANA name like Europe/Paris)"
      ),
      (
        [
          "sites/store-1.yaml": siteSpec(
            "  maintenanceWindows:\n  - start: \"22:00\"\n    duration: 1e19h\n")
        ],
        "sites/store-1.yaml:11: spec.maintenanceWindows.0.duration: expected a duration like 6h, found \"1e19h\""
      ),
      (
        [
          "sites/store-1.yaml": siteSpec(
            "  maintenanceWindows:\n  - start: \"22:00\"\n    duration: 10000000h\n")
        ],
        "sites/store-1.yaml:11: spec.maintenanceWindows.0.duration: duration 10000000h is too long"
      ),
      (
        [
          "sites/store-1.yaml": siteSpec(
            "  maintenanceWindows:\n  - start: \"22:00\"\n    duration: 0s\n")
        ],
        "sites/store-1.yaml:11: spec.maintenanceWindows.0.duration: must be more than zero"
      ),
      (
        ["sites/store-1.yaml": siteSpec("  link:\n    downlink: 1e30Gbps\n")],
        "sites/store-1.yaml:10: spec.link.downlink: expected a rate like 20Mbps, found \"1e30Gbps\""
      ),
      (
        ["sites/store-1.yaml": siteSpec("  link:\n    uplink: 0.0001bps\n")],
        "sites/store-1.yaml:10: spec.link.uplink: expected a rate like 20Mbps, found \"0.0001bps\""
      ),
      (
        [
          "sites/store-1.yaml": Broken.siteYAML.replacingOccurrences(
            of: "store-type: flagship\n", with: "store-type: flagship\n    latency: fast\n")
        ],
        "sites/store-1.yaml:8: metadata.labels.latency: expected a duration like 8ms (edge.io/latency-requirement compares it), found \"fast\""
      ),
      (
        [
          "apps/shop/app.yaml": Broken.appYAML.replacingOccurrences(
            of: "path: base", with: "path: bsae")
        ],
        "apps/shop/app.yaml:6: spec.path: apps/shop/bsae not found"
      ),
      (
        [
          "apps/shop/app.yaml": Broken.appYAML.replacingOccurrences(
            of: "path: components/flagship", with: "path: components/flagshp")
        ],
        "apps/shop/app.yaml:9: spec.components.0.path: directory apps/shop/components/flagshp not found"
      ),
      (
        [
          "apps/shop/base/kustomization.yaml": Broken.baseKustomization
            + "configMapGenerator:\n- name: shop-config\n  files:\n  - missing.properties\n"
        ],
        "apps/shop/base/kustomization.yaml:4: file missing.properties not found (looked for apps/shop/base/missing.properties)"
      ),
    ] as [([String: String?], String)])
  func refusedWhereItIsWritten(_ changes: [String: String?], _ expected: String) {
    let error = Broken.renderError(changes)
    #expect(
      error?.description.hasPrefix(expected) == true, "got: \(error?.description ?? "no error")")
  }

  @Test func theLongestDurationGoAllowsIsAccepted() throws {
    let tree = Broken.tree([
      "fleet.yaml": Broken.fleetYAML.replacingOccurrences(
        of: "selector: canary=true", with: "selector: canary=true\n      soak: 2562047h")
    ])
    let fleet = try FleetRepository.load(from: tree)
    #expect(fleet.rollout.waves[0].soakSeconds == 2_562_047 * 3600)
  }

  @Test func aSymlinkedSiteFileAndAppFolderAreRead() throws {
    var tree = Broken.tree(["sites/store-1.yaml": nil])
    for (path, data) in Broken.tree().files where path.hasPrefix("apps/shop/") {
      tree.write("library/" + path.dropFirst("apps/".count), data)
    }
    var linked = InMemoryFileTree(files: tree.files.filter { !$0.key.hasPrefix("apps/shop/") })
    linked.write("shared/store-1.yaml", text: Broken.siteYAML)
    linked.writeLink("sites/store-1.yaml", to: "../shared/store-1.yaml")
    linked.writeLink("apps/shop", to: "../library/shop")

    let fleet = try FleetRepository.load(from: linked)
    #expect(fleet.sites.map(\.name) == ["store-1"])
    #expect(fleet.sites[0].file == "sites/store-1.yaml")
    #expect(fleet.apps.map(\.name) == ["shop"])
    let rendered = try SiteRenderer(repository: fleet, tree: linked).render(fleet.sites[0])
    let plain = Broken.tree()
    let expected = try SiteRenderer(repository: try FleetRepository.load(from: plain), tree: plain)
      .render(fleet.sites[0])
    #expect(rendered.yaml == expected.yaml)
  }

  @Test func symlinksLeadingOutsideAreRefusedByName() {
    var sites = Broken.tree()
    sites.writeLink("sites/evil.yaml", to: "/etc/passwd")
    #expect(
      Self.error(sites)
        == "sites/evil.yaml: symbolic link to /etc/passwd points outside the repository")

    var resource = Broken.tree([
      "apps/shop/base/kustomization.yaml": "resources:\n- deployment.yaml\n- secrets.yaml\n"
    ])
    resource.writeLink("apps/shop/base/secrets.yaml", to: "../../../../secrets.yaml")
    // Checking the app's spec.path lists the folder, which meets the link first.
    #expect(
      Self.error(resource)
        == "apps/shop/app.yaml:6: spec.path: apps/shop/base/secrets.yaml: symbolic link to ../../../../secrets.yaml points outside the repository"
    )
  }

  static func error(_ tree: InMemoryFileTree) -> String? {
    do {
      let fleet = try FleetRepository.load(from: tree)
      _ = try SiteRenderer(repository: fleet, tree: tree).renderAll()
      return nil
    } catch {
      return error.description
    }
  }

  @Test func aSiteRenderedPastTheLimitStopsAtTheObjectThatPassesIt() throws {
    let tree = Broken.tree()
    let fleet = try FleetRepository.load(from: tree)
    let full = try SiteRenderer(repository: fleet, tree: tree).render(fleet.sites[0])
    let size = full.yaml.utf8.count
    func render(limit: Int) throws(RenderError) -> RenderedSite {
      var limits = RepositoryLimits.default
      limits.renderedBytesPerSite = limit
      return try SiteRenderer(repository: fleet, tree: tree, limits: limits).render(fleet.sites[0])
    }
    #expect(try render(limit: size).contentHash == full.contentHash)
    let error = #expect(throws: RenderError.self) { try render(limit: size - 1) }
    #expect(
      error?.description
        == "apps/shop/app.yaml (apps/Deployment shop): site store-1: the rendered manifests pass the limit of \(size - 1) bytes per site here"
    )
  }

  @Test func aLargeVariableReferencedManyTimesStopsAtTheLimit() throws {
    let tree = Broken.tree([
      "sites/store-1.yaml": Broken.siteYAML.replacingOccurrences(
        of: "STORE_ID: \"0001\"",
        with: "STORE_ID: \"0001\"\n    BIG: \"\(String(repeating: "x", count: 1_000))\""),
      "apps/shop/base/deployment.yaml": Broken.deployment.replacingOccurrences(
        of: "\"${STORE_ID}\"", with: "\"\(String(repeating: "${BIG}", count: 20))\""),
    ])
    let fleet = try FleetRepository.load(from: tree)
    var limits = RepositoryLimits.default
    limits.renderedBytesPerSite = 19_999
    let error = #expect(throws: RenderError.self) {
      try SiteRenderer(repository: fleet, tree: tree, limits: limits).render(fleet.sites[0])
    }
    #expect(
      error?.description
        == "apps/shop/app.yaml (apps/Deployment shop): site store-1: the values substituted pass the limit of 19999 bytes of rendered manifests per site here"
    )
    let rendered = try SiteRenderer(repository: fleet, tree: tree).render(fleet.sites[0])
    #expect(rendered.yaml.contains(String(repeating: "x", count: 20_000)))
  }

  /// The app's base includes `chain/k0`, which includes `chain/k1`, and so on; the last one
  /// holds a ConfigMap.
  static func kustomizationChain(_ length: Int) -> InMemoryFileTree {
    var changes: [String: String?] = [
      "apps/shop/base/kustomization.yaml": Broken.baseKustomization + "- ../chain/k0\n"
    ]
    for index in 0..<length {
      let next = index + 1 < length ? "- ../k\(index + 1)\n" : "- configmap.yaml\n"
      changes["apps/shop/chain/k\(index)/kustomization.yaml"] = "resources:\n" + next
    }
    changes["apps/shop/chain/k\(length - 1)/configmap.yaml"] =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: end-of-chain\n"
    return Broken.tree(changes)
  }

  @Test func kustomizationsNestedPastTheLimitAreRefused() throws {
    // The app's own composition and its base take two levels: 98 more reach the limit of 100.
    let allowed = Self.kustomizationChain(98)
    let fleet = try FleetRepository.load(from: allowed)
    let site = try SiteRenderer(repository: fleet, tree: allowed).render(fleet.sites[0])
    #expect(site.objects.contains { $0["metadata"]?["name"] == "end-of-chain" })
    // One more level is refused (HostileRepositoryTests runs a longer chain through the binary).
    #expect(
      Self.error(Self.kustomizationChain(99))
        == "apps/shop/chain/k98/kustomization.yaml: kustomizations nested more than 100 deep (from apps/shop)"
    )
  }

  @Test func aResourceNestedAsDeepAsAllowedRenders() throws {
    // The object is one level, its spec 999 more: the limit of 1,000.
    let depth = 999
    let spec = String(repeating: "{a: ", count: depth) + "1" + String(repeating: "}", count: depth)
    let tree = Broken.tree([
      "apps/shop/base/kustomization.yaml": Broken.baseKustomization + "- deep.yaml\n",
      "apps/shop/base/deep.yaml":
        "apiVersion: example.com/v1\nkind: Deep\nmetadata:\n  name: deep\nspec: \(spec)\n",
    ])
    let fleet = try FleetRepository.load(from: tree)
    let site = try SiteRenderer(repository: fleet, tree: tree).render(fleet.sites[0])
    let deep = try #require(site.objects.first { $0["kind"] == "Deep" })
    var value = deep["spec"]
    var levels = 0
    while let inner = value?["a"] {
      levels += 1
      value = inner
    }
    #expect(levels == depth)

    let deeper = Broken.tree([
      "apps/shop/base/kustomization.yaml": Broken.baseKustomization + "- deep.yaml\n",
      "apps/shop/base/deep.yaml":
        "apiVersion: example.com/v1\nkind: Deep\nmetadata:\n  name: deep\nspec: {a: \(spec)}\n",
    ])
    #expect(
      Self.error(deeper)?.hasPrefix(
        "apps/shop/base/deep.yaml:5: mappings and lists nested more than 1000 levels deep") == true)
  }
}
