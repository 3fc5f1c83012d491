import Foundation
import KubeClient
import LocalFleet
import Model
import Testing
import WavesyncTesting

/// The plain-scalar zoo applied to a real API server twice: once by `kubectl apply` reading the
/// file itself, once by Wavesync reading it with its kubectl rules. The server must store the
/// same values both ways: Wavesync reads plain manifests exactly as kubectl does.
@Suite(
  "Plain scalars on the apply path", .serialized,
  .enabled(
    if: FileManager.default.isExecutableFile(atPath: "/usr/bin/kubectl"), "kubectl is not installed"
  ))
final class ApplyPathScalarTests {
  let fleet: EnvtestFleet

  init() async throws {
    fleet = try await EnvtestFleet.start(clusters: ["zoo-store"])
  }

  // Stopped off the cooperative pool: a deinit that waits for processes to exit would hold
  // one of its few threads for seconds, stalling other tests' timers.
  deinit {
    let fleet = fleet
    Task.detached { await fleet.stopInBackground() }
  }

  static let crd = TestCRD.definition(
    group: "example.com", kind: "Zoo", plural: "zoos",
    spec: ["type": "object", "x-kubernetes-preserve-unknown-fields": true])

  @Test func kubectlAndWavesyncStoreTheSameValues() async throws {
    let client = fleet.client(for: "zoo-store")
    _ = try await client.apply(Self.crd, fieldManager: "test")
    let zooFile = RepositoryPaths.fixture(
      "kustomize-cases/54-scalar-zoo-plain-values/input/zoo.yaml")
    let text = try String(contentsOf: zooFile, encoding: .utf8)
    var mine = try YAML.value(from: text, rules: .kubectl)
    mine[path: ["metadata", "namespace"]] = "default"

    // kubectl reads the file itself (the CRD may take a moment to be served).
    var applied = false
    for _ in 0..<40 where !applied {
      applied =
        (try? await CommandRunner.run(
          "/usr/bin/kubectl",
          [
            "--kubeconfig", fleet.kubeconfigPath, "--context", "zoo-store", "apply",
            "--server-side",
            "--field-manager", "kubectl", "-n", "default", "-f", zooFile.path,
          ])) != nil
      if !applied { try await Task.sleep(for: .milliseconds(250)) }
    }
    try #require(applied, "kubectl apply of the zoo failed")
    let reference = try ObjectReference(of: mine)
    let byKubectl = try #require(try await client.get(reference))

    // Wavesync applies its own reading under another name.
    var copy = mine
    copy[path: ["metadata", "name"]] = "plain-scalars-wavesync"
    _ = try await client.apply(copy, fieldManager: "wavesync")
    let byWavesync = try #require(
      try await client.get(
        ObjectReference(
          apiVersion: "example.com/v1", kind: "Zoo", namespace: "default",
          name: "plain-scalars-wavesync")))

    let kubectlSpec = try #require(byKubectl["spec"]?.objectValue)
    let wavesyncSpec = try #require(byWavesync["spec"]?.objectValue)
    #expect(kubectlSpec.count == mine["spec"]?.objectValue?.count)
    for (key, value) in kubectlSpec {
      #expect(
        wavesyncSpec[key] == value,
        "\(key): kubectl stored \(value), Wavesync \(String(describing: wavesyncSpec[key]))")
    }
  }
}
