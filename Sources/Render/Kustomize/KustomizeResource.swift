import Model

/// One object while a kustomization is built: the object, where it came from, and the names it
/// had before transformers renamed it (so references to those names can follow it).
struct KustomizeResource: Sendable {
  var object: Value
  /// The file it was read from, or the kustomization that generated it.
  var file: String
  var previousNames: [String] = []
  var previousNamespaces: [String?] = []
  /// Kinds it had before a patch changed its kind (`allowKindChange`).
  var previousKinds: [String] = []
  /// The name prefixes and suffixes applied to it, in order: name references prefer objects
  /// renamed the same way as the object referring to them.
  var prefixes: [String] = []
  var suffixes: [String] = []
  /// Set for ConfigMaps and Secrets from a generator.
  var generator: GeneratorMark?
  /// Fields the file wrote with no value, which the first strategic merge patch drops.
  var writtenEmptyFields: [[String]] = []
  /// The document the object was read from, without its value: the text its scalars were
  /// written with, which replacements copy (`1.10`, not `1.1`). Nil for items of a `List`.
  var writtenText: YAMLDocument?
  /// The vars that read their value from this object.
  var vars: [VarRule] = []

  struct GeneratorMark: Sendable {
    var behavior: GeneratorBehavior
    var appendHash: Bool
  }

  init(object: Value, file: String) throws(RenderError) {
    self.object = object
    self.file = file
    _ = try identity()
  }

  func identity() throws(RenderError) -> ObjectIdentity {
    do {
      return try ObjectIdentity(of: object)
    } catch {
      throw RenderError(file: file, message: error.description)
    }
  }

  /// The identity, for a resource already checked at creation.
  var id: ObjectIdentity {
    (try? identity()) ?? ObjectIdentity(group: "", version: "", kind: "", name: "")
  }

  var name: String { object[path: ["metadata", "name"]]?.stringValue ?? "" }
  var namespace: String? { object[path: ["metadata", "namespace"]]?.stringValue }

  mutating func rename(to newName: String) {
    guard newName != name else { return }
    previousNames.append(name)
    object[path: ["metadata", "name"]] = .string(newName)
  }

  /// Sets (or, with nil, removes) the namespace. `recordingSame` records the old namespace even
  /// when it does not change, as kustomize's namespace transformer does: references to the
  /// object then take its namespace (a RoleBinding's ServiceAccount subjects).
  mutating func setNamespace(_ newNamespace: String?, recordingSame: Bool = false) {
    guard newNamespace != namespace || recordingSame else { return }
    previousNamespaces.append(namespace)
    object[path: ["metadata", "namespace"]] = newNamespace.map { .string($0) }
  }

  /// Every name this object has had, the current one first.
  var allNames: [String] { [name] + previousNames.reversed() }
  var allNamespaces: [String?] { [namespace] + previousNamespaces.reversed() }

  /// `Kind namespace/name` as errors show it.
  var label: String { id.description }
}

/// The order `kubectl kustomize` prints objects in (kustomize's "legacy" order, its default):
/// kinds others depend on first, webhooks last, the rest by group, version and kind, then by
/// namespace and name. `sortOptions.legacySortOptions` replaces the first and last kinds.
struct LegacyOrder: Sendable {
  static let defaultFirst = [
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
    "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap",
    "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume",
    "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
  ]
  static let defaultLast = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]

  private let rank: [String: Int]

  init(first: [String] = defaultFirst, last: [String] = defaultLast) {
    var ranks: [String: Int] = [:]
    for (index, kind) in first.enumerated() { ranks[kind] = index - first.count }
    for (index, kind) in last.enumerated() { ranks[kind] = index + 1 }
    rank = ranks
  }

  func sorted(_ objects: [ObjectIdentity]) -> [Int] {
    objects.indices.sorted { less(objects[$0], objects[$1]) }
  }

  func less(_ a: ObjectIdentity, _ b: ObjectIdentity) -> Bool {
    if (a.group, a.version, a.kind) != (b.group, b.version, b.kind) {
      let (ra, rb) = (rank[a.kind] ?? 0, rank[b.kind] ?? 0)
      if ra != rb { return ra < rb }
      return Self.gvkKey(a) < Self.gvkKey(b)
    }
    return Self.idKey(a) < Self.idKey(b)
  }

  private static func gvkKey(_ id: ObjectIdentity) -> String {
    [id.group.isEmpty ? "~G" : id.group, id.version.isEmpty ? "~V" : id.version, id.kind].joined(
      separator: "_")
  }

  private static func idKey(_ id: ObjectIdentity) -> String {
    let gvk = [
      id.kind, id.version.isEmpty ? "[noVer]" : id.version, id.group.isEmpty ? "[noGrp]" : id.group,
    ]
    .joined(separator: ".")
    return [gvk, id.namespace ?? "~X", id.name].joined(separator: "|")
  }
}
