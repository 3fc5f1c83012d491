import Model

extension KubeClient {
  /// Where a kind is served: from discovery of its group version, cached. A kind the cache
  /// does not know triggers one fresh look (CRDs appear at run time); still unknown, it throws
  /// `.unknownKind`.
  public func mapping(apiVersion: String, kind: String) async throws(KubeError) -> ResourceMapping {
    if let cached = discovery.mapping(apiVersion: apiVersion, kind: kind) { return cached }
    let kinds = try await discover(apiVersion: apiVersion)
    guard let mapping = kinds[kind] else { throw .unknownKind(apiVersion: apiVersion, kind: kind) }
    return mapping
  }

  /// Every kind the server serves, in every version of every group: from `/api` and `/apis`
  /// and each group version's resource list. Fills the cache as it goes.
  public func allMappings() async throws(KubeError) -> [ResourceMapping] {
    var apiVersions: [String] = []
    let core = try await object(HTTPRequest(method: "GET", path: "/api"), subject: "discovery /api")
    apiVersions += (core["versions"]?.arrayValue ?? []).compactMap(\.stringValue)
    let groups = try await object(
      HTTPRequest(method: "GET", path: "/apis"), subject: "discovery /apis")
    for group in groups["groups"]?.arrayValue ?? [] {
      for version in group["versions"]?.arrayValue ?? [] {
        if let groupVersion = version["groupVersion"]?.stringValue {
          apiVersions.append(groupVersion)
        }
      }
    }
    var mappings: [ResourceMapping] = []
    for apiVersion in apiVersions {
      mappings += try await discover(apiVersion: apiVersion).values.sorted { $0.kind < $1.kind }
    }
    return mappings
  }

  /// Reads one group version's resource list into the cache; empty when the server does not
  /// serve that group version (yet).
  private func discover(apiVersion: String) async throws(KubeError) -> [String: ResourceMapping] {
    let reference = ObjectReference(apiVersion: apiVersion, kind: "", name: "")
    let path = ResourcePath.groupVersion(group: reference.group, version: reference.version)
    let response = try await transport.send(HTTPRequest(method: "GET", path: path))
    if response.status == 404 {
      discovery.forget(apiVersion: apiVersion)
      return [:]
    }
    guard response.status == 200 else {
      throw failure(response, subject: "discovery of \(apiVersion)")
    }
    let list = try decode(response, subject: "discovery of \(apiVersion)")
    var kinds: [String: ResourceMapping] = [:]
    for resource in list["resources"]?.arrayValue ?? [] {
      // "deployments/status" and the like are subresources, not kinds of their own.
      guard let name = resource["name"]?.stringValue, !name.contains("/"),
        let kind = resource["kind"]?.stringValue, kinds[kind] == nil
      else { continue }
      kinds[kind] = ResourceMapping(
        group: reference.group, version: reference.version, resource: name, kind: kind,
        namespaced: resource["namespaced"]?.boolValue ?? false)
    }
    discovery.store(apiVersion: apiVersion, kinds: kinds)
    return kinds
  }
}
