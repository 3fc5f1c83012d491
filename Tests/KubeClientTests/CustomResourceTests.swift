import Foundation
import KubeClient
import Model
import Testing
import WavesyncTesting

/// CRDs appear at run time: discovery must pick them up, and the API server must serve custom
/// resources (the reflect2 fix of scripts/envtest.sh keeps it from crashing on the first one).
@Suite(.needsFleet) struct CustomResourceTests {
  static let manager = "kube-client-tests"

  func crd(group: String, kind: String, plural: String) -> Value {
    [
      "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
      "metadata": ["name": .string("\(plural).\(group)")],
      "spec": [
        "group": .string(group), "scope": "Namespaced",
        "names": [
          "kind": .string(kind), "plural": .string(plural), "singular": .string(kind.lowercased()),
          "listKind": .string(kind + "List"),
        ],
        "versions": [
          [
            "name": "v1", "served": true, "storage": true, "subresources": ["status": [:]],
            "schema": [
              "openAPIV3Schema": [
                "type": "object",
                "properties": [
                  "spec": [
                    "type": "object",
                    "properties": [
                      "size": ["type": "integer", "minimum": 1], "color": ["type": "string"],
                    ],
                  ],
                  "status": ["type": "object", "properties": ["phase": ["type": "string"]]],
                ],
              ]
            ],
          ]
        ],
      ],
    ]
  }

  /// Applies a CRD and waits (bounded) until discovery serves its kind.
  func install(_ client: KubeClient, group: String, kind: String, plural: String) async throws
    -> ResourceMapping
  {
    _ = try await client.apply(
      crd(group: group, kind: kind, plural: plural), fieldManager: Self.manager)
    return try await eventually("\(kind) in discovery") { note in
      do {
        return try await client.mapping(apiVersion: "\(group)/v1", kind: kind)
      } catch {
        note("\(error)")
        return nil
      }
    }
  }

  @Test func crdKindsAppearAndCustomResourcesWork() async throws {
    let client = try await TestFleet.client()
    let group = "t\(UUID().uuidString.prefix(6).lowercased()).wavesync.test"
    let namespace = try await TestFleet.namespace("crd")

    // Unknown before the CRD exists...
    await #expect(throws: KubeError.unknownKind(apiVersion: "\(group)/v1", kind: "Widget")) {
      try await client.mapping(apiVersion: "\(group)/v1", kind: "Widget")
    }
    // ...known once it does, through the same client (no stale negative cache).
    let widgets = try await install(client, group: group, kind: "Widget", plural: "widgets")
    #expect(
      widgets
        == ResourceMapping(
          group: group, version: "v1", resource: "widgets", kind: "Widget", namespaced: true))

    // A second CRD of a group version the cache already holds: one refresh finds it.
    let gadgets = try await install(client, group: group, kind: "Gadget", plural: "gadgets")
    #expect(gadgets.resource == "gadgets")

    // Custom resource CRUD.
    let id = ObjectReference(
      apiVersion: "\(group)/v1", kind: "Widget", namespace: namespace, name: "w1")
    let widget: Value = [
      "apiVersion": .string("\(group)/v1"), "kind": "Widget",
      "metadata": ["name": "w1", "namespace": .string(namespace)],
      "spec": ["size": 3, "color": "red"],
    ]
    let created = try await client.apply(widget, fieldManager: Self.manager)
    #expect(created[path: ["spec", "size"]] == 3)
    #expect(try await client.get(id)?[path: ["spec", "color"]] == "red")

    let patched = try await client.patch(id, mergePatch: ["spec": ["color": "blue"]])
    #expect(patched[path: ["spec", "color"]] == "blue")

    // Status goes through its subresource; the main resource ignores status changes.
    let withStatus = try await client.patchStatus(id, mergePatch: ["status": ["phase": "Ready"]])
    #expect(withStatus[path: ["status", "phase"]] == "Ready")
    _ = try await client.patch(id, mergePatch: ["status": ["phase": "Ignored"]])
    #expect(try await client.get(id)?[path: ["status", "phase"]] == "Ready")

    let listed = try await client.list(
      apiVersion: "\(group)/v1", kind: "Widget", namespace: namespace)
    #expect(listed.map { $0[path: ["metadata", "name"]] } == ["w1"])
    #expect(listed.first?["kind"] == "Widget")

    // The schema's own validation message comes back.
    var invalid = widget
    invalid[path: ["spec", "size"]] = 0
    let error = await #expect(throws: KubeError.self) {
      // Forced: the merge patch above made the client's default manager own spec.color.
      try await client.apply(invalid, fieldManager: Self.manager, force: true)
    }
    guard case .invalid(_, let causes)? = error else {
      Issue.record("expected invalid, got \(String(describing: error))")
      return
    }
    #expect(causes.contains { $0.hasPrefix("spec.size") && $0.contains("1") }, "\(causes)")

    #expect(try await client.delete(id))
    try await eventually("\(id) gone") { try await client.get(id) == nil }
    #expect(try await client.delete(id) == false)

    for plural in ["widgets", "gadgets"] {
      _ = try await client.delete(
        ObjectReference(
          apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition",
          name: "\(plural).\(group)"))
    }
  }
}
