internal import Foundation
import Model

/// `replacements`, run after a kustomization's other transformers: each entry in turn reads its
/// source value, then writes it into every selected target's fields, as kustomize v5 does.
enum Replacements {
  static func apply(_ replacements: [Replacement], to resources: inout [KustomizeResource])
    throws(RenderError)
  {
    for replacement in replacements {
      let source = try sourceValue(replacement, in: resources)
      for target in replacement.targets {
        for index in resources.indices where selected(resources[index], by: target) {
          do {
            try write(source, into: &resources[index].object, target)
          } catch {
            throw RenderError(
              file: replacement.file, line: replacement.line, object: resources[index].label,
              message: error.message)
          }
        }
      }
    }
  }

  /// The value a replacement copies, and its text as kustomize copies it into a scalar: the
  /// text it was written with (`1.10`, `0777`), where the object still holds that value.
  struct SourceValue {
    var value: Value
    var text: String
  }

  /// A failure in a target's fields, worded as kustomize words it.
  struct FieldError: Error {
    var message: String
    /// Whether the field path could not be followed (rather than the value not be written).
    var inPath = true
  }

  private static func sourceValue(_ replacement: Replacement, in resources: [KustomizeResource])
    throws(RenderError) -> SourceValue
  {
    let source = replacement.source
    func fail(_ message: String) -> RenderError {
      RenderError(file: replacement.file, line: replacement.line, message: message)
    }
    var written = source.selector.description
    if let fieldPath = source.fieldPath { written += ":" + fieldPath }
    let matches = resources.filter { Self.matches($0, source.selector) }
    guard matches.count <= 1 else {
      throw fail(
        "multiple matches for selector \(written) (\(matches.map(\.label).joined(separator: ", ")))"
      )
    }
    guard let resource = matches.first else { throw fail("nothing selected by \(written)") }
    let fieldPath = source.fieldPath.flatMap { $0.isEmpty ? nil : $0 } ?? "metadata.name"
    var path: [String] = []
    guard let value = lookup(FieldPath.split(fieldPath)[...], in: resource.object, at: &path),
      !isNilOrEmpty(value)
    else {
      throw fail(
        "fieldPath `\(fieldPath)` is missing for replacement source \(source.selector.description)")
    }
    var text = value.scalarText
    if let written = resource.writtenText?.sourceText(at: path),
      ScalarRules.kustomize.resolvePlain(written) == value
    {
      text = written
    }
    guard !source.options.delimiter.isEmpty else { return SourceValue(value: value, text: text) }
    guard isScalar(value) else { throw fail("delimiter option can only be used with scalar nodes") }
    let parts = text.components(separatedBy: source.options.delimiter)
    guard parts.indices.contains(source.options.index) else {
      throw fail("options.index \(source.options.index) is out of bounds for value \(text)")
    }
    let part = parts[source.options.index]
    return SourceValue(value: .string(part), text: part)
  }

  private static func isNilOrEmpty(_ value: Value) -> Bool {
    switch value {
    case .null: true
    case .array(let items): items.isEmpty
    case .object(let fields): fields.isEmpty
    default: false
    }
  }

  private static func isScalar(_ value: Value) -> Bool {
    switch value {
    case .array, .object: false
    default: true
    }
  }

  // MARK: - Selection

  /// Whether the object, under its current or an earlier name, namespace or kind, is selected.
  private static func matches(_ resource: KustomizeResource, _ selector: Replacement.Selector)
    -> Bool
  {
    let id = resource.id
    func wanted(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
    if let group = wanted(selector.group), group != id.group { return false }
    if let version = wanted(selector.version), version != id.version { return false }
    if let kind = wanted(selector.kind), !([id.kind] + resource.previousKinds).contains(kind) {
      return false
    }
    if let name = wanted(selector.name), !resource.allNames.contains(name) { return false }
    if let namespace = wanted(selector.namespace) {
      // Kustomize compares effective namespaces: none is `default`, cluster-wide kinds have none.
      func effective(_ namespace: String?) -> String {
        if ClusterScope.isClusterScoped(id) { return "_non_namespaceable_" }
        return namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
      }
      let selectorScoped = ClusterScope.isClusterScoped(
        ObjectIdentity(
          group: selector.group ?? "", version: selector.version ?? "", kind: selector.kind ?? "",
          name: ""))
      let wantedNamespace = selectorScoped ? "_non_namespaceable_" : effective(namespace)
      guard resource.allNamespaces.contains(where: { effective($0) == wantedNamespace }) else {
        return false
      }
    }
    return true
  }

  private static func labelsMatch(_ resource: KustomizeResource, _ selector: Replacement.Selector)
    -> Bool
  {
    func map(_ key: String) -> [String: String] {
      var result: [String: String] = [:]
      for (name, value) in resource.object[path: ["metadata", key]]?.objectValue ?? [:] {
        if let text = value.stringValue { result[name] = text }
      }
      return result
    }
    return (selector.labelSelector?.matches(map("labels")) ?? true)
      && (selector.annotationSelector?.matches(map("annotations")) ?? true)
  }

  private static func selected(_ resource: KustomizeResource, by target: Replacement.Target)
    -> Bool
  {
    guard labelsMatch(resource, target.select), matches(resource, target.select) else {
      return false
    }
    for reject in target.reject {
      let byLabels = reject.labelSelector != nil || reject.annotationSelector != nil
      if byLabels && labelsMatch(resource, reject) { return false }
      if reject.selectsByID && matches(resource, reject) { return false }
    }
    return true
  }

  // MARK: - Fields

  /// The source's field: keys, list indices and `[key=value]` list entries, each exact.
  /// `found`: the keys and indices on the way to the field.
  private static func lookup(
    _ path: ArraySlice<String>, in value: Value, at found: inout [String]
  ) -> Value? {
    guard let part = path.first else { return value }
    switch value {
    case .object(let fields):
      guard FieldPath.entrySelector(part) == nil, let child = fields[part] else { return nil }
      found.append(part)
      return lookup(path.dropFirst(), in: child, at: &found)
    case .array(let items):
      var index = Int(part).flatMap { items.indices.contains($0) ? $0 : nil }
      if index == nil, let (key, wanted) = FieldPath.entrySelector(part) {
        index = items.firstIndex {
          key.isEmpty ? $0.scalarText == wanted : $0[key]?.scalarText == wanted
        }
      }
      guard let index else { return nil }
      found.append(String(index))
      return lookup(path.dropFirst(), in: items[index], at: &found)
    default:
      return nil
    }
  }

  private static func write(
    _ source: SourceValue, into object: inout Value, _ target: Replacement.Target
  ) throws(FieldError) {
    let paths = target.fieldPaths.isEmpty ? ["metadata.name"] : target.fieldPaths
    for fieldPath in paths {
      let create = target.options.create
      let missing =
        create
        ? "unable to find or create field \"\(fieldPath)\" in replacement target"
        : "unable to find field \"\(fieldPath)\" in replacement target"
      var count = 0
      do {
        // `Value` is nil-literal expressible: spell out "no value" so it is not `.null`.
        let made: Value? = create ? source.value : Optional<Value>.none
        count = try visit(&object, FieldPath.split(fieldPath)[...], create: made) {
          field throws(FieldError) in
          try set(&field, to: source, options: target.options)
        }
      } catch  where error.inPath {
        throw FieldError(message: missing + ": " + error.message)
      }
      guard count > 0 else { throw FieldError(message: missing) }
    }
  }

  /// Calls `body` on every field the path matches (`*` every list entry, `[key=pattern]` the
  /// entries whose key matches the pattern anywhere, as kustomize's regular expressions do);
  /// with `create` (the value to be written), missing fields are made. Returns how many matched.
  private static func visit(
    _ value: inout Value, _ path: ArraySlice<String>, create: Value?,
    _ body: (inout Value) throws(FieldError) -> Void
  ) throws(FieldError) -> Int {
    guard let part = path.first else {
      try body(&value)
      return 1
    }
    let rest = path.dropFirst()
    if let index = Int(part), index >= 0 {
      guard case .array(var items) = value else {
        throw FieldError(message: "wrong node kind: expected a list at \(part)")
      }
      if index == items.count, let create {
        items.append(emptyNode(before: rest.first, value: create))
      }
      guard items.indices.contains(index) else {
        throw FieldError(
          message: "index \(index) specified but only \(items.count) elements found")
      }
      let count = try visit(&items[index], rest, create: create, body)
      value = .array(items)
      return count
    }
    if part == "*" {
      guard case .array(var items) = value else {
        throw FieldError(message: "wrong node kind: expected a list at *")
      }
      var count = 0
      for index in items.indices { count += try visit(&items[index], rest, create: create, body) }
      value = .array(items)
      return count
    }
    if let (key, pattern) = FieldPath.entrySelector(part) {
      guard case .array(var items) = value else {
        throw FieldError(message: "wrong node kind: expected a list at \(part)")
      }
      let regex: NSRegularExpression
      do { regex = try NSRegularExpression(pattern: pattern) } catch {
        throw FieldError(message: "invalid pattern \(pattern) in \(part)")
      }
      func matches(_ item: Value) -> Bool {
        let field = key.isEmpty ? item : item[key]
        guard let field, !field.isNull else { return false }
        let text = field.scalarText.trimmingCharacters(in: .whitespaces)
        return regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
      }
      var count = 0
      for index in items.indices where matches(items[index]) {
        count +=
          key.isEmpty
          ? try visit(&items[index], [], create: create, body)
          : try visit(&items[index], rest, create: create, body)
      }
      if count == 0, create != nil {
        items.append(key.isEmpty ? .string(pattern) : .object([key: .string(pattern)]))
        value = .array(items)
        return try visit(&value, path, create: create, body)
      }
      value = .array(items)
      return count
    }
    guard case .object(var fields) = value else {
      guard create != nil, value.isNull else { return 0 }
      value = .emptyObject
      return try visit(&value, path, create: create, body)
    }
    var child: Value
    if let existing = fields[part] {
      child = existing
    } else if let create {
      child = emptyNode(before: rest.first, value: create)
    } else {
      return 0
    }
    let count = try visit(&child, rest, create: create, body)
    fields[part] = child
    value = .object(fields)
    return count
  }

  /// A field made on the way: a list before an index or an entry selector, a map before a key,
  /// and, at the end, a node of the written value's kind (marked as made, so it takes the value).
  private static func emptyNode(before next: String?, value: Value) -> Value {
    guard let next else {
      switch value {
      case .array: return .array([])
      case .object: return .emptyObject
      default: return .string(createdMarker)
      }
    }
    if Int(next) != nil || next == "*" || FieldPath.entrySelector(next) != nil {
      return .array([])
    }
    return .emptyObject
  }

  /// Stands for a scalar field just made, which has no type of its own yet.
  private static let createdMarker = "\u{0}wavesync-created\u{0}"

  /// Writes the value into a target field: a scalar keeps its own type (a number stays a number,
  /// a string a string), as kustomize copies only the text; a list or map is replaced.
  private static func set(
    _ field: inout Value, to source: SourceValue, options: Replacement.Options
  ) throws(FieldError) {
    var value = source.value
    var text = source.text
    if !options.delimiter.isEmpty {
      guard isScalar(field) else {
        throw FieldError(
          message: "delimiter option can only be used with scalar nodes", inPath: false)
      }
      var parts =
        field == .string(createdMarker)
        ? [""] : field.scalarText.components(separatedBy: options.delimiter)
      if options.index < 0 {
        parts.insert(text, at: 0)
      } else if options.index >= parts.count {
        parts.append(text)
      } else {
        parts[options.index] = text
      }
      text = parts.joined(separator: options.delimiter)
      value = .string(text)
    }
    switch field {
    case .string(createdMarker):
      // A new scalar is written plain, so YAML reads its text afresh.
      field = isScalar(value) ? ScalarRules.kustomize.resolvePlain(text) : value
    case .string: field = .string(text)
    case .int, .uint, .double:
      let number = ScalarRules.kustomize.resolvePlain(text)
      switch number {
      case .int, .uint, .double: field = number
      default:
        throw FieldError(message: "cannot write `\(text)` into a number field", inPath: false)
      }
    case .bool:
      guard case .bool(let flag) = ScalarRules.kustomize.resolvePlain(text) else {
        throw FieldError(message: "cannot write `\(text)` into a boolean field", inPath: false)
      }
      field = .bool(flag)
    case .null: field = value
    case .array, .object: field = value
    }
  }
}

/// Field paths as kustomize's replacements write them: keys between dots, `\.` a dot inside a
/// key, `[a.b]` a key with dots, `[key=value]` a list entry, numbers list indices.
enum FieldPath {
  static func split(_ path: String) -> [String] {
    let parts = FieldSpec.segments(of: path, separator: ".")
    // Brackets keep their dots: `[a.b]` is the key `a.b`, `[k=v.w]` an entry selector.
    var result: [String] = []
    var index = 0
    while index < parts.count {
      let part = parts[index]
      guard part.hasPrefix("["), !part.hasSuffix("]") else {
        result.append(part)
        index += 1
        continue
      }
      var bracketed = [part]
      while index < parts.count - 1 {
        index += 1
        bracketed.append(parts[index])
        if parts[index].hasSuffix("]") { break }
      }
      index += 1
      let joined = bracketed.joined(separator: ".")
      result.append(
        joined.contains("=")
          ? joined : joined.trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
    }
    return result.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
  }

  /// `[key=value]`: the key (empty for a list of scalars) and the value.
  static func entrySelector(_ part: String) -> (key: String, value: String)? {
    guard part.hasPrefix("["), part.hasSuffix("]"), let equals = part.firstIndex(of: "=") else {
      return nil
    }
    let key = part[part.index(after: part.startIndex)..<equals]
    let value = part[part.index(after: equals)..<part.index(before: part.endIndex)]
    return (String(key), String(value))
  }
}
