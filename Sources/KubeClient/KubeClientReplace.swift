import Foundation
public import Model

extension KubeClient {
  /// PUT: replaces the whole object. With `metadata.resourceVersion` set it is conditional: the
  /// server answers `.conflict` when the object changed since that version was read.
  public func replace(_ object: Value) async throws(KubeError) -> Value {
    let id = try ObjectReference(of: object)
    let mapping = try await mapping(apiVersion: id.apiVersion, kind: id.kind)
    let path = ResourcePath.path(mapping, namespace: namespace(of: id, mapping), name: id.name)
    return try await self.object(
      HTTPRequest(
        method: "PUT", path: path, body: Data(JSON.encode(object).utf8),
        contentType: "application/json"),
      subject: id.description)
  }
}
