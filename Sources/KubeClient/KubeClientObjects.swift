import Foundation
public import Model

extension KubeClient {
  /// The object, or nil when it does not exist.
  public func get(_ id: ObjectReference) async throws(KubeError) -> Value? {
    let mapping = try await mapping(apiVersion: id.apiVersion, kind: id.kind)
    let path = ResourcePath.path(mapping, namespace: namespace(of: id, mapping), name: id.name)
    let response = try await transport.send(HTTPRequest(method: "GET", path: path))
    if response.status == 404 { return nil }
    guard response.status == 200 else { throw failure(response, subject: id.description) }
    return try decode(response, subject: id.description)
  }

  /// Server-side apply: PATCH application/apply-patch+yaml (JSON is YAML) as `fieldManager`.
  /// `force` takes over fields another manager owns; `dryRun` changes nothing.
  public func apply(
    _ object: Value, fieldManager: String, force: Bool = false, dryRun: Bool = false
  ) async throws(KubeError) -> Value {
    let id = try ObjectReference(of: object)
    let mapping = try await mapping(apiVersion: id.apiVersion, kind: id.kind)
    let path =
      ResourcePath.path(mapping, namespace: namespace(of: id, mapping), name: id.name)
      + URLQuery.string([
        ("fieldManager", fieldManager), ("force", force ? "true" : nil),
        ("dryRun", dryRun ? "All" : nil),
      ])
    let body = JSON.encode(scoped(object, mapping))
    return try await self.object(
      HTTPRequest(
        method: "PATCH", path: path, body: Data(body.utf8),
        contentType: HTTPRequest.applyPatchType),
      subject: id.description)
  }

  /// POST to the object's collection.
  public func create(_ object: Value, dryRun: Bool = false) async throws(KubeError) -> Value {
    let id = try ObjectReference(of: object)
    let mapping = try await mapping(apiVersion: id.apiVersion, kind: id.kind)
    let path =
      ResourcePath.path(mapping, namespace: namespace(of: id, mapping))
      + URLQuery.string([("dryRun", dryRun ? "All" : nil)])
    return try await self.object(
      HTTPRequest(
        method: "POST", path: path, body: Data(JSON.encode(scoped(object, mapping)).utf8),
        contentType: "application/json"),
      subject: id.description)
  }

  /// Deletes the object; false when it was already gone.
  public func delete(
    _ id: ObjectReference, propagation: DeletionPropagation = .background
  ) async throws(KubeError) -> Bool {
    let mapping = try await mapping(apiVersion: id.apiVersion, kind: id.kind)
    let path = ResourcePath.path(mapping, namespace: namespace(of: id, mapping), name: id.name)
    let options: Value = [
      "apiVersion": "v1", "kind": "DeleteOptions",
      "propagationPolicy": .string(propagation.rawValue),
    ]
    let response = try await transport.send(
      HTTPRequest(
        method: "DELETE", path: path, body: Data(JSON.encode(options).utf8),
        contentType: "application/json"))
    if response.status == 404 { return false }
    guard (200..<300).contains(response.status) else {
      throw failure(response, subject: id.description)
    }
    return true
  }

  /// A JSON merge patch (RFC 7386) of the object.
  public func patch(_ id: ObjectReference, mergePatch: Value) async throws(KubeError) -> Value {
    try await self.mergePatch(id, subresource: nil, patch: mergePatch)
  }

  /// A JSON merge patch of the status subresource.
  public func patchStatus(_ id: ObjectReference, mergePatch: Value) async throws(KubeError) -> Value
  {
    try await self.mergePatch(id, subresource: "status", patch: mergePatch)
  }

  private func mergePatch(
    _ id: ObjectReference, subresource: String?, patch: Value
  ) async throws(KubeError) -> Value {
    let mapping = try await mapping(apiVersion: id.apiVersion, kind: id.kind)
    let path = ResourcePath.path(
      mapping, namespace: namespace(of: id, mapping), name: id.name, subresource: subresource)
    return try await object(
      HTTPRequest(
        method: "PATCH", path: path, body: Data(JSON.encode(patch).utf8),
        contentType: HTTPRequest.mergePatchType),
      subject: subresource.map { "\(id) \($0)" } ?? id.description)
  }

  /// The namespace in the URL: "default" for a namespaced object that names none (as kubectl
  /// does), none for cluster-scoped kinds.
  func namespace(of id: ObjectReference, _ mapping: ResourceMapping) -> String? {
    mapping.namespaced ? id.namespace ?? "default" : nil
  }

  /// A cluster-scoped object loses a stray metadata.namespace, which the server would reject
  /// as not matching the URL.
  private func scoped(_ object: Value, _ mapping: ResourceMapping) -> Value {
    guard !mapping.namespaced, object[path: ["metadata", "namespace"]] != nil else { return object }
    var object = object
    object[path: ["metadata", "namespace"]] = nil
    return object
  }
}
