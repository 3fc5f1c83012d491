import Foundation
import KubeClient
import LocalFleet
import Model
import Testing
import WavesyncTesting

/// The simulated kubelet pulls each image once per node and records it on the Node.
extension LocalFleetSuites.SharedFleetTests {
  @Test func anImageOnTheNodeIsPulledOnceAndANewOneOnceMore() async throws {
    let environment = try SharedFleet.environment
    let client = environment.client("site-a")
    let kubelet = try #require(environment.kubelets["site-a"])
    let namespace = uniqueName("pulls")
    // Images no other test uses, so the node's earlier pulls do not count.
    let first = "registry.local/\(namespace)/shop:1.0"
    let second = "registry.local/\(namespace)/shop:1.1"
    _ = try await client.apply(Manifests.namespace(namespace), fieldManager: Self.fieldManager)

    // Two pods of one image on one node.
    _ = try await client.apply(
      Manifests.deployment("shop", namespace: namespace, image: first, replicas: 2),
      fieldManager: Self.fieldManager)
    try await runningPods(2, image: first, in: namespace, client: client)
    #expect(try await pulls(of: kubelet, client: client, namespace: namespace) == [first])

    // A second deployment of the same image pulls nothing; a new image pulls once.
    _ = try await client.apply(
      Manifests.deployment("shop-copy", namespace: namespace, image: first, replicas: 1),
      fieldManager: Self.fieldManager)
    _ = try await client.apply(
      Manifests.deployment("shop-next", namespace: namespace, image: second, replicas: 2),
      fieldManager: Self.fieldManager)
    try await runningPods(3, image: first, in: namespace, client: client)
    try await runningPods(2, image: second, in: namespace, client: client)
    #expect(try await pulls(of: kubelet, client: client, namespace: namespace) == [first, second])

    let node = try #require(
      try await client.get(ObjectReference(apiVersion: "v1", kind: "Node", name: kubelet.nodeName)))
    let images = node[path: ["status", "images"]]?.arrayValue ?? []
    for image in [first, second] {
      let entries = images.filter { $0["names"]?.arrayValue?.contains(.string(image)) == true }
      #expect(entries.count == 1, "\(image) in \(JSON.encode(.array(images)))")
      #expect(entries.first?["sizeBytes"] == .int(SimulatedKubelet.placeholderImageBytes))
    }
  }

  /// Waits until `count` pods of `image` run in `namespace`.
  private func runningPods(
    _ count: Int, image: String, in namespace: String, client: KubeClient
  ) async throws {
    try await eventually("\(count) running pods of \(image)") { note in
      let pods = try await client.list(apiVersion: "v1", kind: "Pod", namespace: namespace)
      let running = pods.filter {
        $0[path: ["spec", "containers"]]?[0]?["image"]?.stringValue == image
          && $0[path: ["status", "phase"]] == "Running"
      }
      note("\(running.count) of \(pods.count) pods running")
      return running.count == count ? () : nil
    }
  }

  /// The pulls of this test's images, as the kubelet counts them and as the Node records them
  /// (they must agree).
  private func pulls(
    of kubelet: SimulatedKubelet, client: KubeClient, namespace: String
  ) async throws -> [String] {
    let counted = await kubelet.pulledImages.filter { $0.contains(namespace) }
    let node = try await client.get(
      ObjectReference(apiVersion: "v1", kind: "Node", name: kubelet.nodeName))
    let annotation = node?[path: [
      "metadata", "annotations", SimulatedKubelet.pulledImagesAnnotation,
    ]]
    let recorded = try JSON.decode(annotation?.stringValue ?? "[]").arrayValue?
      .compactMap(\.stringValue).filter { $0.contains(namespace) }
    #expect(recorded == counted)
    return counted
  }
}
