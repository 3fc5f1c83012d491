import Model

/// Reading and changing a document at a JSON pointer, for the JSON patch operations.
extension Value {
  /// The value the pointer refers to, nil when it does not exist.
  func value(at pointer: JSONPointer) -> Value? {
    var current = self
    for token in pointer.tokens {
      switch current {
      case .object(let fields):
        guard let child = fields[token] else { return nil }
        current = child
      case .array(let items):
        guard let index = try? ArrayIndex.existing(token, count: items.count) else { return nil }
        current = items[index]
      default:
        return nil
      }
    }
    return current
  }

  /// Adds a member, inserts an element or appends (`-`); an existing member is overwritten.
  mutating func add(_ value: Value, at pointer: JSONPointer) throws(JSONPatchFailure) {
    try editParent(of: pointer) {
      (container: inout Value, token: String) throws(JSONPatchFailure) in
      switch container {
      case .object(var fields):
        fields[token] = value
        container = .object(fields)
      case .array(var items):
        items.insert(value, at: try ArrayIndex.insertion(token, count: items.count))
        container = .array(items)
      default:
        throw Self.notAContainer(container)
      }
    }
  }

  /// Removes and returns the member or element the pointer refers to.
  @discardableResult
  mutating func remove(at pointer: JSONPointer) throws(JSONPatchFailure) -> Value {
    var removed = Value.null
    try editParent(of: pointer) {
      (container: inout Value, token: String) throws(JSONPatchFailure) in
      switch container {
      case .object(var fields):
        guard let value = fields.removeValue(forKey: token) else {
          throw JSONPatchFailure(reason: "path does not exist")
        }
        removed = value
        container = .object(fields)
      case .array(var items):
        removed = items.remove(at: try ArrayIndex.existing(token, count: items.count))
        container = .array(items)
      default:
        throw Self.notAContainer(container)
      }
    }
    return removed
  }

  /// Replaces the element or member the pointer refers to. Like kustomize, a missing member of
  /// an existing mapping is added rather than refused.
  mutating func replace(at pointer: JSONPointer, with value: Value) throws(JSONPatchFailure) {
    try editParent(of: pointer) {
      (container: inout Value, token: String) throws(JSONPatchFailure) in
      switch container {
      case .object(var fields):
        fields[token] = value
        container = .object(fields)
      case .array(var items):
        items[try ArrayIndex.existing(token, count: items.count)] = value
        container = .array(items)
      default:
        throw Self.notAContainer(container)
      }
    }
  }

  /// Walks to the mapping or list holding the pointer's last token and lets `edit` change it.
  /// The root itself cannot be edited, as in kustomize.
  private mutating func editParent(
    of pointer: JSONPointer,
    _ edit: (inout Value, String) throws(JSONPatchFailure) -> Void
  ) throws(JSONPatchFailure) {
    guard let last = pointer.tokens.last else {
      throw JSONPatchFailure(reason: "the whole document cannot be the target")
    }
    try editDescendant(pointer.tokens.dropLast()) {
      (parent: inout Value) throws(JSONPatchFailure) in
      try edit(&parent, last)
    }
  }

  private mutating func editDescendant(
    _ tokens: ArraySlice<String>, _ edit: (inout Value) throws(JSONPatchFailure) -> Void
  ) throws(JSONPatchFailure) {
    guard let token = tokens.first else {
      try edit(&self)
      return
    }
    switch self {
    case .object(var fields):
      guard var child = fields[token] else { throw JSONPatchFailure(reason: "path does not exist") }
      try child.editDescendant(tokens.dropFirst(), edit)
      fields[token] = child
      self = .object(fields)
    case .array(var items):
      let index: Int
      do {
        index = try ArrayIndex.existing(token, count: items.count)
      } catch {
        throw JSONPatchFailure(reason: "path does not exist (\(error.reason))")
      }
      try items[index].editDescendant(tokens.dropFirst(), edit)
      self = .array(items)
    default:
      throw JSONPatchFailure(reason: "path does not exist")
    }
  }

  private static func notAContainer(_ value: Value) -> JSONPatchFailure {
    JSONPatchFailure(reason: "path does not exist (its parent is \(value.typeDescription))")
  }
}
