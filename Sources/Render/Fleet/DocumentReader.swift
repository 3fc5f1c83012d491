import Model
internal import OrderedCollections

/// Typed access to the fields of one YAML document, with errors that name the file, the line
/// and the field: `sites/paris.yaml:7: spec.link.downlink: expected a rate like 20Mbps`.
struct DocumentReader {
  let file: String
  let document: YAMLDocument

  /// Parses a file holding exactly one document, with the rules of plain manifests.
  static func single(_ text: String, file: String) throws(RenderError) -> DocumentReader {
    let documents = try RenderError.documents(text, file: file, rules: .kubectl)
    guard documents.count == 1 else {
      throw RenderError(
        file: file, line: documents.count > 1 ? documents[1].line : 1,
        message: "expected exactly one YAML document, found \(documents.count)")
    }
    return DocumentReader(file: file, document: documents[0])
  }

  var root: Value { document.value }

  func fail(_ pointer: String, _ message: String) -> RenderError {
    let field = pointer.split(separator: "/").joined(separator: ".")
    return RenderError(
      file: file, line: line(of: pointer), message: field.isEmpty ? message : "\(field): \(message)"
    )
  }

  /// The line of the field, or of the nearest enclosing one that has a line.
  func line(of pointer: String) -> Int {
    var current = pointer
    while !current.isEmpty {
      if let line = document.line(at: current) { return line }
      current = String(current[..<(current.lastIndex(of: "/") ?? current.startIndex)])
    }
    return document.line
  }

  func value(_ pointer: String) -> Value? {
    var current: Value? = root
    for key in pointer.split(separator: "/") {
      if let index = Int(key), case .array(let items)? = current {
        current = items.indices.contains(index) ? items[index] : nil
      } else {
        current = current?[String(key)]
      }
    }
    // Null means unset, as in Kubernetes manifests. (Not `flatMap { $0.isNull ? nil : $0 }`:
    // Value takes `nil` as a literal, so that keeps `.null`.)
    guard let current, !current.isNull else { return nil }
    return current
  }

  func expectKind(_ kind: String) throws(RenderError) {
    guard value("/apiVersion")?.stringValue == "wavesync.io/v1alpha1" else {
      throw fail("/apiVersion", "expected apiVersion wavesync.io/v1alpha1")
    }
    guard value("/kind")?.stringValue == kind else { throw fail("/kind", "expected kind \(kind)") }
  }

  func onlyFields(_ pointer: String, _ allowed: [String]) throws(RenderError) {
    guard let object = value(pointer) else { return }
    guard case .object(let entries) = object else {
      throw fail(pointer, "expected a mapping, found \(object.typeDescription)")
    }
    for key in entries.keys where !allowed.contains(key) {
      throw fail(
        pointer + "/" + key, "unknown field (expected one of: \(allowed.joined(separator: ", ")))")
    }
  }

  func string(_ pointer: String) throws(RenderError) -> String? {
    guard let v = value(pointer) else { return nil }
    guard let s = v.stringValue else {
      throw fail(pointer, "expected a string, found \(v.typeDescription)")
    }
    return s
  }

  func requiredString(_ pointer: String) throws(RenderError) -> String {
    guard let s = try string(pointer), !s.isEmpty else { throw fail(pointer, "is required") }
    return s
  }

  func bool(_ pointer: String) throws(RenderError) -> Bool? {
    guard let v = value(pointer) else { return nil }
    guard let b = v.boolValue else {
      throw fail(pointer, "expected true or false, found \(v.typeDescription)")
    }
    return b
  }

  func list(_ pointer: String) throws(RenderError) -> [Value] {
    guard let v = value(pointer) else { return [] }
    guard let items = v.arrayValue else {
      throw fail(pointer, "expected a list, found \(v.typeDescription)")
    }
    return items
  }

  /// A map of strings; numbers and booleans are refused, since their text is ambiguous.
  func stringMap(_ pointer: String) throws(RenderError) -> OrderedDictionary<String, String> {
    guard let v = value(pointer) else { return [:] }
    guard case .object(let entries) = v else {
      throw fail(pointer, "expected a mapping, found \(v.typeDescription)")
    }
    var result: OrderedDictionary<String, String> = [:]
    for (key, item) in entries {
      guard let s = item.stringValue else {
        throw fail(
          pointer + "/" + key, "expected a string, found \(item.typeDescription) (quote it)")
      }
      result[key] = s
    }
    return result
  }

  func selector(_ pointer: String) throws(RenderError) -> LabelSelector {
    guard let v = value(pointer) else { return .everything }
    do { return try LabelSelector(value: v) } catch { throw fail(pointer, error.description) }
  }

  /// A Go duration in seconds. One longer than Go allows is refused here, where it is written,
  /// rather than overflowing wherever it is used later.
  func duration(_ pointer: String, like example: String) throws(RenderError) -> Double? {
    if let text = value(pointer)?.stringValue, GoDuration.isTooLong(text) {
      throw fail(pointer, "duration \(text) is too long (at most \(GoDuration.maxText))")
    }
    return try parse(pointer, "a duration like \(example)", GoDuration.seconds)
  }

  func parse<T>(_ pointer: String, _ what: String, _ parser: (String) -> T?) throws(RenderError)
    -> T?
  {
    guard let v = value(pointer) else { return nil }
    let text: String
    switch v {
    case .string(let s): text = s
    case .int(let i): text = String(i)
    default: throw fail(pointer, "expected \(what), found \(v.typeDescription)")
    }
    guard let parsed = parser(text) else {
      throw fail(pointer, "expected \(what), found \"\(text)\"")
    }
    return parsed
  }
}
