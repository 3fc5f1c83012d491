import Model

/// The field tables of the built-in transformers, extended by `configurations` files. As in
/// kustomize, a kustomization's transformers use its own files, those of every base and component
/// below it, and the built-in tables; the steps run once at the top (name references, vars) use
/// every file of the build.
struct TransformerConfig: Sendable {
  var namePrefix: [FieldSpec]
  var nameSuffix: [FieldSpec]
  var namespace: [FieldSpec]
  var commonLabels: [FieldSpec]
  /// `labels` in a configuration: added to every `labels` entry's fields.
  var labels: [FieldSpec]
  var templateLabels: [FieldSpec]
  var commonAnnotations: [FieldSpec]
  /// Name references besides NameReferences' own table.
  var nameReference: [NameReferenceRule]
  var varReference: [FieldSpec]
  var images: [FieldSpec]
  var replicas: [FieldSpec]
  /// Whether a configuration file changed the built-in tables; without one, every transformer
  /// keeps Wavesync's own tables in their own order.
  var customized: Bool

  /// A kind whose name fields of other kinds follow its renames.
  struct NameReferenceRule: Sendable {
    var kind: String
    var group: String?
    var version: String?
    var referrers: [FieldSpec]
  }

  static let builtin = TransformerConfig(
    namePrefix: [FieldSpec("metadata/name")], nameSuffix: [FieldSpec("metadata/name")],
    namespace: [FieldSpec("metadata/namespace", create: true)] + BuiltinFieldSpecs.namespaceFields,
    commonLabels: BuiltinFieldSpecs.selectorLabels, labels: [],
    templateLabels: BuiltinFieldSpecs.templateLabels,
    commonAnnotations: BuiltinFieldSpecs.annotations, nameReference: [],
    varReference: Vars.fieldSpecs,
    images: BuiltinFieldSpecs.containerImages + BuiltinFieldSpecs.imageVolumes,
    replicas: BuiltinFieldSpecs.replicas, customized: false)

  /// No tables at all: where kustomize starts each build step, before it merges the built-in
  /// tables and the configuration files in.
  static let empty = TransformerConfig(
    namePrefix: [], nameSuffix: [], namespace: [], commonLabels: [], labels: [],
    templateLabels: [], commonAnnotations: [], nameReference: [], varReference: [], images: [],
    replicas: [], customized: true)

  /// The tables of a build step once `next` (a base's, a component's, or the step's own) joined
  /// `accumulated`. Kustomize starts from no tables, so a field given for one kind can hide the
  /// built-in field of every kind (`metadata/name` of `namePrefix`).
  static func joining(_ accumulated: TransformerConfig?, _ next: TransformerConfig)
    throws(FieldSpecConflict) -> TransformerConfig
  {
    guard let accumulated else { return next.customized ? try empty.merging(next) : next }
    return try accumulated.merging(next)
  }

  /// The sections a configuration file may have, as kustomize names them.
  static let sections = [
    "namePrefix", "nameSuffix", "namespace", "commonLabels", "labels", "templateLabels",
    "commonAnnotations", "nameReference", "varReference", "images", "replicas",
  ]

  /// These tables with `other`'s merged in, as kustomize merges two configurations: a field
  /// already covered (same path, for kinds at least as wide) is kept once, the same field with
  /// and without `create` is an error, and each table ends sorted by kind.
  func merging(_ other: TransformerConfig) throws(FieldSpecConflict) -> TransformerConfig {
    guard customized || other.customized else { return self }
    func merge(_ a: [FieldSpec], _ b: [FieldSpec]) throws(FieldSpecConflict) -> [FieldSpec] {
      var result = a
      for spec in b {
        if let existing = result.first(where: {
          $0.path == spec.path && $0.lists == spec.lists && $0.isSelected(by: spec)
        }) {
          guard existing.create == spec.create else { throw FieldSpecConflict(path: spec.path) }
          continue
        }
        result.append(spec)
      }
      return KindOrder.sorted(result, by: \.gvk)
    }
    var references = nameReference
    for rule in other.nameReference {
      if let index = references.firstIndex(where: {
        $0.kind == rule.kind && ($0.group ?? "") == (rule.group ?? "")
          && ($0.version ?? "") == (rule.version ?? "")
      }) {
        references[index].referrers = try merge(references[index].referrers, rule.referrers)
      } else {
        references.append(rule)
      }
    }
    return TransformerConfig(
      namePrefix: try merge(namePrefix, other.namePrefix),
      nameSuffix: try merge(nameSuffix, other.nameSuffix),
      namespace: try merge(namespace, other.namespace),
      commonLabels: try merge(commonLabels, other.commonLabels),
      labels: try merge(labels, other.labels),
      templateLabels: try merge(templateLabels, other.templateLabels),
      commonAnnotations: try merge(commonAnnotations, other.commonAnnotations),
      nameReference: KindOrder.sorted(references) { ($0.group, $0.version, $0.kind) },
      varReference: try merge(varReference, other.varReference),
      images: try merge(images, other.images), replicas: try merge(replicas, other.replicas),
      customized: true)
  }
}

/// kustomize's order of kinds for its field tables: the kinds it writes first, then the others
/// by group, version and kind, then the ones it writes last.
enum KindOrder {
  static func sorted<T>(
    _ items: [T], by gvk: (T) -> (group: String?, version: String?, kind: String?)
  ) -> [T] {
    let first = LegacyOrder.defaultFirst
    let last = LegacyOrder.defaultLast
    func rank(_ kind: String?) -> Int {
      if let kind, let index = first.firstIndex(of: kind) { return index - first.count }
      if let kind, let index = last.firstIndex(of: kind) { return index + 1 }
      return 0
    }
    func key(_ item: T) -> (Int, String) {
      let (group, version, kind) = gvk(item)
      let text = [
        group.flatMap { $0.isEmpty ? nil : $0 } ?? "~G",
        version.flatMap { $0.isEmpty ? nil : $0 } ?? "~V",
        kind.flatMap { $0.isEmpty ? nil : $0 } ?? "~K",
      ].joined(separator: "_")
      return (rank(kind), text)
    }
    // A stable sort: specs of one kind keep the order they were written in.
    return items.enumerated().sorted {
      let (a, b) = (key($0.element), key($1.element))
      return a != b ? a < b : $0.offset < $1.offset
    }.map(\.element)
  }
}

extension FieldSpec {
  var gvk: (group: String?, version: String?, kind: String?) { (group, version, kind) }

  /// Whether `selector`'s kind, group and version (unset matching any) cover this spec's.
  func isSelected(by selector: FieldSpec) -> Bool {
    func covers(_ wanted: String?, _ have: String?) -> Bool {
      (wanted ?? "").isEmpty || wanted == have
    }
    return covers(selector.kind, kind) && covers(selector.group, group)
      && covers(selector.version, version)
  }
}

/// Reads a `configurations` file into tables merged onto the built-in ones.
struct TransformerConfigReader: DocumentFieldReader {
  let file: String
  let document: YAMLDocument

  func read() throws(RenderError) -> TransformerConfig {
    guard case .object(let sections) = document.value else {
      if document.value.isNull { return TransformerConfig.builtin }
      throw fail(
        "", "a configurations file must be a mapping, found \(document.value.typeDescription)")
    }
    for key in sections.keys where !TransformerConfig.sections.contains(key) {
      throw fail(
        "/" + key,
        "unknown field \"\(key)\" in a configurations file (expected one of: \(TransformerConfig.sections.joined(separator: ", ")))"
      )
    }
    var config = TransformerConfig(
      namePrefix: try specs("namePrefix"), nameSuffix: try specs("nameSuffix"),
      namespace: try specs("namespace"), commonLabels: try specs("commonLabels"),
      labels: try specs("labels"), templateLabels: try specs("templateLabels"),
      commonAnnotations: try specs("commonAnnotations"), nameReference: [],
      varReference: try specs("varReference"), images: try specs("images"),
      replicas: try specs("replicas"), customized: true)
    for (index, entry) in try list(sections["nameReference"], at: "/nameReference").enumerated() {
      let at = "/nameReference/\(index)"
      try onlyFields(entry, ["kind", "group", "version", "fieldSpecs"], at: at)
      guard let kind = try string(entry["kind"], at: at + "/kind"), !kind.isEmpty else {
        throw fail(at, "a nameReference entry needs the kind it refers to")
      }
      config.nameReference.append(
        .init(
          kind: kind, group: try string(entry["group"], at: at + "/group"),
          version: try string(entry["version"], at: at + "/version"),
          referrers: try fieldSpecs(entry["fieldSpecs"], at: at + "/fieldSpecs")))
    }
    do {
      return try TransformerConfig.empty.merging(config)
    } catch {
      throw fail(
        "", error.message)
    }
  }

  private func specs(_ section: String) throws(RenderError) -> [FieldSpec] {
    guard case .object(let sections) = document.value else { return [] }
    return try fieldSpecs(sections[section], at: "/" + section)
  }

  private func list(_ value: Value?, at pointer: String) throws(RenderError) -> [Value] {
    guard let value, !value.isNull else { return [] }
    guard let items = value.arrayValue else {
      throw fail(pointer, "expected a list, found \(value.typeDescription)")
    }
    return items
  }

}
