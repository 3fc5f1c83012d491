import Model

/// A field of certain kinds that a transformer reads or writes, e.g. `spec/selector/matchLabels`
/// of `apps` Deployments. Lists on the way are walked element by element, as kustomize does.
struct FieldSpec: Sendable {
  var group: String?
  var version: String?
  var kind: String?
  var path: [String]
  /// Whether missing maps on the way (and the field itself) are created.
  var create: Bool

  /// Fields written `name[]`: lists, which are walked when present but never created.
  var lists: Set<String>

  init(
    _ path: String, kind: String? = nil, group: String? = nil, version: String? = nil,
    create: Bool = false
  ) {
    let segments = Self.segments(of: path)
    self.path = segments.map { $0.hasSuffix("[]") ? String($0.dropLast(2)) : $0 }
    self.lists = Set(segments.filter { $0.hasSuffix("[]") }.map { String($0.dropLast(2)) })
    self.kind = kind
    self.group = group
    self.version = version
    self.create = create
  }

  /// The same path of the same group, version and kind (unset matching empty).
  func sameField(as other: FieldSpec) -> Bool {
    path == other.path && lists == other.lists && (group ?? "") == (other.group ?? "")
      && (version ?? "") == (other.version ?? "") && (kind ?? "") == (other.kind ?? "")
  }

  /// The keys of a path; `\/` is a slash inside a key (an annotation name), as kustomize writes it
  /// (and `\.` a dot, in the dotted paths of replacements).
  static func segments(of path: String, separator: Character = "/") -> [String] {
    var segments: [String] = []
    var current = ""
    var escaped = false
    for character in path {
      if escaped {
        current.append(character)
        escaped = false
      } else if character == "\\" {
        escaped = true
      } else if character == separator {
        if !current.isEmpty { segments.append(current) }
        current = ""
      } else {
        current.append(character)
      }
    }
    if !current.isEmpty { segments.append(current) }
    return segments
  }

  func applies(to id: ObjectIdentity) -> Bool {
    (kind == nil || kind == id.kind) && (group == nil || group == id.group)
      && (version == nil || version == id.version)
  }

  /// Calls `body` with every value at this path in `object`; `body` may change it in place.
  /// With `create`, missing maps are created and `body` sees `nil` for a missing leaf.
  func visit(_ object: inout Value, _ body: (inout Value?) throws(RenderError) -> Void)
    throws(RenderError)
  {
    try Self.visit(&object, path[...], create: create, lists: lists, body)
  }

  private static func visit(
    _ value: inout Value, _ path: ArraySlice<String>, create: Bool, lists: Set<String>,
    _ body: (inout Value?) throws(RenderError) -> Void
  ) throws(RenderError) {
    guard let key = path.first else { return }
    if case .array(var items) = value {
      for index in items.indices {
        try visit(&items[index], path, create: create, lists: lists, body)
      }
      value = .array(items)
      return
    }
    guard case .object(var entries) = value else { return }
    if path.count == 1 {
      var leaf = entries[key]
      if leaf == nil && !create { return }
      if leaf == .null && !create { return }
      try body(&leaf)
      entries[key] = leaf
      value = .object(entries)
      return
    }
    var child: Value
    switch entries[key] {
    case nil, .null?:
      guard create, !lists.contains(key) else { return }
      child = .emptyObject
    case let existing?:
      child = existing
    }
    try visit(&child, path.dropFirst(), create: create, lists: lists, body)
    entries[key] = child
    value = .object(entries)
  }
}

extension Array where Element == FieldSpec {
  /// These specs, then those of `defaults` not already here (same path and kind), as kustomize
  /// merges them; the same field with a different `create` is an error.
  func merging(_ defaults: [FieldSpec]) throws(FieldSpecConflict) -> [FieldSpec] {
    var result = self
    for spec in defaults {
      if let existing = result.first(where: { $0.sameField(as: spec) }) {
        guard existing.create == spec.create else { throw FieldSpecConflict(path: spec.path) }
        continue
      }
      result.append(spec)
    }
    return result
  }

  /// Visits every spec of this list that applies to the object's kind.
  func visit(
    _ object: inout Value, id: ObjectIdentity, _ body: (inout Value?) throws(RenderError) -> Void
  ) throws(RenderError) {
    for spec in self where spec.applies(to: id) { try spec.visit(&object, body) }
  }
}

/// Two specs of one field that disagree on whether to create it.
struct FieldSpecConflict: Error {
  let path: [String]

  /// As kustomize words it, with the field.
  var message: String {
    "conflicting fieldspecs: \(path.joined(separator: "/")) is given with and without create"
  }
}
