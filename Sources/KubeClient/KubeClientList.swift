public import Model

extension KubeClient {
  /// Every object of a kind, in one namespace or (nil) all of them, following `continue`
  /// pages. Items carry apiVersion and kind, which list responses leave out.
  public func list(
    apiVersion: String, kind: String, namespace: String? = nil, labelSelector: String? = nil
  ) async throws(KubeError) -> [Value] {
    try await listWithVersion(
      apiVersion: apiVersion, kind: kind, namespace: namespace, labelSelector: labelSelector
    ).items
  }

  /// The items and the list's resourceVersion, where a watch picks up.
  func listWithVersion(
    apiVersion: String, kind: String, namespace: String?, labelSelector: String?
  ) async throws(KubeError) -> (items: [Value], resourceVersion: String?) {
    let mapping = try await mapping(apiVersion: apiVersion, kind: kind)
    let collection = ResourcePath.path(mapping, namespace: namespace)
    let subject = namespace.map { "\(kind) in namespace \($0)" } ?? "\(kind) (\(apiVersion))"
    var items: [Value] = []
    var continueToken: String?
    var resourceVersion: String?
    for _ in 0..<tuning.maxListPages {
      let path =
        collection
        + URLQuery.string([
          ("labelSelector", labelSelector), ("limit", String(tuning.pageSize)),
          ("continue", continueToken),
        ])
      let page = try await object(HTTPRequest(method: "GET", path: path), subject: subject)
      for var item in page["items"]?.arrayValue ?? [] {
        item["apiVersion"] = .string(apiVersion)
        item["kind"] = .string(kind)
        items.append(item)
      }
      resourceVersion = page[path: ["metadata", "resourceVersion"]]?.stringValue
      continueToken = page[path: ["metadata", "continue"]]?.stringValue
      if continueToken?.isEmpty ?? true { return (items, resourceVersion) }
    }
    throw .server(
      code: 0,
      message: "\(connection.name): \(subject): more than \(tuning.maxListPages) pages, gave up")
  }
}
