internal import Foundation
import Model

/// `patches`: a strategic merge patch (a mapping) or a JSON 6902 patch (a list of operations),
/// applied to the objects its `target` selects or, without one, to the object it names itself.
enum PatchTransformer {
  static func apply(_ rule: Kustomization.PatchRule, to resources: inout [KustomizeResource])
    throws(RenderError)
  {
    // JSON 6902 operations are read with YAML 1.1 rules, strategic merge patches with kyaml's.
    let documents = try parse(rule, rules: .kustomize)
    let isJSONPatch = documents.count == 1 && documents[0].value.arrayValue != nil
    if rule.legacyField == .patchesJson6902 && !isJSONPatch {
      throw RenderError(
        file: rule.source, line: rule.line(documents.first?.line ?? 1),
        message: "patchesJson6902 takes a list of JSON 6902 operations")
    }
    if isJSONPatch {
      if rule.legacyField == .patchesStrategicMerge {
        throw RenderError(
          file: rule.source, line: rule.line(documents[0].line),
          message: "patchesStrategicMerge takes strategic merge patches (mappings), not a list")
      }
      let documents = try parse(rule, rules: .kubectl)
      let operations = jsonNumbers(documents[0].value)
      guard let target = rule.target else {
        throw RenderError(
          file: rule.source, line: rule.line(1),
          message: "a JSON 6902 patch (a list of operations) needs a target")
      }
      for index in try select(target, in: resources) {
        do {
          let before = resources[index]
          let patched = try applyJSONPatch(operations, to: before.object)
          // A patch that renames or moves the object is tracked, so references follow it.
          resources[index].object = patched
          resources[index].object[path: ["metadata", "name"]] =
            before.object[path: ["metadata", "name"]]
          resources[index].object[path: ["metadata", "namespace"]] =
            before.object[path: ["metadata", "namespace"]]
          if let name = patched[path: ["metadata", "name"]]?.stringValue {
            resources[index].rename(to: name)
          }
          switch patched[path: ["metadata", "namespace"]] {
          case nil: resources[index].setNamespace(nil)  // the patch removed it
          case .string(let namespace)?: resources[index].setNamespace(namespace)
          default: break
          }
        } catch {
          throw RenderError(
            file: rule.source, line: rule.line(1), object: resources[index].label,
            message: "patch failed: \(error)")
        }
      }
      return
    }
    for document in documents {
      guard case .object = document.value else {
        throw RenderError(
          file: rule.source, line: rule.line(document.line),
          message:
            "a patch must be a mapping (strategic merge) or a list (JSON 6902), found \(document.value.typeDescription)"
        )
      }
      let indices: [Int]
      if let target = rule.target {
        indices = try select(target, in: resources)
      } else {
        indices = try ownTarget(of: document, rule: rule, in: resources)
      }
      var deleted: Set<Int> = []
      for index in indices {
        var patch = document.value
        // The patch's own name and kind only select; they rename the object only where the
        // patch's options allow it.
        if !rule.allowKindChange || patch["kind"] == nil {
          patch["apiVersion"] = resources[index].object["apiVersion"]
          patch["kind"] = resources[index].object["kind"]
        }
        let oldName = resources[index].name
        let newName = rule.allowNameChange ? patch[path: ["metadata", "name"]]?.stringValue : nil
        patch[path: ["metadata", "name"]] = .string(oldName)
        if let namespace = resources[index].namespace {
          patch[path: ["metadata", "namespace"]] = .string(namespace)
        } else if patch["metadata"]?["namespace"] != nil {
          patch[path: ["metadata", "namespace"]] = nil
        }
        let target = WrittenEmptyFields.removing(
          resources[index].writtenEmptyFields, from: resources[index].object)
        resources[index].writtenEmptyFields = []
        do {
          if let patched = try StrategicMergePatch.apply(patch, to: target) {
            let oldKind = resources[index].id.kind
            resources[index].object = patched
            if let newName, !newName.isEmpty { resources[index].rename(to: newName) }
            if resources[index].id.kind != oldKind {
              resources[index].previousKinds.append(oldKind)
            }
          } else {
            deleted.insert(index)
          }
        } catch {
          throw RenderError(
            file: rule.source, line: rule.line(1), object: resources[index].label,
            message: "patch failed: \(error)")
        }
      }
      resources = resources.enumerated().filter { !deleted.contains($0.offset) }.map(\.element)
    }
  }

  /// Kustomize keeps internal annotations on every object while it builds, so a JSON patch always
  /// finds `metadata.annotations` there (even where the file wrote it null); an empty map left over
  /// is dropped again afterwards.
  private static func applyJSONPatch(_ operations: Value, to object: Value) throws(PatchError)
    -> Value
  {
    var prepared = object
    let hadAnnotations = object[path: ["metadata", "annotations"]].map { !$0.isNull } ?? false
    if !hadAnnotations { prepared[path: ["metadata", "annotations"]] = .emptyObject }
    var patched = try JSONPatch.apply(operations, to: prepared)
    if !hadAnnotations, patched[path: ["metadata", "annotations"]] == .emptyObject {
      patched[path: ["metadata", "annotations"]] = nil
    }
    return patched
  }

  /// Kustomize hands JSON 6902 values through JSON numbers (float64), so integers beyond 64-bit
  /// signed range come out as floats.
  private static func jsonNumbers(_ value: Value) -> Value {
    switch value {
    case .uint(let u): ScalarRules.canonicalFloat(Double(u))
    case .array(let items): .array(items.map(jsonNumbers))
    case .object(let entries): .object(entries.mapValues(jsonNumbers))
    default: value
    }
  }

  private static func parse(_ rule: Kustomization.PatchRule, rules: ScalarRules) throws(RenderError)
    -> [YAMLDocument]
  {
    try RenderError.documents(
      rule.text, file: rule.source, rules: rules, lineOffset: rule.lineOffset)
  }

  /// The object a target-less strategic merge patch names by its apiVersion, kind, name and namespace.
  private static func ownTarget(
    of document: YAMLDocument, rule: Kustomization.PatchRule, in resources: [KustomizeResource]
  ) throws(RenderError) -> [Int] {
    let id: ObjectIdentity
    do {
      id = try ObjectIdentity(of: document.value)
    } catch {
      throw RenderError(
        file: rule.source, line: rule.line(document.line),
        message:
          "a patch without target needs \(error.description.replacingOccurrences(of: "object has no ", with: ""))"
      )
    }
    let matches = resources.indices.filter { index in
      let candidate = resources[index].id
      return (candidate.kind == id.kind || resources[index].previousKinds.contains(id.kind))
        && candidate.group == id.group
        && resources[index].allNames.contains(id.name)
        && (id.namespace == nil || resources[index].allNamespaces.contains(id.namespace))
    }
    guard !matches.isEmpty else {
      throw RenderError(
        file: rule.source, line: rule.line(document.line),
        message: "patch target \(id) not found among the resources")
    }
    guard matches.count == 1 else {
      throw RenderError(
        file: rule.source, line: rule.line(document.line),
        message:
          "patch target \(id) matches \(matches.count) objects (\(matches.map { resources[$0].label }.joined(separator: ", "))); a patch without target must match one"
      )
    }
    return matches
  }

  private static func select(_ target: Kustomization.PatchTarget, in resources: [KustomizeResource])
    throws(RenderError) -> [Int]
  {
    func regex(_ pattern: String?) throws(RenderError) -> NSRegularExpression? {
      guard let pattern, !pattern.isEmpty else { return nil }
      do {
        return try NSRegularExpression(pattern: "^(?:" + pattern + ")$")
      } catch {
        throw RenderError(message: "patch target: invalid pattern \"\(pattern)\"")
      }
    }
    let group = try regex(target.group)
    let version = try regex(target.version)
    let kind = try regex(target.kind)
    let name = try regex(target.name)
    let namespace = try regex(target.namespace)
    func matches(_ pattern: NSRegularExpression?, _ value: String) -> Bool {
      guard let pattern else { return true }
      return pattern.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }
    return resources.indices.filter { index in
      let resource = resources[index]
      let id = resource.id
      return matches(group, id.group) && matches(version, id.version) && matches(kind, id.kind)
        && resource.allNames.contains { matches(name, $0) }
        && resource.allNamespaces.contains { matches(namespace, $0 ?? "") }
        && (target.labelSelector?.matches(stringMap(resource.object[path: ["metadata", "labels"]]))
          ?? true)
        && (target.annotationSelector?.matches(
          stringMap(resource.object[path: ["metadata", "annotations"]])) ?? true)
    }
  }

  private static func stringMap(_ value: Value?) -> [String: String] {
    var result: [String: String] = [:]
    for (key, item) in value?.objectValue ?? [:] { if let s = item.stringValue { result[key] = s } }
    return result
  }
}
