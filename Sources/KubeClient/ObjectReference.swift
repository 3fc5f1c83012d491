public import Model

/// Names one object on a cluster: apiVersion, kind, namespace (nil for cluster-scoped kinds,
/// or for "default" on namespaced ones) and name.
public struct ObjectReference: Sendable, Hashable, CustomStringConvertible {
  public var apiVersion: String
  public var kind: String
  public var namespace: String?
  public var name: String

  public init(apiVersion: String, kind: String, namespace: String? = nil, name: String) {
    self.apiVersion = apiVersion
    self.kind = kind
    self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
    self.name = name
  }

  /// Reads `apiVersion`, `kind`, `metadata.namespace` and `metadata.name` of a manifest.
  public init(of object: Value) throws(KubeError) {
    do {
      self.init(try ObjectIdentity(of: object))
    } catch {
      throw .invalid("not a Kubernetes object: \(error)", causes: [])
    }
  }

  public init(_ identity: ObjectIdentity) {
    self.init(
      apiVersion: identity.apiVersion, kind: identity.kind, namespace: identity.namespace,
      name: identity.name)
  }

  /// Empty for the core group.
  public var group: String {
    apiVersion.firstIndex(of: "/").map { String(apiVersion[..<$0]) } ?? ""
  }

  public var version: String {
    apiVersion.firstIndex(of: "/").map { String(apiVersion[apiVersion.index(after: $0)...]) }
      ?? apiVersion
  }

  public var identity: ObjectIdentity {
    ObjectIdentity(group: group, version: version, kind: kind, namespace: namespace, name: name)
  }

  /// Reads like kubectl's names: `apps/Deployment shop/web`.
  public var description: String { identity.description }
}
