public import KubeClient
public import Model

/// What Wavesync applied to a site for one app, kept in that site's own cluster (a ConfigMap in
/// `wavesync-system`), so any controller instance can prune what a later revision drops and
/// never touches objects it did not apply.
public struct Inventory: Sendable, Hashable {
  public static let namespace = "wavesync-system"
  public static let managedByLabel = "app.kubernetes.io/managed-by"

  public var app: String
  public var objects: [ObjectReference]
  /// The revision last applied, for status.
  public var revision: String?

  public init(app: String, objects: [ObjectReference], revision: String? = nil) {
    self.app = app
    self.objects = objects
    self.revision = revision
  }

  public static func configMapName(app: String) -> String { "wavesync-inventory-\(app)" }

  public var reference: ObjectReference {
    ObjectReference(
      apiVersion: "v1", kind: "ConfigMap", namespace: Self.namespace,
      name: Self.configMapName(app: app))
  }

  /// One line per object: `apiVersion kind namespace name` (namespace `-` when cluster-scoped).
  public var configMap: Value {
    let lines = objects.map { "\($0.apiVersion) \($0.kind) \($0.namespace ?? "-") \($0.name)" }
    var data: Value = ["objects": .string(lines.sorted().joined(separator: "\n"))]
    if let revision { data["revision"] = .string(revision) }
    return [
      "apiVersion": "v1", "kind": "ConfigMap",
      "metadata": [
        "name": .string(Self.configMapName(app: app)), "namespace": .string(Self.namespace),
        "labels": [
          .init(stringLiteral: Self.managedByLabel): "wavesync", "wavesync.io/app": .string(app),
        ],
      ],
      "data": data,
    ]
  }

  public init(app: String, configMap: Value) throws(SyncError) {
    self.app = app
    revision = configMap[path: ["data", "revision"]]?.stringValue
    var objects: [ObjectReference] = []
    let text = configMap[path: ["data", "objects"]]?.stringValue ?? ""
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: " ").map(String.init)
      guard parts.count == 4 else {
        throw SyncError.corruptInventory(app: app, line: String(line))
      }
      objects.append(
        ObjectReference(
          apiVersion: parts[0], kind: parts[1], namespace: parts[2] == "-" ? nil : parts[2],
          name: parts[3]))
    }
    self.objects = objects
  }
}
