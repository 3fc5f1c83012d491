import Model

/// Mapping fields written with no value at all (`paused:`). Kustomize keeps them as null until a
/// strategic merge patch touches the object; from then on they are gone, anywhere in it. A
/// field written `null` or `~` stays.
enum WrittenEmptyFields {
  /// The paths (keys, and list indices as text) of such fields in the object of `document` found
  /// at `path`.
  static func paths(in value: Value, of document: YAMLDocument, at path: [String] = [])
    -> [[String]]
  {
    switch value {
    case .null:
      return path.isEmpty || document.sourceText(at: path) != "" ? [] : [path]
    case .object(let fields):
      return fields.flatMap { key, child in paths(in: child, of: document, at: path + [key]) }
    case .array(let items):
      return items.enumerated().flatMap { index, child in
        paths(in: child, of: document, at: path + [String(index)])
      }
    default:
      return []
    }
  }

  /// The object without the mapping fields at `paths` that are still null.
  static func removing(_ paths: [[String]], from object: Value) -> Value {
    paths.reduce(object) { value, path in removing(path[...], from: value) }
  }

  private static func removing(_ path: ArraySlice<String>, from value: Value) -> Value {
    guard let first = path.first else { return value }
    switch value {
    case .object(var fields):
      guard let child = fields[first] else { return value }
      if path.count == 1 {
        if child.isNull { fields.removeValue(forKey: first) }
      } else {
        fields[first] = removing(path.dropFirst(), from: child)
      }
      return .object(fields)
    case .array(var items):
      guard let index = Int(first), items.indices.contains(index), path.count > 1 else {
        return value
      }
      items[index] = removing(path.dropFirst(), from: items[index])
      return .array(items)
    default:
      return value
    }
  }
}
