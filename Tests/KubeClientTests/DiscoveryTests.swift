import Foundation
import KubeClient
import Model
import Testing

@Suite(.needsFleet) struct DiscoveryTests {
  @Test func coreAndAppsKinds() async throws {
    let client = try await TestFleet.client()
    #expect(
      try await client.mapping(apiVersion: "v1", kind: "ConfigMap")
        == ResourceMapping(
          group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true))
    #expect(try await client.mapping(apiVersion: "v1", kind: "Namespace").namespaced == false)
    #expect(
      try await client.mapping(apiVersion: "apps/v1", kind: "Deployment")
        == ResourceMapping(
          group: "apps", version: "v1", resource: "deployments", kind: "Deployment",
          namespaced: true))
    let rbac = try await client.mapping(
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole")
    #expect(rbac.resource == "clusterroles" && !rbac.namespaced)

    // Cached: asking again costs no request.
    client.resetStats()
    _ = try await client.mapping(apiVersion: "apps/v1", kind: "Deployment")
    #expect(client.stats.requests == 0)
  }

  @Test func unknownKindsAndGroups() async throws {
    let client = try await TestFleet.client()
    await #expect(throws: KubeError.unknownKind(apiVersion: "apps/v1", kind: "Deploymnet")) {
      try await client.mapping(apiVersion: "apps/v1", kind: "Deploymnet")
    }
    await #expect(
      throws: KubeError.unknownKind(apiVersion: "nowhere.example.com/v1", kind: "Thing")
    ) {
      try await client.mapping(apiVersion: "nowhere.example.com/v1", kind: "Thing")
    }
    await #expect(
      throws: KubeError.unknownKind(apiVersion: "nowhere.example.com/v1", kind: "Thing")
    ) {
      _ = try await client.get(
        ObjectReference(apiVersion: "nowhere.example.com/v1", kind: "Thing", name: "x"))
    }
  }

  @Test func allMappingsCoverCoreAndGroups() async throws {
    let client = try await TestFleet.client()
    let all = try await client.allMappings()
    #expect(all.contains { $0.kind == "Pod" && $0.group.isEmpty })
    #expect(all.contains { $0.kind == "Deployment" && $0.group == "apps" })
    #expect(all.contains { $0.kind == "CustomResourceDefinition" })
    #expect(!all.contains { $0.resource.contains("/") }, "subresources are not kinds")
  }
}
