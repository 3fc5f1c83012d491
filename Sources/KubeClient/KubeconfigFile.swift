import Foundation
import Model

/// One parsed kubeconfig file: its named clusters, users and contexts, in file order.
struct KubeconfigFile: Sendable {
  var path: String
  var currentContext: String?
  var clusters: [(name: String, entry: KubeconfigEntry)] = []
  var users: [(name: String, entry: KubeconfigEntry)] = []
  var contexts: [(name: String, entry: KubeconfigEntry)] = []

  /// nil when the file does not exist: kubectl skips missing entries of a KUBECONFIG list.
  static func read(_ path: String) throws(KubeError) -> KubeconfigFile? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .badConfig("\(path): cannot read the file")
    }
    return try parse(String(decoding: data, as: UTF8.self), path: path)
  }

  static func parse(_ text: String, path: String) throws(KubeError) -> KubeconfigFile {
    let root: Value
    do {
      root = try YAML.value(from: text, file: path, rules: .kubectl)
    } catch {
      throw .badConfig("\(path): not valid YAML: \(error)")
    }
    var file = KubeconfigFile(path: path)
    if root.isNull { return file }
    guard case .object = root else {
      throw .badConfig("\(path): expected a mapping at the top, found \(root.typeDescription)")
    }
    if let current = root["current-context"]?.stringValue, !current.isEmpty {
      file.currentContext = current
    }
    file.clusters = try entries(root, list: "clusters", inner: "cluster", path: path)
    file.users = try entries(root, list: "users", inner: "user", path: path)
    file.contexts = try entries(root, list: "contexts", inner: "context", path: path)
    return file
  }

  private static func entries(
    _ root: Value, list key: String, inner: String, path: String
  ) throws(KubeError) -> [(name: String, entry: KubeconfigEntry)] {
    guard let value = root[key], !value.isNull else { return [] }
    guard let items = value.arrayValue else {
      throw .badConfig("\(path): \(key) must be a list, found \(value.typeDescription)")
    }
    var result: [(name: String, entry: KubeconfigEntry)] = []
    for (index, item) in items.enumerated() {
      guard let name = item["name"]?.stringValue, !name.isEmpty else {
        throw .badConfig("\(path): \(key)[\(index)] has no name")
      }
      let fields = item[inner] ?? .emptyObject
      guard case .object = fields else {
        throw .badConfig(
          "\(path): \(key)[\"\(name)\"].\(inner) must be a mapping, found \(fields.typeDescription)"
        )
      }
      result.append(
        (
          name,
          KubeconfigEntry(fields: fields, file: path, location: "\(key)[\"\(name)\"].\(inner)")
        ))
    }
    return result
  }
}
