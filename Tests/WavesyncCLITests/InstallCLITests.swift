import Controller
import Foundation
import KubeClient
import Model
import Testing
import WavesyncTesting

extension RolloutCLITests {
  /// `wavesync install` puts the Fleet and FleetSite definitions into the regional cluster,
  /// idempotently; the API server then refuses malformed Fleets at admission and fills in the
  /// defaults of well-formed ones.
  @Test func installServesTheResourcesAndTheirSchemaGuardsFleets() async throws {
    let fleet = try fleet
    let first = try await WavesyncProcess.run(
      ["install", "--kubeconfig", fleet.kubeconfigPath, "--context", RolloutFleet.regional])
    #expect(first.status == 0, "\(first)")
    for name in ["fleets.wavesync.io", "fleetsites.wavesync.io"] {
      #expect(
        first.output.contains("customresourcedefinition \(name) created")
          || first.output.contains("customresourcedefinition \(name) unchanged"), "\(first)")
    }
    let again = try await WavesyncProcess.run(
      ["install", "--kubeconfig", fleet.kubeconfigPath, "--context", RolloutFleet.regional])
    #expect(again.status == 0, "\(again)")
    #expect(
      again.output
        == "customresourcedefinition fleets.wavesync.io unchanged\n"
        + "customresourcedefinition fleetsites.wavesync.io unchanged\n")

    let client = fleet.client(for: RolloutFleet.regional)
    let namespace = uniqueName("install")
    _ = try await client.apply(
      ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]],
      fieldManager: "install-tests")
    func fleetObject(_ name: String, spec: Value) -> Value {
      [
        "apiVersion": "wavesync.io/v1alpha1", "kind": "Fleet",
        "metadata": ["name": .string(name), "namespace": .string(namespace)], "spec": spec,
      ]
    }
    let created = try await client.create(
      fleetObject(
        "emea",
        spec: [
          "source": ["url": "https://git.example.com/retail/fleet.git"],
          "siteSelector": "region=emea",
          "kubeconfigSecretRef": ["name": "emea-sites"],
        ]))
    #expect(created[path: ["spec", "source", "ref"]] == "main")
    #expect(created[path: ["spec", "source", "pollInterval"]] == "1m")
    #expect(created[path: ["spec", "kubeconfigSecretRef", "key"]] == "kubeconfig")

    let malformed: [(String, Value)] = [
      ("no-url", ["source": [:], "kubeconfigSecretRef": ["name": "s"]]),
      (
        "bad-scheme",
        ["source": ["url": "ftp://example.com/fleet"], "kubeconfigSecretRef": ["name": "s"]]
      ),
      (
        "bad-interval",
        [
          "source": ["url": "https://example.com/fleet", "pollInterval": "soon"],
          "kubeconfigSecretRef": ["name": "s"],
        ]
      ),
      (
        "empty-kubeconfig-secret",
        ["source": ["url": "https://example.com/fleet"], "kubeconfigSecretRef": ["name": ""]]
      ),
    ]
    for (name, spec) in malformed {
      let error = await #expect(throws: KubeError.self, "\(name)") {
        _ = try await client.create(fleetObject(name, spec: spec))
      }
      guard case .invalid? = error else {
        Issue.record("\(name): expected invalid, got \(String(describing: error))")
        continue
      }
    }
  }
}
