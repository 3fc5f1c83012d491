import Model

/// A `replacements` entry: a value read from one object's field, written into fields of the
/// objects its targets select, as kustomize's replacement transformer does.
struct Replacement: Sendable {
  var source: Source
  var targets: [Target]
  /// Where the entry is written (the kustomization, or the file `path:` names), for errors.
  var file: String
  var line: Int

  /// Objects by kind, name and namespace (unset matching any); targets also by labels and
  /// annotations.
  typealias Selector = Kustomization.PatchTarget

  struct Options: Sendable {
    var delimiter = ""
    var index = 0
    var create = false
  }

  struct Source: Sendable {
    var selector: Selector
    /// As written; `metadata.name` when not given.
    var fieldPath: String?
    var options: Options
  }

  struct Target: Sendable {
    var select: Selector
    var reject: [Selector]
    var fieldPaths: [String]
    var options: Options
  }
}

/// Reads `replacements` entries: inline in a kustomization, or a file holding one or a list.
struct ReplacementReader: DocumentFieldReader {
  let file: String
  let document: YAMLDocument

  /// The entries of a file a `path:` names: a single replacement or a list of them.
  func readFile() throws(RenderError) -> [Replacement] {
    switch document.value {
    case .array(let items):
      return try items.indices.map { index throws(RenderError) in try read(at: "/\(index)") }
    case .object: return [try read(at: "")]
    default:
      throw fail(
        "",
        "unsupported replacement type encountered within replacement path: \(document.value.typeDescription)"
      )
    }
  }

  /// The replacement at `pointer` of the document.
  func read(at pointer: String) throws(RenderError) -> Replacement {
    let entry = value(at: pointer)
    try onlyFields(entry, ["source", "targets"], at: pointer)
    guard let source = entry["source"], !source.isNull, let targets = entry["targets"],
      !targets.isNull
    else { throw fail(pointer, "replacements must specify a source and at least one target") }
    let at = pointer + "/source"
    try onlyFields(
      source, ["group", "version", "kind", "name", "namespace", "fieldPath", "options"], at: at)
    guard let targetList = targets.arrayValue else {
      throw fail(pointer + "/targets", "targets must be a list, found \(targets.typeDescription)")
    }
    var result = Replacement(
      source: .init(
        selector: try selector(source, at: at, withLabels: false),
        fieldPath: try string(source["fieldPath"], at: at + "/fieldPath"),
        options: try options(source["options"], at: at + "/options")),
      targets: [], file: file, line: document.line(at: pointer) ?? document.line)
    for index in targetList.indices {
      let at = "\(pointer)/targets/\(index)"
      let target = targetList[index]
      try onlyFields(target, ["select", "reject", "fieldPaths", "options"], at: at)
      guard let select = target["select"], !select.isNull else {
        throw fail(at, "target must specify resources to select")
      }
      var rejects: [Replacement.Selector] = []
      if let reject = target["reject"], !reject.isNull {
        guard let items = reject.arrayValue else {
          throw fail(at + "/reject", "reject must be a list, found \(reject.typeDescription)")
        }
        for (i, item) in items.enumerated() {
          rejects.append(try selector(item, at: "\(at)/reject/\(i)", withLabels: true))
        }
      }
      var fieldPaths: [String] = []
      if let paths = target["fieldPaths"], !paths.isNull {
        guard let items = paths.arrayValue else {
          throw fail(
            at + "/fieldPaths", "fieldPaths must be a list, found \(paths.typeDescription)")
        }
        for i in items.indices {
          fieldPaths.append(try string(items[i], at: "\(at)/fieldPaths/\(i)") ?? "")
        }
      }
      result.targets.append(
        .init(
          select: try selector(select, at: at + "/select", withLabels: true), reject: rejects,
          fieldPaths: fieldPaths, options: try options(target["options"], at: at + "/options")))
    }
    return result
  }

  private func selector(_ value: Value, at pointer: String, withLabels: Bool) throws(RenderError)
    -> Replacement.Selector
  {
    var fields = ["group", "version", "kind", "name", "namespace"]
    if withLabels {
      fields += ["labelSelector", "annotationSelector"]
      try onlyFields(value, fields, at: pointer)
    }
    func labels(_ key: String) throws(RenderError) -> LabelSelector? {
      guard withLabels, let text = try string(value[key], at: pointer + "/" + key) else {
        return nil
      }
      do { return try LabelSelector(parsing: text) } catch {
        throw fail(pointer + "/" + key, error.description)
      }
    }
    return .init(
      group: try string(value["group"], at: pointer + "/group"),
      version: try string(value["version"], at: pointer + "/version"),
      kind: try string(value["kind"], at: pointer + "/kind"),
      name: try string(value["name"], at: pointer + "/name"),
      namespace: try string(value["namespace"], at: pointer + "/namespace"),
      labelSelector: try labels("labelSelector"),
      annotationSelector: try labels("annotationSelector"))
  }

  private func options(_ value: Value?, at pointer: String) throws(RenderError)
    -> Replacement.Options
  {
    guard let value, !value.isNull else { return .init() }
    try onlyFields(value, ["delimiter", "index", "encoding", "create"], at: pointer)
    if let encoding = try string(value["encoding"], at: pointer + "/encoding"), !encoding.isEmpty {
      throw fail(pointer + "/encoding", "options.encoding is not supported (kustomize ignores it)")
    }
    var options = Replacement.Options()
    options.delimiter = try string(value["delimiter"], at: pointer + "/delimiter") ?? ""
    if let index = value["index"], !index.isNull {
      guard let number = index.intValue, let small = Int(exactly: number) else {
        throw fail(pointer + "/index", "index must be an integer, found \(index.typeDescription)")
      }
      options.index = small
    }
    options.create = try bool(value["create"], at: pointer + "/create")
    return options
  }

  private func value(at pointer: String) -> Value {
    var current = document.value
    for token in pointer.split(separator: "/") {
      if let index = Int(token), case .array(let items) = current, items.indices.contains(index) {
        current = items[index]
      } else {
        current = current[String(token)] ?? .null
      }
    }
    return current
  }

}

extension Kustomization.PatchTarget {
  var selectsByID: Bool {
    [group, version, kind, name, namespace].contains { !($0 ?? "").isEmpty }
  }

  /// As kustomize prints a resource id: `Kind.version.group/name.namespace`.
  var description: String {
    func or(_ value: String?, _ placeholder: String) -> String {
      value.flatMap { $0.isEmpty ? nil : $0 } ?? placeholder
    }
    return [or(kind, "[noKind]"), or(version, "[noVer]"), or(group, "[noGrp]")].joined(
      separator: ".") + "/" + or(name, "[noName]") + "." + or(namespace, "[noNs]")
  }
}
