/// Where a kind lives in the API: what discovery says about it.
public struct ResourceMapping: Sendable, Hashable {
  /// Empty for the core group.
  public var group: String
  public var version: String
  /// The plural resource name in URLs, e.g. `deployments`.
  public var resource: String
  public var kind: String
  public var namespaced: Bool

  public init(group: String, version: String, resource: String, kind: String, namespaced: Bool) {
    self.group = group
    self.version = version
    self.resource = resource
    self.kind = kind
    self.namespaced = namespaced
  }

  public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

  /// `deployments.apps`, as the API names resources in its messages.
  public var groupResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
}
