import Model

/// Merging lists of mappings by their merge keys, in the order kustomize produces.
///
/// Every element has an identity: the text of each key, empty where the key is missing. The
/// patch's identities come first, then the target's; with several keys (`containerPort` and
/// `protocol`), identities that differ only where one side is empty count as the same. Each
/// identity merges the first patch and the first target element carrying exactly its non-empty
/// key values. When any element sets a secondary key, kustomize then moves the target's
/// elements behind the patch's new ones.
extension StrategicMerger {
  func mergeKeyedList(
    _ patchItems: [Value], into targetItems: [Value], keys: [String], at path: MergePath
  ) throws(PatchError) -> [Value] {
    var identities: [[String]] = []
    for (index, item) in patchItems.enumerated() {
      let identity = try Self.identity(of: item, keys: keys) { reason in
        path.appending(index: index).error(reason)
      }
      if !identities.contains(identity) { identities.append(identity) }
    }
    for (index, item) in targetItems.enumerated() {
      let identity = try Self.identity(of: item, keys: keys) { reason in
        path.error("target element \(index) \(reason)")
      }
      if !identities.contains(identity) { identities.append(identity) }
    }
    if keys.count > 1 { Self.unifyPartialIdentities(&identities) }

    // The keys some element sets; kustomize matches on these only.
    var usedKeys = keys.indices.filter { position in
      identities.contains { !$0[position].isEmpty }
    }
    if usedKeys.isEmpty { usedKeys = Array(keys.indices) }

    var merged: [Value] = []
    // The target's elements as merged so far; nil once deleted.
    var targets: [Value?] = targetItems
    // Identities can repeat after unifying; kustomize then merges the patch element again, with
    // the directives its first merge consumed gone (a deleted element comes back).
    var mergedPatchIndices: Set<Int> = []
    for identity in identities {
      let lookup = keys.indices.filter { !identity[$0].isEmpty }
      let targetIndex = targets.firstIndex { element in
        element.map { Self.carries($0, identity, at: lookup, keys: keys) } ?? false
      }
      let patchIndex = patchItems.firstIndex { Self.carries($0, identity, at: lookup, keys: keys) }

      let result: Value?
      if let patchIndex {
        let elementPath = path.appending(index: patchIndex)
        var patchElement = patchItems[patchIndex]
        if !mergedPatchIndices.insert(patchIndex).inserted {
          patchElement = consumingDirectives(patchElement, at: elementPath)
        }
        result = try mergeMapping(
          patchElement, into: targetIndex.flatMap { targets[$0] }, at: elementPath)
      } else if let targetIndex, let element = targets[targetIndex] {
        result = try normalize(element, at: path.appending(index: targetIndex))
      } else {
        continue
      }

      guard let result, result.objectValue?.isEmpty == false else {
        for index in targets.indices
        where targets[index].map({ Self.answers($0, identity, at: usedKeys, keys: keys) }) == true {
          targets[index] = nil
        }
        continue
      }
      if let targetIndex { targets[targetIndex] = result }
      Self.place(result, in: &merged) { Self.answers($0, identity, at: usedKeys, keys: keys) }
    }

    // The target's surviving elements go in once more, as kustomize appends them.
    for case let element? in targets {
      if usedKeys.count > 1 {
        let present = usedKeys.filter { element[keys[$0]] != nil }
        let own = keys.map { element[$0]?.scalarText ?? "" }
        merged.removeAll { Self.answers($0, own, at: present, keys: keys) }
        merged.append(element)
      } else {
        let own = keys.map { element[$0]?.scalarText ?? "" }
        Self.place(element, in: &merged) { Self.answers($0, own, at: usedKeys, keys: keys) }
      }
    }
    return merged
  }

  private static func identity(
    of element: Value, keys: [String], error: (String) -> PatchError
  ) throws(PatchError) -> [String] {
    guard case .object = element else {
      throw error(
        "is \(element.typeDescription), expected a mapping with the merge key \"\(keys[0])\"")
    }
    let identity = keys.map { element[$0]?.scalarText ?? "" }
    guard !identity[0].isEmpty else { throw error("has no merge key \"\(keys[0])\"") }
    return identity
  }

  /// Makes identities that agree wherever both have a value, and share at least one position,
  /// the same: `[80, ""]` and `[80, "TCP"]` become `[80, "TCP"]`. Kustomize compares each
  /// identity as it was when its turn came with the others as they are now; so does this.
  private static func unifyPartialIdentities(_ identities: inout [[String]]) {
    for i in identities.indices {
      let first = identities[i]
      for j in identities.indices {
        guard let unified = unify(first, identities[j]) else { continue }
        identities[i] = unified
        identities[j] = unified
      }
    }
  }

  private static func unify(_ a: [String], _ b: [String]) -> [String]? {
    var shared = false
    var unified: [String] = []
    for (x, y) in zip(a, b) {
      if x == y {
        shared = true
        unified.append(x)
      } else if x.isEmpty || y.isEmpty {
        unified.append(x.isEmpty ? y : x)
      } else {
        return nil
      }
    }
    return shared ? unified : nil
  }

  /// Whether the element holds exactly the identity's values at these key positions.
  private static func carries(
    _ element: Value, _ identity: [String], at positions: [Int], keys: [String]
  ) -> Bool {
    guard case .object = element else { return false }
    return positions.allSatisfy { element[keys[$0]]?.scalarText == identity[$0] }
  }

  /// Whether the element answers to the identity when kustomize sets list elements: equal
  /// values where the identity has one, the key merely present where it is empty.
  private static func answers(
    _ element: Value, _ identity: [String], at positions: [Int], keys: [String]
  ) -> Bool {
    positions.allSatisfy { position in
      guard let value = element[keys[position]] else { return false }
      return identity[position].isEmpty || value.scalarText == identity[position]
    }
  }

  /// Replaces every element that matches, or appends when none does.
  private static func place(_ element: Value, in list: inout [Value], matching: (Value) -> Bool) {
    var replaced = false
    for index in list.indices where matching(list[index]) {
      list[index] = element
      replaced = true
    }
    if !replaced { list.append(element) }
  }
}
