import Model

/// Merges a strategic merge patch into an object, field by field. A nil result means the patch
/// deleted what it was applied to.
struct StrategicMerger {
  /// Nil for kinds kustomize has no schema for: their lists are all replaced.
  let schema: PatchMergeKeys?

  /// Merges a patch mapping into the target mapping, or into nothing when the target lacks it.
  func mergeMapping(
    _ patch: Value, into target: Value?, at path: MergePath
  ) throws(PatchError) -> Value? {
    let mapping = try MappingPatch(patch, at: path)
    if mapping.directive == .delete { return nil }

    var merged = (mapping.directive == .replace ? nil : target?.objectValue) ?? [:]
    if let retained = mapping.retainedKeys {
      merged.removeAll { !retained.contains($0.key) }
    }
    for (field, values) in mapping.primitiveDeletions {
      guard let existing = merged[field] else { continue }
      guard case .array(let items) = existing else {
        throw path.appending(field: field).error(
          "$deleteFromPrimitiveList applies to lists, the target has \(existing.typeDescription)")
      }
      merged[field] = .array(
        items.filter { item in !values.contains { $0.isSemanticallyEqual(to: item) } })
    }
    // Kustomize walks the whole target, rebuilding merged lists the patch does not touch.
    let patchedKeys = Set(mapping.fields.map(\.key))
    for (key, value) in merged where !patchedKeys.contains(key) {
      merged[key] = try normalize(value, at: path.appending(field: key))
    }
    for (key, patchValue) in mapping.fields {
      if patchValue.isNull {
        merged.removeValue(forKey: key)
        continue
      }
      // A null in the target is as good as absent. (Value is nil-literal expressible, so this
      // is spelled out: a `nil` in a closure here would read as `Value.null`.)
      var current = merged[key]
      if current?.isNull == true { current = nil }
      if let value = try mergeValue(patchValue, into: current, at: path.appending(field: key)) {
        merged[key] = value
      } else {
        merged.removeValue(forKey: key)
      }
    }
    return .object(merged)
  }

  private func mergeValue(
    _ patch: Value, into target: Value?, at path: MergePath
  ) throws(PatchError) -> Value? {
    switch patch {
    case .object:
      guard target == nil || target?.objectValue != nil else {
        throw mismatch(patch, target, at: path)
      }
      return try mergeMapping(patch, into: target, at: path)
    case .array(let items):
      guard target == nil || target?.arrayValue != nil else {
        throw mismatch(patch, target, at: path)
      }
      return try mergeList(items, into: target?.arrayValue, at: path)
    default:
      if target?.objectValue != nil || target?.arrayValue != nil {
        throw mismatch(patch, target, at: path)
      }
      return patch
    }
  }

  private func mergeList(
    _ patchItems: [Value], into target: [Value]?, at path: MergePath
  ) throws(PatchError) -> Value? {
    let list = try ListPatch(patchItems, at: path)
    let base: [Value]?
    switch list.directive {
    case .delete: return nil
    case .replace: base = nil
    case .merge: base = target
    }
    switch schema?.rule(at: path.fields) ?? .replace {
    case .replace:
      return .array(list.elements)
    case .mergeValues:
      return .array(Self.mergeValueSet(list.elements, into: base ?? []))
    case .mergeByKeys(let keys):
      // Where kustomize takes the patch's list whole, it still merges the list into itself,
      // which settles elements sharing a key: the last one wins.
      let into =
        base
        ?? list.elements.filter { !StrategicMergePatch.isDeletePatch($0) }
        .map(\.withoutPatchDirectives)
      if base == nil && Self.isSingleUnkeyed(into, key: keys[0]) { return .array(into) }
      return .array(try mergeKeyedList(list.elements, into: into, keys: keys, at: path))
    }
  }

  /// A part of the target the patch leaves alone, as kustomize outputs it: merged lists are
  /// merged with nothing, which collapses duplicates.
  func normalize(_ target: Value, at path: MergePath) throws(PatchError) -> Value {
    guard let schema else { return target }
    switch target {
    case .object(var fields):
      for (key, value) in fields {
        fields[key] = try normalize(value, at: path.appending(field: key))
      }
      return .object(fields)
    case .array(let items):
      switch schema.rule(at: path.fields) {
      case .replace: return target
      case .mergeValues: return .array(Self.mergeValueSet([], into: items))
      case .mergeByKeys(let keys):
        if Self.isSingleUnkeyed(items, key: keys[0]) { return target }
        return .array(try mergeKeyedList([], into: items, keys: keys, at: path))
      }
    default:
      return target
    }
  }

  /// A list of one element without the merge key (`containers: [{image: x}]`): kustomize keeps it
  /// as written. With more elements kustomize collapses them and loses some, so those stay
  /// errors.
  private static func isSingleUnkeyed(_ items: [Value], key: String) -> Bool {
    items.count == 1 && (items[0][key]?.scalarText ?? "").isEmpty
  }

  /// The patch as kustomize leaves it after merging it once: it consumes the `$patch` directives
  /// of the mappings and merged lists it walked into (not below a deletion).
  func consumingDirectives(_ patch: Value, at path: MergePath) -> Value {
    switch patch {
    case .object(var fields):
      let directive = fields.removeValue(forKey: PatchDirective.key)
      if directive?.stringValue == PatchDirective.delete.rawValue { return .object(fields) }
      for (key, value) in fields {
        fields[key] = consumingDirectives(value, at: path.appending(field: key))
      }
      return .object(fields)
    case .array(let items):
      guard let schema, schema.rule(at: path.fields) != .replace else { return patch }
      return .array(
        items.filter { ListPatch.isDirective($0) == false }.map {
          consumingDirectives($0, at: path)
        })
    default:
      return patch
    }
  }

  /// A list merged as a set of values: the patch's first, then the target's others, each once.
  private static func mergeValueSet(_ patch: [Value], into target: [Value]) -> [Value] {
    var seen: Set<String> = []
    return (patch + target).filter { item in
      // Kustomize compares scalars by their text; collections do not belong in such lists.
      let identity =
        item.objectValue == nil && item.arrayValue == nil ? item.scalarText : JSON.encode(item)
      return seen.insert(identity).inserted
    }
  }

  private func mismatch(_ patch: Value, _ target: Value?, at path: MergePath) -> PatchError {
    let found = target?.typeDescription ?? "nothing"
    return path.error("the patch has \(patch.typeDescription) where the target has \(found)")
  }
}
