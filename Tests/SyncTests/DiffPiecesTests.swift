import KubeClient
import Model
import Sync
import Testing

@Suite("Diff pieces: unified diff, normalization, secret redaction, inventory")
struct DiffPiecesTests {
  @Test func unifiedDiffShowsChangesWithContext() {
    let old = (1...10).map { "line \($0)" }.joined(separator: "\n")
    let new = old.replacingOccurrences(of: "line 5", with: "line five")
    let diff = UnifiedDiff.lines(from: old, to: new, context: 2)
    #expect(
      diff == """
        @@ -3,5 +3,5 @@
         line 3
         line 4
        -line 5
        +line five
         line 6
         line 7

        """)
    #expect(UnifiedDiff.lines(from: old, to: old).isEmpty)
  }

  @Test func unifiedDiffOfCreationAndDeletion() {
    #expect(UnifiedDiff.lines(from: "", to: "a: 1\nb: 2\n").contains("+a: 1\n+b: 2"))
    #expect(UnifiedDiff.lines(from: "a: 1\n", to: "").contains("-a: 1"))
  }

  @Test func separateHunksForDistantChanges() {
    let old = (1...30).map { "l\($0)" }.joined(separator: "\n")
    let new = old.replacingOccurrences(of: "l2\n", with: "L2\n").replacingOccurrences(
      of: "l28", with: "L28")
    let diff = UnifiedDiff.lines(from: old, to: new)
    #expect(diff.components(separatedBy: "@@ -").count - 1 == 2)
  }

  @Test func normalizationDropsServerOwnedFields() {
    let live: Value = [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": [
        "name": "x", "namespace": "shop", "uid": "1234", "resourceVersion": "42", "generation": 3,
        "creationTimestamp": "2026-01-01T00:00:00Z", "managedFields": [["manager": "wavesync"]],
        "annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{}"],
        "labels": ["app": "shop"],
      ],
      "data": ["a": "1"], "status": ["phase": "x"],
    ]
    let normalized = LiveObjectNormalizer.normalize(live)
    #expect(
      normalized
        == ([
          "apiVersion": "v1", "data": ["a": "1"], "kind": "ConfigMap",
          "metadata": ["labels": ["app": "shop"], "name": "x", "namespace": "shop"],
        ] as Value))
  }

  @Test func secretValuesNeverAppearButChangesDo() {
    let old: Value = [
      "apiVersion": "v1", "kind": "Secret",
      "data": ["password": "aHVudGVyMg==", "user": "YWRtaW4="],
    ]
    let new: Value = [
      "apiVersion": "v1", "kind": "Secret",
      "data": ["password": "c3dvcmRmaXNo", "user": "YWRtaW4="],
    ]
    let (a, b) = SecretRedaction.redact(old: old, new: new)
    let text = YAML.emit([a!, b!])
    #expect(
      !text.contains("aHVudGVyMg==") && !text.contains("c3dvcmRmaXNo") && !text.contains("YWRtaW4=")
    )
    #expect(b?[path: ["data", "password"]] == .string(SecretRedaction.changedMarker))
    #expect(b?[path: ["data", "user"]] == .string(SecretRedaction.marker))
    let configMap: Value = [
      "apiVersion": "v1", "kind": "ConfigMap", "data": ["password": "visible"],
    ]
    #expect(SecretRedaction.redact(configMap) == configMap)
  }

  @Test func inventoryRoundTripsThroughItsConfigMap() throws {
    let inventory = Inventory(
      app: "pos-gateway",
      objects: [
        ObjectReference(
          apiVersion: "apps/v1", kind: "Deployment", namespace: "pos", name: "gateway"),
        ObjectReference(apiVersion: "v1", kind: "Namespace", namespace: nil, name: "pos"),
      ], revision: "abc123")
    let read = try Inventory(app: "pos-gateway", configMap: inventory.configMap)
    #expect(Set(read.objects) == Set(inventory.objects))
    #expect(read.revision == "abc123")
    #expect(inventory.configMap[path: ["metadata", "namespace"]] == "wavesync-system")
    #expect(throws: SyncError.self) {
      try Inventory(app: "x", configMap: ["data": ["objects": "not enough fields"]])
    }
  }
}
