import Foundation
import KubeClient
import Model
import Testing

@Suite(.needsFleet) struct ServerSideApplyTests {
  @Test func createUpdateAndNoOp() async throws {
    let client = try await TestFleet.client()
    let namespace = try await TestFleet.namespace("ssa")
    let id = ObjectReference(
      apiVersion: "v1", kind: "ConfigMap", namespace: namespace, name: "settings")
    #expect(try await client.get(id) == nil)

    let created = try await client.apply(
      configMap("settings", namespace: namespace, data: ["a": "1"]), fieldManager: "wavesync")
    #expect(created[path: ["data", "a"]] == "1")
    let managers = created[path: ["metadata", "managedFields"]]?.arrayValue?.compactMap {
      $0["manager"]?.stringValue
    }
    #expect(managers == ["wavesync"])
    let firstVersion = try #require(created[path: ["metadata", "resourceVersion"]]?.stringValue)

    let updated = try await client.apply(
      configMap("settings", namespace: namespace, data: ["a": "2", "b": "3"]),
      fieldManager: "wavesync")
    #expect(updated["data"] == ["a": "2", "b": "3"])
    let secondVersion = try #require(updated[path: ["metadata", "resourceVersion"]]?.stringValue)
    #expect(secondVersion != firstVersion)

    // Applying the same again changes nothing, not even the resourceVersion.
    let same = try await client.apply(
      configMap("settings", namespace: namespace, data: ["a": "2", "b": "3"]),
      fieldManager: "wavesync")
    #expect(same[path: ["metadata", "resourceVersion"]]?.stringValue == secondVersion)

    // Fields this manager stops applying are removed.
    let pruned = try await client.apply(
      configMap("settings", namespace: namespace, data: ["a": "2"]), fieldManager: "wavesync")
    #expect(pruned["data"] == ["a": "2"])
  }

  @Test func conflictWithAnotherManagerAndForce() async throws {
    let client = try await TestFleet.client()
    let namespace = try await TestFleet.namespace("ssa-conflict")
    _ = try await client.apply(
      configMap("owned", namespace: namespace, data: ["color": "red"]), fieldManager: "wavesync")

    let error = await #expect(throws: KubeError.self) {
      try await client.apply(
        configMap("owned", namespace: namespace, data: ["color": "blue"]), fieldManager: "intruder")
    }
    guard case .conflict(let message)? = error else {
      Issue.record("expected conflict, got \(String(describing: error))")
      return
    }
    #expect(message.contains(TestFleet.cluster), "names the cluster: \(message)")
    #expect(message.contains("ConfigMap \(namespace)/owned"), "names the object: \(message)")
    #expect(message.contains("wavesync"), "the API's message names the owner: \(message)")

    let forced = try await client.apply(
      configMap("owned", namespace: namespace, data: ["color": "blue"]), fieldManager: "intruder",
      force: true)
    #expect(forced[path: ["data", "color"]] == "blue")
    let owners = forced[path: ["metadata", "managedFields"]]?.arrayValue?.compactMap {
      $0["manager"]?.stringValue
    }
    #expect(owners?.contains("intruder") == true)
  }

  @Test func dryRunLeavesNoTrace() async throws {
    let client = try await TestFleet.client()
    let namespace = try await TestFleet.namespace("ssa-dry")
    let id = ObjectReference(
      apiVersion: "v1", kind: "ConfigMap", namespace: namespace, name: "ghost")
    _ = try await client.mapping(apiVersion: "v1", kind: "ConfigMap")
    client.resetStats()

    let answer = try await client.apply(
      configMap("ghost", namespace: namespace, data: ["k": "v"]), fieldManager: "wavesync",
      dryRun: true)
    #expect(answer[path: ["data", "k"]] == "v")
    let created = try await client.create(
      configMap("ghost", namespace: namespace, data: ["k": "v"]), dryRun: true)
    #expect(created[path: ["metadata", "name"]] == "ghost")
    #expect(try await client.get(id) == nil)
    #expect(client.stats.writeRequests == 0, "dry runs are not writes")
    #expect(client.stats.requests == 3)
  }

  @Test func createThenAlreadyExists() async throws {
    let client = try await TestFleet.client()
    let namespace = try await TestFleet.namespace("create")
    let object = configMap("once", namespace: namespace, data: ["x": "1"])
    let created = try await client.create(object)
    #expect(created[path: ["metadata", "uid"]]?.stringValue?.isEmpty == false)
    await #expect(throws: KubeError.self) { try await client.create(object) }
    do {
      _ = try await client.create(object)
    } catch .conflict(let message) {
      #expect(message.contains("already exists"))
    } catch {
      Issue.record("expected conflict, got \(error)")
    }
  }

  @Test func namespacedObjectWithoutNamespaceGoesToDefault() async throws {
    let client = try await TestFleet.client()
    let name = "no-namespace-\(UUID().uuidString.prefix(6).lowercased())"
    let object: Value = [
      "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)],
    ]
    _ = try await client.apply(object, fieldManager: "wavesync")
    let id = ObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: name)
    #expect(try await client.get(id) != nil)
    #expect(try await client.delete(id))
  }
}
