import Foundation
import KubeClient
import LocalFleet
import Model
import Testing
import WavesyncTesting

extension LocalFleetSuites.SharedFleetTests {
  @Test func aClaimGetsAVolumeAndTheControllerManagerBindsThem() async throws {
    let client = try SharedFleet.environment.client("site-b")
    let namespace = uniqueName("storage")
    _ = try await client.apply(Manifests.namespace(namespace), fieldManager: Self.fieldManager)
    let claim: Value = [
      "apiVersion": "v1", "kind": "PersistentVolumeClaim",
      "metadata": ["name": "journal", "namespace": .string(namespace)],
      "spec": [
        "accessModes": ["ReadWriteOnce"], "storageClassName": "local-path",
        "resources": ["requests": ["storage": "2Gi"]],
      ],
    ]
    _ = try await client.apply(claim, fieldManager: Self.fieldManager)
    let id = try ObjectReference(of: claim)
    // Without a provisioner the claim waits: nothing binds it.
    try await Task.sleep(for: .seconds(2))
    #expect(try await client.get(id)?[path: ["status", "phase"]] == "Pending")

    let provisioner = SimulatedProvisioner(client: client)
    let task = provisioner.start()
    defer { task.cancel() }
    let bound = try await eventually("the claim is bound") { note in
      let live = try await client.get(id)
      note(JSON.encode(live?["status"] ?? .null))
      return live?[path: ["status", "phase"]] == "Bound" ? live : nil
    }
    let volumeName = try #require(bound[path: ["spec", "volumeName"]]?.stringValue)
    let volume = try #require(
      try await client.get(
        ObjectReference(apiVersion: "v1", kind: "PersistentVolume", name: volumeName)))
    #expect(volume[path: ["spec", "storageClassName"]] == "local-path")
    #expect(volume[path: ["spec", "capacity", "storage"]] == "2Gi")
    #expect(volume[path: ["spec", "claimRef", "name"]] == "journal")
    #expect(bound[path: ["status", "capacity", "storage"]] == "2Gi")
    try await eventually("the provisioner counting its volume") {
      await !provisioner.provisioned.isEmpty
    }
    #expect(await provisioner.provisioned.count == 1)
  }

  @Test func aLoadBalancerServiceGetsTheNodeAddress() async throws {
    let client = try SharedFleet.environment.client("site-b")
    let namespace = uniqueName("balancer")
    _ = try await client.apply(Manifests.namespace(namespace), fieldManager: Self.fieldManager)
    let balancer = SimulatedLoadBalancer(client: client)
    let task = balancer.start()
    defer { task.cancel() }
    func service(_ name: String, type: String) -> Value {
      [
        "apiVersion": "v1", "kind": "Service",
        "metadata": ["name": .string(name), "namespace": .string(namespace)],
        "spec": [
          "type": .string(type), "selector": ["app": "pos"],
          "ports": [["port": 443, "protocol": "TCP"]],
        ],
      ]
    }
    _ = try await client.apply(
      service("pos-lb", type: "LoadBalancer"), fieldManager: Self.fieldManager)
    _ = try await client.apply(service("pos", type: "ClusterIP"), fieldManager: Self.fieldManager)
    let served = try await eventually("the LoadBalancer service has an address") {
      note in
      let live = try await client.get(try ObjectReference(of: service("pos-lb", type: "")))
      note(JSON.encode(live?["status"] ?? .null))
      return live?[path: ["status", "loadBalancer", "ingress"]]?.arrayValue?.isEmpty == false
        ? live : nil
    }
    #expect(served[path: ["status", "loadBalancer", "ingress"]]?[0]?["ip"] == "127.0.0.1")
    let plain = try await client.get(try ObjectReference(of: service("pos", type: "")))
    #expect(plain?[path: ["status", "loadBalancer", "ingress"]] == nil)
    // The actor counts once its patch returned, which may be after the test saw the address.
    try await eventually("the load balancer counting its service") { await balancer.served >= 1 }
    #expect(await balancer.served == 1)
  }
}
