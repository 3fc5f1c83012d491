/// What names one Kubernetes object: group, version, kind, namespace and name.
public struct ObjectIdentity: Sendable, Hashable, Comparable, CustomStringConvertible {
  public var group: String
  public var version: String
  public var kind: String
  public var namespace: String?
  public var name: String

  public init(group: String, version: String, kind: String, namespace: String? = nil, name: String)
  {
    self.group = group
    self.version = version
    self.kind = kind
    self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
    self.name = name
  }

  /// Reads `apiVersion`, `kind`, `metadata.namespace` and `metadata.name` of a manifest.
  public init(of object: Value) throws(ObjectIdentityError) {
    guard case .object = object else { throw .notAnObject(type: object.typeName) }
    guard let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty else {
      throw .missingField("apiVersion")
    }
    guard let kind = object["kind"]?.stringValue, !kind.isEmpty else { throw .missingField("kind") }
    guard let name = object[path: ["metadata", "name"]]?.stringValue, !name.isEmpty else {
      throw .missingField("metadata.name")
    }
    let parts = apiVersion.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count <= 2, parts.allSatisfy({ !$0.isEmpty }) else {
      throw .invalidAPIVersion(apiVersion)
    }
    self.init(
      group: parts.count == 2 ? String(parts[0]) : "",
      version: String(parts.last!),
      kind: kind,
      namespace: object[path: ["metadata", "namespace"]]?.stringValue,
      name: name)
  }

  public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

  /// `group/Kind` (`Kind` for the core group): the kind without its version.
  public var groupKind: String { group.isEmpty ? kind : "\(group)/\(kind)" }

  /// Reads like kubectl's names: `apps/Deployment shop/inventory`.
  public var description: String {
    namespace.map { "\(groupKind) \($0)/\(name)" } ?? "\(groupKind) \(name)"
  }

  public static func < (a: Self, b: Self) -> Bool {
    (a.group, a.kind, a.namespace ?? "", a.name, a.version)
      < (b.group, b.kind, b.namespace ?? "", b.name, b.version)
  }
}

public enum ObjectIdentityError: Error, Sendable, Equatable, CustomStringConvertible {
  case notAnObject(type: String)
  case missingField(String)
  case invalidAPIVersion(String)

  public var description: String {
    switch self {
    case .notAnObject(let type): "expected a Kubernetes object (a mapping), found a \(type)"
    case .missingField(let field): "object has no \(field)"
    case .invalidAPIVersion(let v): "invalid apiVersion \"\(v)\""
    }
  }
}
