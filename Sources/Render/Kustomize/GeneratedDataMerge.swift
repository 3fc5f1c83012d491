import Model

/// `behavior: merge` and `behavior: replace` of a generator against an object of the same name
/// from a base: merge adds or overrides keys; replace swaps the data for the new data. Either way
/// labels and annotations are merged, and the object keeps its name, namespace and history.
enum GeneratedDataMerge {
  static func apply(
    _ made: KustomizeResource, behavior: GeneratorBehavior, onto existing: inout KustomizeResource
  ) {
    var object = existing.object
    switch behavior {
    case .create:
      return
    case .replace:
      for field in ["data", "binaryData", "type"] { object[field] = made.object[field] }
    case .merge:
      for field in ["data", "binaryData"] {
        guard case .object(let added)? = made.object[field] else { continue }
        var merged = object[field]?.objectValue ?? [:]
        for (key, value) in added { merged[key] = value }
        object[field] = .object(merged)
      }
    }
    for field in ["labels", "annotations"] {
      guard case .object(let added)? = made.object[path: ["metadata", field]] else { continue }
      var merged = object[path: ["metadata", field]]?.objectValue ?? [:]
      for (key, value) in added { merged[key] = value }
      object[path: ["metadata", field]] = .object(merged)
    }
    if let immutable = made.object["immutable"] { object["immutable"] = immutable }
    existing.object = object
    if let mark = made.generator {
      existing.generator = .init(
        behavior: existing.generator?.behavior ?? .create,
        appendHash: (existing.generator?.appendHash ?? false) && mark.appendHash)
    }
  }
}
