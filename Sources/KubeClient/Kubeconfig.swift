public import Foundation

/// Clusters, users and contexts from one or more kubeconfig files, merged as kubectl merges a
/// KUBECONFIG list: the first file to define a name (or set current-context) wins.
public struct Kubeconfig: Sendable {
  public var currentContext: String?
  /// Every context, in the order the files define them.
  public var contextNames: [String]
  /// The files that were read, for messages.
  public private(set) var files: [String]

  var clusters: [String: KubeconfigEntry] = [:]
  var users: [String: KubeconfigEntry] = [:]
  var contexts: [String: KubeconfigEntry] = [:]

  /// Missing files are skipped, as kubectl skips them; at least one must exist.
  public static func load(paths: [String]) throws(KubeError) -> Kubeconfig {
    var parsed: [KubeconfigFile] = []
    for path in paths where !path.isEmpty {
      if let file = try KubeconfigFile.read(path) { parsed.append(file) }
    }
    guard !parsed.isEmpty else {
      throw .badConfig("no kubeconfig file found at \(paths.joined(separator: ", "))")
    }
    return Kubeconfig(merging: parsed)
  }

  /// `$KUBECONFIG` (a colon-separated list) or `~/.kube/config`.
  public static func loadDefault(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(KubeError) -> Kubeconfig {
    if let list = environment["KUBECONFIG"], !list.isEmpty {
      return try load(paths: list.split(separator: ":").map(String.init))
    }
    let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    return try load(paths: [home + "/.kube/config"])
  }

  init(merging files: [KubeconfigFile]) {
    self.files = files.map(\.path)
    currentContext = files.lazy.compactMap(\.currentContext).first
    contextNames = []
    for file in files {
      for (name, entry) in file.clusters where clusters[name] == nil { clusters[name] = entry }
      for (name, entry) in file.users where users[name] == nil { users[name] = entry }
      for (name, entry) in file.contexts where contexts[name] == nil {
        contexts[name] = entry
        contextNames.append(name)
      }
    }
  }

  /// The files as one phrase for messages: "/a/config" or "/a/config, /b/config".
  var fileList: String { files.joined(separator: ", ") }
}
