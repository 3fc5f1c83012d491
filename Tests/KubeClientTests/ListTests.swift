import Foundation
import Model
import Testing

@testable import KubeClient

@Suite(.needsFleet) struct ListTests {
  @Test func followsContinuePages() async throws {
    var tuning = ClientTuning.standard
    tuning.pageSize = 3
    let client = try await TestFleet.client(tuning: tuning)
    let namespace = try await TestFleet.namespace("paging")
    for index in 0..<7 {
      _ = try await client.create(
        configMap(
          "item-\(index)", namespace: namespace, data: ["i": "\(index)"], labels: ["set": "paging"])
      )
    }
    _ = try await client.create(
      configMap("other", namespace: namespace, data: [:], labels: ["set": "else"]))

    client.resetStats()
    let items = try await client.list(
      apiVersion: "v1", kind: "ConfigMap", namespace: namespace, labelSelector: "set=paging")
    #expect(items.count == 7)
    #expect(client.stats.requests == 3, "7 items in pages of 3")
    #expect(
      Set(items.compactMap { $0[path: ["metadata", "name"]]?.stringValue })
        == Set((0..<7).map { "item-\($0)" }))
    // List responses leave kind and apiVersion out of items; the client puts them back.
    #expect(items.allSatisfy { $0["kind"] == "ConfigMap" && $0["apiVersion"] == "v1" })

    let selected = try await client.list(
      apiVersion: "v1", kind: "ConfigMap", namespace: namespace,
      labelSelector: "set in (else),set!=paging")
    #expect(selected.map { $0[path: ["metadata", "name"]] } == ["other"])
  }

  @Test func clusterWideAndClusterScopedLists() async throws {
    let client = try await TestFleet.client()
    let namespace = try await TestFleet.namespace("wide")
    _ = try await client.create(
      configMap("marker", namespace: namespace, data: [:], labels: ["wide": namespace]))
    let everywhere = try await client.list(
      apiVersion: "v1", kind: "ConfigMap", labelSelector: "wide=\(namespace)")
    #expect(everywhere.count == 1)
    let namespaces = try await client.list(apiVersion: "v1", kind: "Namespace")
    #expect(namespaces.contains { $0[path: ["metadata", "name"]]?.stringValue == namespace })
  }
}
