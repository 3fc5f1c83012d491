import Model

/// What a `$patch` directive asks for.
enum PatchDirective: String, Sendable {
  case merge, replace, delete

  static let key = "$patch"

  init(_ value: Value, at path: MergePath) throws(PatchError) {
    guard let text = value.stringValue else {
      throw path.error("$patch must be a string, not \(value.typeDescription)")
    }
    guard let directive = PatchDirective(rawValue: text) else {
      throw path.error("$patch: \"\(text)\" is not a known directive (merge, replace or delete)")
    }
    self = directive
  }
}

/// A patch mapping split into its directives and the fields it sets.
struct MappingPatch {
  var directive = PatchDirective.merge
  /// `$retainKeys`: the only keys of the target that survive.
  var retainedKeys: Set<String>?
  /// `$deleteFromPrimitiveList/<field>`: values to take out of the target's list `field`.
  var primitiveDeletions: [(field: String, values: [Value])] = []
  var fields: [(key: String, value: Value)] = []

  static let retainKeysKey = "$retainKeys"
  static let deletePrefix = "$deleteFromPrimitiveList/"
  // Kustomize orders merged lists its own way, so the requested order is accepted and dropped.
  static let orderPrefix = "$setElementOrder/"

  init(_ patch: Value, at path: MergePath) throws(PatchError) {
    guard case .object(let entries) = patch else {
      throw path.error("expected a mapping, found \(patch.typeDescription)")
    }
    for (key, value) in entries {
      if key == PatchDirective.key {
        directive = try PatchDirective(value, at: path)
      } else if key == Self.retainKeysKey {
        retainedKeys = Set(try Self.strings(value, directive: key, at: path))
      } else if key.hasPrefix(Self.deletePrefix) {
        guard case .array(let values) = value else {
          throw path.error("\(key) must be a list, not \(value.typeDescription)")
        }
        primitiveDeletions.append((String(key.dropFirst(Self.deletePrefix.count)), values))
      } else if !key.hasPrefix(Self.orderPrefix) {
        fields.append((key, value))
      }
    }
  }

  private static func strings(
    _ value: Value, directive: String, at path: MergePath
  ) throws(PatchError) -> [String] {
    guard case .array(let items) = value else {
      throw path.error("\(directive) must be a list of field names")
    }
    var names: [String] = []
    for item in items {
      guard let name = item.stringValue else {
        throw path.error("\(directive) must be a list of field names")
      }
      names.append(name)
    }
    return names
  }
}

/// A patch list split into its list-level directive and its elements.
struct ListPatch {
  var directive = PatchDirective.merge
  var elements: [Value] = []

  init(_ items: [Value], at path: MergePath) throws(PatchError) {
    var found: PatchDirective?
    for item in items {
      guard Self.isDirective(item), let value = item[PatchDirective.key] else {
        elements.append(item)
        continue
      }
      let directive = try PatchDirective(value, at: path)
      if let found, found != directive {
        throw path.error("conflicting list-level $patch directives")
      }
      found = directive
    }
    directive = found ?? .merge
  }

  /// A list-level directive is an element holding `$patch` and nothing else.
  static func isDirective(_ item: Value) -> Bool {
    guard case .object(let fields) = item else { return false }
    return fields.count == 1 && fields[PatchDirective.key] != nil
  }
}

extension Value {
  /// The patch with every directive taken out, as a plain value to merge the patch into.
  var withoutPatchDirectives: Value {
    switch self {
    case .object(var fields):
      fields.removeAll { key, _ in
        key == PatchDirective.key || key == MappingPatch.retainKeysKey
          || key.hasPrefix(MappingPatch.deletePrefix) || key.hasPrefix(MappingPatch.orderPrefix)
      }
      for (key, value) in fields { fields[key] = value.withoutPatchDirectives }
      return .object(fields)
    case .array(let items):
      return .array(items.filter { !ListPatch.isDirective($0) }.map(\.withoutPatchDirectives))
    default:
      return self
    }
  }
}
