import Foundation
public import Model

extension KubeClient {
  /// PUT: replaces the object (or, with `subresource` "status", only its status). Conditional on
  /// the object's metadata.resourceVersion: a `.conflict` when someone wrote it since.
  public func replace(_ object: Value, subresource: String? = nil) async throws(KubeError)
    -> Value
  {
    let id = try ObjectReference(of: object)
    let mapping = try await mapping(apiVersion: id.apiVersion, kind: id.kind)
    let path = ResourcePath.path(
      mapping, namespace: namespace(of: id, mapping), name: id.name, subresource: subresource)
    return try await self.object(
      HTTPRequest(
        method: "PUT", path: path, body: Data(JSON.encode(object).utf8),
        contentType: "application/json"),
      subject: subresource.map { "\(id) \($0)" } ?? id.description)
  }
}
