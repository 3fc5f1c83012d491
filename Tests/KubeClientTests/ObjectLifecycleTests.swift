import Foundation
import KubeClient
import Model
import Testing
import WavesyncTesting

@Suite(.needsFleet) struct ObjectLifecycleTests {
  func deployment(_ name: String, namespace: String, replicas: Int64 = 1) -> Value {
    [
      "apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": ["name": .string(name), "namespace": .string(namespace)],
      "spec": [
        "replicas": .int(replicas),
        "selector": ["matchLabels": ["app": .string(name)]],
        "template": [
          "metadata": ["labels": ["app": .string(name)]],
          "spec": ["containers": [["name": "main", "image": "registry.invalid/app:1"]]],
        ],
      ],
    ]
  }

  func replicaSets(_ client: KubeClient, _ namespace: String, app: String) async throws -> [Value] {
    try await client.list(
      apiVersion: "apps/v1", kind: "ReplicaSet", namespace: namespace, labelSelector: "app=\(app)")
  }

  @Test func mergePatchAndDelete() async throws {
    let client = try await TestFleet.client()
    let namespace = try await TestFleet.namespace("lifecycle")
    let id = ObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: namespace, name: "cm")
    _ = try await client.create(configMap("cm", namespace: namespace, data: ["a": "1", "b": "2"]))
    let patched = try await client.patch(id, mergePatch: ["data": ["a": "9", "b": nil]])
    #expect(patched["data"] == ["a": "9"])
    #expect(try await client.delete(id))
    #expect(try await client.get(id) == nil)
    #expect(try await client.delete(id) == false, "already gone")
    await #expect(throws: KubeError.self) {
      try await client.patch(id, mergePatch: ["data": ["a": "1"]])
    }
  }

  @Test func foregroundDeletionWaitsForDependents() async throws {
    let client = try await TestFleet.client()
    let namespace = try await TestFleet.namespace("foreground")
    _ = try await client.apply(deployment("web", namespace: namespace), fieldManager: "wavesync")
    try await eventually("a replica set of web") {
      try await !replicaSets(client, namespace, app: "web").isEmpty
    }

    let id = ObjectReference(
      apiVersion: "apps/v1", kind: "Deployment", namespace: namespace, name: "web")
    #expect(try await client.delete(id, propagation: .foreground))
    try await eventually("\(id) gone") { try await client.get(id) == nil }
    #expect(try await replicaSets(client, namespace, app: "web").isEmpty, "dependents went first")
  }

  @Test func orphanDeletionKeepsDependents() async throws {
    let client = try await TestFleet.client()
    let namespace = try await TestFleet.namespace("orphan")
    _ = try await client.apply(deployment("api", namespace: namespace), fieldManager: "wavesync")
    try await eventually("a replica set of api") {
      try await !replicaSets(client, namespace, app: "api").isEmpty
    }

    let id = ObjectReference(
      apiVersion: "apps/v1", kind: "Deployment", namespace: namespace, name: "api")
    #expect(try await client.delete(id, propagation: .orphan))
    try await eventually("\(id) gone") { try await client.get(id) == nil }
    // The garbage collector removes the owner reference instead of the replica set.
    try await eventually("the replica set of api orphaned") {
      let sets = try await replicaSets(client, namespace, app: "api")
      return sets.count == 1 && sets[0][path: ["metadata", "ownerReferences"]] == nil
    }
  }

  @Test func invalidCarriesTheAPIsValidationMessage() async throws {
    let client = try await TestFleet.client()
    let namespace = try await TestFleet.namespace("invalid")
    let error = await #expect(throws: KubeError.self) {
      try await client.apply(
        deployment("broken", namespace: namespace, replicas: -1), fieldManager: "wavesync")
    }
    guard case .invalid(let message, let causes)? = error else {
      Issue.record("expected invalid, got \(String(describing: error))")
      return
    }
    #expect(message.contains(TestFleet.cluster))
    #expect(message.contains("apps/Deployment \(namespace)/broken"))
    #expect(message.contains("must be greater than or equal to 0"), "\(message)")
    #expect(causes.contains { $0.hasPrefix("spec.replicas: Invalid value: -1") }, "\(causes)")
  }

  @Test func wrongTokenIsUnauthorizedWithoutTheToken() async throws {
    var connection = try await TestFleet.connection()
    connection.bearerToken = KubeSecret("not-the-right-token-4711")
    let client = KubeClient(connection: connection)
    let error = await #expect(throws: KubeError.self) {
      _ = try await client.list(apiVersion: "v1", kind: "Namespace")
    }
    guard case .unauthorized(let message)? = error else {
      Issue.record("expected unauthorized, got \(String(describing: error))")
      return
    }
    #expect(message.contains(TestFleet.cluster))
    #expect(!message.contains("4711"))
  }

  @Test func tlsIsVerifiedAgainstTheClusterCA() async throws {
    var connection = try await TestFleet.connection()
    // Another CA (any PEM that is not the fleet's): the handshake must fail.
    let folder = try KubeconfigFixture()
    connection.certificateAuthorityData = try Data(
      contentsOf: SelfSignedCertificate.make(in: folder.directory.url))
    let error = await #expect(throws: KubeError.self) {
      _ = try await KubeClient(connection: connection).request("GET", "/readyz")
    }
    guard case .unreachable(let cluster, _)? = error else {
      Issue.record("expected unreachable, got \(String(describing: error))")
      return
    }
    #expect(cluster == TestFleet.cluster)

    // Skipping verification (only when asked) gets through.
    connection.insecureSkipTLSVerify = true
    #expect(try await KubeClient(connection: connection).request("GET", "/readyz").status == 200)
  }

  @Test func rawRequests() async throws {
    let client = try await TestFleet.client()
    let ready = try await client.request("GET", "/readyz")
    #expect(ready.status == 200)
    #expect(ready.text == "ok")
    let missing = try await client.request(
      "GET", "/api/v1/namespaces/kube-system/configmaps/absent-thing")
    #expect(missing.status == 404)
  }
}
