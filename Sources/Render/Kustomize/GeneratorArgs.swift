import Model
internal import OrderedCollections

enum GeneratorBehavior: String, Sendable { case create, merge, replace }

/// `generatorOptions`, at the top of a kustomization or on one generator (which wins).
struct GeneratorOptions: Sendable {
  var labels: OrderedDictionary<String, String> = [:]
  var annotations: OrderedDictionary<String, String> = [:]
  var disableNameSuffixHash: Bool?
  var immutable: Bool?

  /// These options over `defaults`: maps merge, set flags win.
  func over(_ defaults: GeneratorOptions) -> GeneratorOptions {
    var merged = defaults
    for (key, value) in labels { merged.labels[key] = value }
    for (key, value) in annotations { merged.annotations[key] = value }
    // A kustomization-wide `disableNameSuffixHash: true` cannot be turned back on per generator.
    merged.disableNameSuffixHash =
      defaults.disableNameSuffixHash == true
      ? true : disableNameSuffixHash ?? defaults.disableNameSuffixHash
    merged.immutable = immutable ?? defaults.immutable
    return merged
  }
}

/// One entry of `configMapGenerator` or `secretGenerator`.
struct GeneratorArgs: Sendable {
  var name: String
  var namespace: String?
  var behavior: GeneratorBehavior
  var literals: [String]
  var files: [String]
  var envs: [String]
  /// A Secret's type; `nil` for ConfigMaps.
  var type: String?
  var options: GeneratorOptions
  var kustomizationFile: String
  var line: Int
}
