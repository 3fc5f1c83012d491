internal import Foundation
import Model
internal import OrderedCollections

/// Makes the ConfigMaps and Secrets of `configMapGenerator` / `secretGenerator` as kustomize does:
/// env files first, then literals, then files; UTF-8 file contents go to `data`, others to
/// `binaryData`; Secret values are base64-encoded.
struct ConfigDataGenerator {
  /// Reads a file relative to the kustomization's directory.
  let readFile: (String) throws(RenderError) -> Data

  func make(_ args: GeneratorArgs, isSecret: Bool, defaults: GeneratorOptions) throws(RenderError)
    -> KustomizeResource
  {
    let options = args.options.over(defaults)
    var text: OrderedDictionary<String, String> = [:]
    var binary: OrderedDictionary<String, String> = [:]
    func add(_ key: String, _ value: String?, binaryData: Data? = nil) throws(RenderError) {
      guard text[key] == nil && binary[key] == nil else {
        throw fail(args, "key \"\(key)\" is defined more than once in \(args.name)")
      }
      if let value {
        text[key] = value
      } else if let binaryData {
        binary[key] = binaryData.base64EncodedString()
      }
    }
    for path in args.envs {
      let data = try readFile(path)
      guard let content = String(data: data, encoding: .utf8) else {
        throw fail(args, "env file \(path) is not UTF-8 text")
      }
      for (key, value) in try Self.envPairs(content, file: path, args: args) { try add(key, value) }
    }
    for literal in args.literals {
      guard let equals = literal.firstIndex(of: "="), equals != literal.startIndex else {
        throw fail(args, "invalid literal \"\(literal)\" in \(args.name): expected key=value")
      }
      try add(
        String(literal[..<equals]),
        Self.removeQuotes(String(literal[literal.index(after: equals)...])))
    }
    for source in args.files {
      var key = FilePath.lastComponent(of: source)
      var path = source
      if let equals = source.firstIndex(of: "=") {
        key = String(source[..<equals])
        path = String(source[source.index(after: equals)...])
        guard !key.isEmpty, !path.isEmpty else {
          throw fail(args, "invalid file source \"\(source)\" in \(args.name): expected [key=]path")
        }
      }
      let data = try readFile(path)
      if let content = String(data: data, encoding: .utf8) {
        try add(key, content)
      } else {
        try add(key, nil, binaryData: data)
      }
    }

    var object: Value = [
      "apiVersion": "v1", "kind": isSecret ? "Secret" : "ConfigMap",
      "metadata": ["name": .string(args.name)],
    ]
    if let namespace = args.namespace {
      object[path: ["metadata", "namespace"]] = .string(namespace)
    }
    if !options.labels.isEmpty {
      object[path: ["metadata", "labels"]] = .object(options.labels.mapValues { .string($0) })
    }
    if !options.annotations.isEmpty {
      object[path: ["metadata", "annotations"]] = .object(
        options.annotations.mapValues { .string($0) })
    }
    if isSecret {
      object["type"] = .string(args.type ?? "Opaque")
      let encoded = text.mapValues {
        Value.string(Self.wrapped(Data($0.utf8).base64EncodedString()))
      }
      if !encoded.isEmpty || binary.isEmpty { object["data"] = .object(encoded) }
      for (key, value) in binary { object[path: ["data", key]] = .string(Self.wrapped(value)) }
    } else {
      if !text.isEmpty { object["data"] = .object(text.mapValues { .string($0) }) }
      if !binary.isEmpty {
        object["binaryData"] = .object(binary.mapValues { .string(Self.wrapped($0)) })
      }
    }
    if options.immutable == true { object["immutable"] = true }
    var resource = try KustomizeResource(object: object, file: args.kustomizationFile)
    resource.generator = .init(
      behavior: args.behavior, appendHash: options.disableNameSuffixHash != true)
    return resource
  }

  private func fail(_ args: GeneratorArgs, _ message: String) -> RenderError {
    RenderError(file: args.kustomizationFile, line: args.line, message: message)
  }

  /// `KEY=value` lines; blank lines and `#` comments skipped, leading space trimmed, no quote
  /// processing, a line without `=` is an empty value.
  static func envPairs(_ content: String, file: String, args: GeneratorArgs) throws(RenderError)
    -> [(String, String)]
  {
    var pairs: [(String, String)] = []
    var text = Substring(content)
    if text.hasPrefix("\u{FEFF}") { text = text.dropFirst() }
    for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
      var line = rawLine.drop { $0.isWhitespace }
      if line.hasSuffix("\r") { line = line.dropLast() }
      if line.isEmpty || line.first == "#" { continue }
      let key: Substring
      var value = ""
      if let equals = line.firstIndex(of: "=") {
        key = line[..<equals]
        value = String(line[line.index(after: equals)...])
      } else {
        key = line
      }
      // Kustomize checks no syntax here (`export X=1` gives the key "export X"); it skips empty keys.
      if key.isEmpty { continue }
      pairs.append((String(key), value))
    }
    return pairs
  }

  /// Kustomize breaks base64 longer than 70 characters into 70-character lines, each ending in a newline.
  private static func wrapped(_ base64: String) -> String {
    guard base64.count > 70 else { return base64 }
    var lines: [Substring] = []
    var rest = Substring(base64)
    while !rest.isEmpty {
      lines.append(rest.prefix(70))
      rest = rest.dropFirst(70)
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private static func removeQuotes(_ s: String) -> String {
    guard s.count >= 2, let first = s.first, first == s.last, first == "\"" || first == "'" else {
      return s
    }
    return String(s.dropFirst().dropLast())
  }
}
