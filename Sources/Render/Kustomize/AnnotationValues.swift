import Model
internal import OrderedCollections

/// Kustomize holds annotation values as strings. Read from a file, a value keeps the text it was
/// written with (`0777`, `true`, `~`, `2024-01-31`); set later (by a patch), a number reads as Go
/// prints it. A mapping or list there becomes an empty string, as kubectl prints it.
enum AnnotationValues {
  /// The object of `document` at `path`, with its annotations as written.
  static func asWritten(_ object: Value, in document: YAMLDocument, at path: [String]) -> Value {
    guard case .object(let annotations)? = object[path: ["metadata", "annotations"]] else {
      return object
    }
    var result = object
    result[path: ["metadata", "annotations"]] = .object(
      OrderedDictionary(
        uniqueKeysWithValues: annotations.map { key, value in
          let written = document.sourceText(at: path + ["metadata", "annotations", key])
          return (key, Value.string(written ?? value.scalarText))
        }))
    return result
  }

  /// The object as kustomize prints it: annotations as strings, and none when they are empty or
  /// null.
  static func printed(_ object: Value) -> Value {
    guard let annotations = object[path: ["metadata", "annotations"]] else { return object }
    var result = object
    switch annotations {
    case .object(let entries) where !entries.isEmpty:
      result[path: ["metadata", "annotations"]] = .object(
        entries.mapValues { .string($0.scalarText) })
    case .object, .null:
      result[path: ["metadata", "annotations"]] = nil
    default:
      break
    }
    return result
  }
}
