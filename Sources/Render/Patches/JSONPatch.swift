public import Model

/// RFC 6902 JSON patches, applied the way `kubectl kustomize` (kustomize v5) applies them.
///
/// Operations run in order; the first that fails stops the patch with an error naming it by its
/// index in the list (from 0), its operation and its path. Beyond the RFC, as in kustomize:
/// negative array indices count from the end, `replace` of a missing member of an existing
/// mapping adds it, a missing `value` is `null`, and `test` and `copy` read a missing member of
/// an existing mapping as `null`. The whole document cannot be the target of a change.
public enum JSONPatch {
  public static func apply(_ operations: Value, to target: Value) throws(PatchError) -> Value {
    guard case .array(let list) = operations else {
      throw PatchError(
        location: "",
        reason: "a JSON patch is a list of operations, not \(operations.typeDescription)")
    }
    var document = target
    for (index, operation) in list.enumerated() {
      let location = describe(operation, index: index)
      do {
        try apply(operation, to: &document)
      } catch {
        throw PatchError(location: location, reason: error.reason)
      }
    }
    return document
  }

  private static func apply(_ operation: Value, to document: inout Value) throws(JSONPatchFailure) {
    guard case .object = operation else {
      throw JSONPatchFailure(reason: "an operation is a mapping, not \(operation.typeDescription)")
    }
    guard let name = operation["op"]?.stringValue else {
      throw JSONPatchFailure(reason: "the operation has no \"op\"")
    }
    let path = try JSONPointer(try field("path", of: operation))
    // Kustomize takes a missing value for null.
    let value = operation["value"] ?? .null

    switch name {
    case "add":
      try document.add(value, at: path)
    case "remove":
      try document.remove(at: path)
    case "replace":
      try document.replace(at: path, with: value)
    case "move":
      let from = try JSONPointer(try field("from", of: operation))
      guard !path.isInside(from) else {
        throw JSONPatchFailure(reason: "cannot move a value into itself")
      }
      let moved = try document.remove(at: from)
      try document.add(moved, at: path)
    case "copy":
      let from = try JSONPointer(try field("from", of: operation))
      // Like kustomize, a missing member of an existing mapping copies as null.
      guard let copied = document.value(at: from) ?? missingMember(of: document, at: from) else {
        throw JSONPatchFailure(reason: "\"from\" path does not exist")
      }
      try document.add(copied, at: path)
    case "test":
      try test(document, at: path, expecting: value)
    default:
      throw JSONPatchFailure(reason: "\"\(name)\" is not an operation")
    }
  }

  private static func test(
    _ document: Value, at path: JSONPointer, expecting expected: Value
  ) throws(JSONPatchFailure) {
    guard let actual = document.value(at: path) else {
      // A missing member tests as null, but a missing parent is an error.
      if expected.isNull, missingMember(of: document, at: path) != nil { return }
      throw JSONPatchFailure(reason: "test failed: path does not exist")
    }
    // The values stay out of the message: the target may be a Secret.
    guard actual.isSemanticallyEqual(to: expected) else {
      throw JSONPatchFailure(reason: "test failed: the value differs")
    }
  }

  /// Null when the pointer names a missing member of a mapping that exists, else nil.
  private static func missingMember(of document: Value, at pointer: JSONPointer) -> Value? {
    guard !pointer.tokens.isEmpty,
      case .object = document.value(at: JSONPointer(tokens: pointer.tokens.dropLast()))
    else { return nil }
    return .null
  }

  private static func field(_ name: String, of operation: Value) throws(JSONPatchFailure) -> String
  {
    guard let text = operation[name]?.stringValue else {
      throw JSONPatchFailure(reason: "the operation has no \"\(name)\" string")
    }
    return text
  }

  /// `op 2 (replace /spec/replicas)`, or less when the operation lacks parts.
  private static func describe(_ operation: Value, index: Int) -> String {
    let parts = [operation["op"]?.stringValue, operation["path"]?.stringValue].compactMap { $0 }
    return parts.isEmpty ? "op \(index)" : "op \(index) (\(parts.joined(separator: " ")))"
  }
}
