import Foundation
import Model
import Render
import Testing

/// Broken repositories fail as a whole, with an error that names the file, line and problem.
@Suite("Broken fleet repositories")
struct BrokenFleetTests {
  static let fleetYAML = """
    apiVersion: wavesync.io/v1alpha1
    kind: Fleet
    metadata:
      name: test
    spec:
      rollout:
        waves:
        - name: canary
          selector: canary=true
        - name: rest
          selector: ""

    """
  static let siteYAML = """
    apiVersion: wavesync.io/v1alpha1
    kind: Site
    metadata:
      name: store-1
      labels:
        region: emea
        store-type: flagship
    spec:
      vars:
        STORE_ID: "0001"

    """
  static let appYAML = """
    apiVersion: wavesync.io/v1alpha1
    kind: App
    metadata:
      name: shop
    spec:
      path: base
      components:
      - name: flagship
        path: components/flagship
        selector: store-type=flagship

    """
  static let baseKustomization = "resources:\n- deployment.yaml\n"
  static let deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: shop
    spec:
      template:
        spec:
          containers:
          - name: shop
            image: shop:1.0
            env:
            - name: STORE
              value: "${STORE_ID}"

    """
  static let component = """
    apiVersion: kustomize.config.k8s.io/v1alpha1
    kind: Component
    replicas:
    - name: shop
      count: 3

    """

  static func tree(_ changes: [String: String?] = [:]) -> InMemoryFileTree {
    var files: [String: String] = [
      "fleet.yaml": fleetYAML, "sites/store-1.yaml": siteYAML, "apps/shop/app.yaml": appYAML,
      "apps/shop/base/kustomization.yaml": baseKustomization,
      "apps/shop/base/deployment.yaml": deployment,
      "apps/shop/components/flagship/kustomization.yaml": component,
    ]
    for (path, text) in changes { files[path] = text }
    return InMemoryFileTree(texts: files)
  }

  static func renderError(_ changes: [String: String?]) -> RenderError? {
    let tree = tree(changes)
    do {
      let fleet = try FleetRepository.load(from: tree)
      _ = try SiteRenderer(repository: fleet, tree: tree).renderAll()
      return nil
    } catch {
      return error
    }
  }

  /// A field written without a value (`timezone:`) is null, which means unset, as in
  /// Kubernetes manifests: not a value of the wrong type.
  @Test func fieldsWrittenWithoutAValueAreUnset() throws {
    let site = Self.siteYAML.replacingOccurrences(
      of: "spec:\n", with: "spec:\n  timezone:\n  maintenanceWindows: ~\n")
    let tree = Self.tree(["sites/store-1.yaml": site])
    let fleet = try FleetRepository.load(from: tree)
    #expect(fleet.sites[0].timezone == nil)
    #expect(fleet.sites[0].maintenanceWindows.isEmpty)
  }

  @Test func theValidTreeRenders() throws {
    let tree = Self.tree()
    let fleet = try FleetRepository.load(from: tree)
    let site = try SiteRenderer(repository: fleet, tree: tree).render(fleet.sites[0])
    #expect(site.apps.map(\.components) == [["flagship"]])
    let deployment = site.objects[0]
    #expect(deployment[path: ["spec", "replicas"]] == 3)
    #expect(
      deployment[path: ["spec", "template", "spec", "containers"]]?[0]?["env"]?[0]?["value"]
        == "0001")
  }

  @Test(
    arguments: [
      (["fleet.yaml": nil], "fleet.yaml: not found: a fleet repository has fleet.yaml at its root"),
      (
        [
          "sites/store-1.yaml":
            "apiVersion: wavesync.io/v1alpha1\nkind: Site\nmetadata:\n  name: [store\n"
        ],
        "sites/store-1.yaml:5: while parsing a flow sequence: did not find expected ',' or ']'"
      ),
      (
        ["sites/store-1.yaml": siteYAML.replacingOccurrences(of: "  vars:", with: "  varz:")],
        "sites/store-1.yaml:9: spec.varz: unknown field (expected one of: timezone, link, maintenanceWindows, cluster, vars)"
      ),
      (
        [
          "sites/store-1.yaml": siteYAML.replacingOccurrences(
            of: "region: emea", with: "region: -emea")
        ],
        "sites/store-1.yaml:6: metadata.labels.region: invalid label value \"-emea\""
      ),
      (
        [
          "apps/shop/app.yaml": appYAML.replacingOccurrences(
            of: "store-type=flagship", with: "store-type in (flagship")
        ],
        "apps/shop/app.yaml:10: spec.components.0.selector: invalid label selector \"store-type in (flagship\""
      ),
      (
        ["apps/shop/base/kustomization.yaml": baseKustomization + "helmCharts:\n- name: x\n"],
        "apps/shop/base/kustomization.yaml:3: field \"helmCharts\" is not supported by Wavesync"
      ),
      (
        [
          "apps/shop/base/deployment.yaml": deployment.replacingOccurrences(
            of: "${STORE_ID}", with: "${STORE_CODE}")
        ],
        "apps/shop/app.yaml (apps/Deployment shop): site store-1: variable ${STORE_CODE} is not defined"
      ),
      (
        ["apps/shop/base/kustomization.yaml": "resources:\n- ../../../../outside.yaml\n"],
        "apps/shop/base/kustomization.yaml:2: path ../../../../outside.yaml leaves the repository"
      ),
      (
        ["apps/shop/base/kustomization.yaml": "resources:\n- missing.yaml\n"],
        "apps/shop/base/kustomization.yaml:2: resource missing.yaml not found (looked for apps/shop/base/missing.yaml)"
      ),
      (
        ["sites/store-2.yaml": siteYAML],
        "sites/store-2.yaml: site store-1 is defined twice (also in sites/store-1.yaml)"
      ),
      (
        [
          "apps/shop/base/deployment.yaml":
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels: {}\n"
        ],
        "apps/shop/base/deployment.yaml:1: object has no metadata.name"
      ),
      (
        [
          "fleet.yaml": fleetYAML.replacingOccurrences(
            of: "selector: canary=true", with: "selector: canary=true\n      soak: 5 minutes")
        ],
        "fleet.yaml:10: spec.rollout.waves.0.soak: expected a duration like 5m, found \"5 minutes\""
      ),
    ] as [([String: String?], String)])
  func failsWithAClearError(_ changes: [String: String?], _ expected: String) {
    let error = Self.renderError(changes)
    #expect(error != nil)
    #expect(
      error?.description.hasPrefix(expected) == true, "got: \(error?.description ?? "no error")")
  }
}
