/// URL paths of the REST API: `/apis/apps/v1/namespaces/shop/deployments/web/status`.
enum ResourcePath {
  static func groupVersion(group: String, version: String) -> String {
    group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
  }

  /// The collection (no name) or one object. `namespace` is ignored for cluster-scoped kinds;
  /// a namespaced collection without one spans all namespaces.
  static func path(
    _ mapping: ResourceMapping, namespace: String?, name: String? = nil, subresource: String? = nil
  ) -> String {
    var path = groupVersion(group: mapping.group, version: mapping.version)
    if mapping.namespaced, let namespace { path += "/namespaces/\(URLQuery.escape(namespace))" }
    path += "/\(mapping.resource)"
    if let name { path += "/\(URLQuery.escape(name))" }
    if let subresource { path += "/\(subresource)" }
    return path
  }
}
