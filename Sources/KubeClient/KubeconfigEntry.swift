import Foundation
import Model

/// One named cluster, user or context of a kubeconfig, with the file it came from: relative
/// paths resolve against that file's folder and messages name it.
struct KubeconfigEntry: Sendable {
  /// The inner mapping (`cluster:`, `user:` or `context:`).
  var fields: Value
  var file: String
  /// `users["alice"].user`: where the mapping sits, for messages.
  var location: String

  func string(_ key: String) throws(KubeError) -> String? {
    guard let value = fields[key], !value.isNull else { return nil }
    guard let text = value.stringValue else {
      throw .badConfig(
        "\(file): \(location).\(key) must be a string, found \(value.typeDescription)")
    }
    return text.isEmpty ? nil : text
  }

  func bool(_ key: String) throws(KubeError) -> Bool {
    guard let value = fields[key], !value.isNull else { return false }
    guard let flag = value.boolValue else {
      throw .badConfig(
        "\(file): \(location).\(key) must be a boolean, found \(value.typeDescription)")
    }
    return flag
  }

  /// A `*-data` field, base64 as kubeconfigs store it.
  func base64(_ key: String) throws(KubeError) -> Data? {
    guard let text = try string(key) else { return nil }
    guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
      throw .badConfig("\(file): \(location).\(key) is not valid base64")
    }
    return data
  }

  /// A `*-data` field if set (it wins, as in kubectl), else the file its sibling names.
  func data(inline: String, file: String) throws(KubeError) -> Data? {
    if let data = try base64(inline) { return data }
    return try referencedFile(file)
  }

  /// The contents of the file a path field names, relative to this kubeconfig's folder.
  func referencedFile(_ key: String) throws(KubeError) -> Data? {
    guard let path = try string(key) else { return nil }
    let resolved = resolve(path)
    guard let data = FileManager.default.contents(atPath: resolved) else {
      throw .badConfig("\(file): \(location).\(key): cannot read \(resolved)")
    }
    return data
  }

  func resolve(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    let folder = URL(fileURLWithPath: file).deletingLastPathComponent()
    return folder.appendingPathComponent(path).standardizedFileURL.path
  }
}
