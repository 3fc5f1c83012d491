import Model
internal import OrderedCollections

/// One `kustomization.yaml` (or a Component), read into the fields Wavesync supports.
/// Any other field is an error naming it: nothing a user wrote is silently dropped.
struct Kustomization: Sendable {
  enum Kind: Sendable { case kustomization, component }

  var kind: Kind = .kustomization
  var resources: [String] = []
  var components: [String] = []
  var namespace: String?
  var namePrefix = ""
  var nameSuffix = ""
  var commonLabels: OrderedDictionary<String, String> = [:]
  var labels: [LabelRule] = []
  var commonAnnotations: OrderedDictionary<String, String> = [:]
  var images: [ImageRule] = []
  var replicas: [ReplicaRule] = []
  var patches: [PatchRule] = []
  /// The deprecated patch fields, still common: run before `patches` and after the annotations.
  var patchesStrategicMerge: [PatchRule] = []
  var patchesJson6902: [PatchRule] = []
  var configMapGenerator: [GeneratorArgs] = []
  var secretGenerator: [GeneratorArgs] = []
  var generatorOptions = GeneratorOptions()
  /// The output order; only the top kustomization's counts, as in kustomize.
  var sortOptions: OutputOrder?
  var vars: [VarRule] = []
  /// The `configurations` files, merged; nil without any.
  var transformerConfig: TransformerConfig?
  var replacements: [Replacement] = []

  enum OutputOrder: Sendable {
    /// The order the objects were read and generated in.
    case fifo
    case legacy(LegacyOrder)
  }

  struct LabelRule: Sendable {
    var pairs: OrderedDictionary<String, String>
    /// The entry's own `fields`.
    var fields: [FieldSpec]
    var includeSelectors: Bool
    var includeTemplates: Bool

    /// Where the labels go: the entry's own `fields` and the configuration's `labels`, then
    /// selectors (`includeSelectors`), or pod templates (`includeTemplates`) and metadata labels.
    func specs(_ config: TransformerConfig) throws(FieldSpecConflict) -> [FieldSpec] {
      let own = try fields.merging(config.labels)
      if includeSelectors { return try own.merging(config.commonLabels) }
      let templates = includeTemplates ? try own.merging(config.templateLabels) : own
      return try templates.merging([FieldSpec("metadata/labels", create: true)])
    }
  }

  struct ImageRule: Sendable {
    var name: String
    var newName: String?
    var newTag: String?
    var tagSuffix: String?
    var digest: String?
  }

  struct ReplicaRule: Sendable {
    var name: String
    var count: Int64
  }

  struct PatchRule: Sendable {
    /// The patch text and where it came from (the patch file, or the kustomization for inline ones).
    var text: String
    var source: String
    /// For an inline patch, the line of the kustomization its text starts after; 0 for files.
    var lineOffset: Int
    var target: PatchTarget?
    /// Set for the deprecated fields, whose patches are of one type only.
    var legacyField: LegacyPatchField?
    /// `options`: a strategic merge patch may rename the object, or change its kind.
    var allowNameChange = false
    var allowKindChange = false

    /// The line in `source` of a line of the patch text.
    func line(_ patchLine: Int) -> Int { lineOffset + patchLine }
  }

  enum LegacyPatchField: String, Sendable {
    /// Each patch names its one target itself.
    case patchesStrategicMerge
    /// JSON 6902 operations with a target that names the object.
    case patchesJson6902
  }

  struct PatchTarget: Sendable {
    var group: String?
    var version: String?
    var kind: String?
    var name: String?
    var namespace: String?
    var labelSelector: LabelSelector?
    var annotationSelector: LabelSelector?
  }

  static let supportedFields: [String] = [
    "apiVersion", "kind", "metadata", "resources", "components", "namespace", "namePrefix",
    "nameSuffix", "commonLabels", "labels", "commonAnnotations", "images", "replicas", "patches",
    "configMapGenerator", "secretGenerator", "generatorOptions", "sortOptions", "buildMetadata",
    "vars", "configurations", "replacements",
  ]

  /// Fields kustomize deprecated, still read as kustomize reads them (not suggested in errors).
  static let deprecatedFields: [String] = ["bases", "patchesStrategicMerge", "patchesJson6902"]

  /// The file names kustomize looks for in a directory, in its order of preference.
  static let fileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"]
}

/// Reads a kustomization's fields, checking each one's type.
struct KustomizationReader: DocumentFieldReader {
  let file: String
  let document: YAMLDocument

  func read(loadFile: (_ path: String, _ pointer: String) throws(RenderError) -> String)
    throws(RenderError) -> Kustomization
  {
    guard case .object = document.value else {
      throw fail("", "a kustomization must be a mapping, found \(document.value.typeDescription)")
    }
    var k = Kustomization()
    var spellings: [String: String] = [:]
    for key in written.keys {
      let name = Self.fieldName(key)
      if let other = spellings.updateValue(key, forKey: name) {
        throw writtenTwice(name, as: other, and: key, at: "/" + key)
      }
    }
    for key in fields.keys
    where !Kustomization.supportedFields.contains(key)
      && !Kustomization.deprecatedFields.contains(key)
    {
      throw fail(
        "/" + key,
        "field \"\(key)\" is not supported by Wavesync; supported fields: "
          + Kustomization.supportedFields.dropFirst(3).joined(separator: ", "))
    }
    switch fields["kind"]?.stringValue {
    case nil, "Kustomization": k.kind = .kustomization
    case "Component": k.kind = .component
    case let other?:
      throw fail("/kind", "unknown kind \"\(other)\"; expected Kustomization or Component")
    }
    // `bases` is the old name of `resources`; kustomize appends it.
    k.resources = try strings("resources") + strings("bases")
    k.components = try strings("components")
    k.namespace = try string(fields["namespace"], at: "/namespace")
    k.namePrefix = try string(fields["namePrefix"], at: "/namePrefix") ?? ""
    k.nameSuffix = try string(fields["nameSuffix"], at: "/nameSuffix") ?? ""
    k.commonLabels = try stringMap(fields["commonLabels"], at: "/commonLabels")
    k.commonAnnotations = try stringMap(fields["commonAnnotations"], at: "/commonAnnotations")
    for (index, entry) in try list("labels").enumerated() {
      let at = "/labels/\(index)"
      try onlyFields(entry, ["pairs", "includeSelectors", "includeTemplates", "fields"], at: at)
      let rule = Kustomization.LabelRule(
        pairs: try stringMap(entry["pairs"], at: at + "/pairs"),
        fields: try fieldSpecs(entry["fields"], at: at + "/fields"),
        includeSelectors: try bool(entry["includeSelectors"], at: at + "/includeSelectors"),
        includeTemplates: try bool(entry["includeTemplates"], at: at + "/includeTemplates"))
      do { _ = try rule.specs(.builtin) } catch {
        throw fail(
          at + "/fields",
          "the field \(error.path.joined(separator: "/")) is given with and without create")
      }
      k.labels.append(rule)
    }
    for (index, entry) in try list("images").enumerated() {
      let at = "/images/\(index)"
      try onlyFields(entry, ["name", "newName", "newTag", "tagSuffix", "digest"], at: at)
      guard let name = try string(entry["name"], at: at + "/name"), !name.isEmpty else {
        throw fail(at, "an image entry needs a name")
      }
      k.images.append(
        .init(
          name: name, newName: try string(entry["newName"], at: at + "/newName"),
          newTag: try string(entry["newTag"], at: at + "/newTag"),
          tagSuffix: try string(entry["tagSuffix"], at: at + "/tagSuffix"),
          digest: try string(entry["digest"], at: at + "/digest")))
    }
    for (index, entry) in try list("replicas").enumerated() {
      let at = "/replicas/\(index)"
      try onlyFields(entry, ["name", "count"], at: at)
      guard let name = try string(entry["name"], at: at + "/name") else {
        throw fail(at, "a replicas entry needs a name")
      }
      guard let count = entry["count"]?.intValue else {
        throw fail(at + "/count", "count must be an integer")
      }
      k.replicas.append(.init(name: name, count: count))
    }
    for (index, entry) in try list("patches").enumerated() {
      k.patches.append(try patch(entry, at: "/patches/\(index)", loadFile: loadFile))
    }
    for (index, entry) in try list("patchesStrategicMerge").enumerated() {
      k.patchesStrategicMerge.append(
        try strategicMergePatch(entry, at: "/patchesStrategicMerge/\(index)", loadFile: loadFile))
    }
    for (index, entry) in try list("patchesJson6902").enumerated() {
      let at = "/patchesJson6902/\(index)"
      var rule = try patch(entry, at: at, loadFile: loadFile, allowed: ["path", "patch", "target"])
      guard let name = rule.target?.name, !name.isEmpty else {
        throw fail(at, "a patchesJson6902 entry needs a target with a name")
      }
      rule.legacyField = .patchesJson6902
      k.patchesJson6902.append(rule)
    }
    k.generatorOptions = try generatorOptions(fields["generatorOptions"], at: "/generatorOptions")
    k.sortOptions = try sortOptions()
    for (index, entry) in try list("vars").enumerated() {
      k.vars.append(try variable(entry, at: "/vars/\(index)"))
    }
    _ = try buildMetadata()
    for (index, path) in try strings("configurations").enumerated() {
      let at = "/configurations/\(index)"
      let config = try transformerConfig(path, at: at, loadFile: loadFile)
      do {
        if let earlier = k.transformerConfig {
          k.transformerConfig = try earlier.merging(config)
        } else {
          k.transformerConfig = config
        }
      } catch {
        throw fail(
          at, error.message)
      }
    }
    k.replacements = try replacements(loadFile: loadFile)
    for (index, entry) in try list("configMapGenerator").enumerated() {
      k.configMapGenerator.append(
        try generator(entry, at: "/configMapGenerator/\(index)", secret: false))
    }
    for (index, entry) in try list("secretGenerator").enumerated() {
      k.secretGenerator.append(try generator(entry, at: "/secretGenerator/\(index)", secret: true))
    }
    return k
  }

  private var written: OrderedDictionary<String, Value> { document.value.objectValue ?? [:] }

  /// The fields under their own names: kustomize (through Go's JSON decoding) also takes a
  /// field name written in other letter case (`nameprefix`).
  private var fields: OrderedDictionary<String, Value> {
    OrderedDictionary(
      written.map { (Self.fieldName($0.key), $0.value) }, uniquingKeysWith: { _, last in last })
  }

  private static func fieldName(_ key: String) -> String {
    if Kustomization.supportedFields.contains(key) || Kustomization.deprecatedFields.contains(key) {
      return key
    }
    let lowered = key.lowercased()
    return (Kustomization.supportedFields + Kustomization.deprecatedFields).first {
      $0.lowercased() == lowered
    } ?? key
  }

  private func list(_ key: String) throws(RenderError) -> [Value] {
    guard let value = fields[key], !value.isNull else { return [] }
    guard let items = value.arrayValue else {
      throw fail("/" + key, "\(key) must be a list, found \(value.typeDescription)")
    }
    return items
  }

  private func strings(_ key: String) throws(RenderError) -> [String] {
    try stringList(fields[key], at: "/" + key)
  }

  /// A list of strings; numbers and booleans are refused, as kustomize refuses them.
  private func stringList(_ value: Value?, at pointer: String) throws(RenderError) -> [String] {
    guard let value, !value.isNull else { return [] }
    let name = pointer.split(separator: "/").last ?? ""
    guard let items = value.arrayValue else {
      throw fail(pointer, "\(name) must be a list, found \(value.typeDescription)")
    }
    var result: [String] = []
    for (index, item) in items.enumerated() {
      guard let s = item.stringValue else {
        let hint =
          item.isNull || item.arrayValue != nil || item.objectValue != nil ? "" : " (quote it)"
        throw fail(
          "\(pointer)/\(index)",
          "\(name) entries must be strings, found \(item.typeDescription)\(hint)")
      }
      result.append(s)
    }
    return result
  }

  private func stringMap(_ value: Value?, at pointer: String) throws(RenderError)
    -> OrderedDictionary<String, String>
  {
    guard let value, !value.isNull else { return [:] }
    guard case .object(let entries) = value else {
      throw fail(pointer, "expected a mapping, found \(value.typeDescription)")
    }
    var result: OrderedDictionary<String, String> = [:]
    for (key, item) in entries {
      guard let s = item.stringValue else {
        throw fail(
          pointer + "/" + YAMLDocument.pointerToken(key),
          "the value of \(key) must be a string, found \(item.typeDescription) (quote it)")
      }
      result[key] = s
    }
    return result
  }

  /// The mapping with its keys under their own names: kustomize (through Go's JSON decoding)
  /// reads `fieldPath` as `fieldpath`. A name written twice in different case is an error.
  private func anyCase(_ value: Value, _ names: [String], at pointer: String) throws(RenderError)
    -> Value
  {
    guard case .object(let entries) = value else { return value }
    var result: OrderedDictionary<String, Value> = [:]
    var spellings: [String: String] = [:]
    for (key, item) in entries {
      let name = names.first { $0.lowercased() == key.lowercased() } ?? key
      if let other = spellings.updateValue(key, forKey: name) {
        throw writtenTwice(name, as: other, and: key, at: pointer + "/" + key)
      }
      result[name] = item
    }
    return .object(result)
  }

  private func writtenTwice(
    _ name: String, as first: String, and second: String, at pointer: String
  )
    -> RenderError
  {
    fail(pointer, "field \(name) is written twice (as \(first) and \(second)); keep one")
  }

  /// A `patchesStrategicMerge` entry: the patch itself when the text reads as YAML mappings (as
  /// kustomize tries first), else the path of a patch file.
  private func strategicMergePatch(
    _ entry: Value, at pointer: String,
    loadFile: (_ path: String, _ pointer: String) throws(RenderError) -> String
  ) throws(RenderError) -> Kustomization.PatchRule {
    guard let text = try string(entry, at: pointer) else {
      throw fail(pointer, "a patchesStrategicMerge entry must be a file path or a patch")
    }
    let inline: Bool
    do {
      let documents = try YAML.documents(from: text, rules: .kustomize)
      inline = !documents.isEmpty && documents.allSatisfy { $0.value.objectValue != nil }
    } catch {
      // Not YAML, so not a patch: a path, as kustomize falls back to.
      inline = false
    }
    var rule: Kustomization.PatchRule
    if inline {
      rule = .init(
        text: text, source: file, lineOffset: document.line(at: pointer) ?? document.line)
    } else {
      rule = .init(
        text: try loadFile(text, pointer),
        source: FilePath.join(FilePath.directory(of: file), text),
        lineOffset: 0)
    }
    rule.legacyField = .patchesStrategicMerge
    return rule
  }

  private func patch(
    _ entry: Value, at pointer: String,
    loadFile: (_ path: String, _ pointer: String) throws(RenderError) -> String,
    allowed: [String] = ["path", "patch", "target", "options"]
  ) throws(RenderError) -> Kustomization.PatchRule {
    try onlyFields(entry, allowed, at: pointer)
    var allowNameChange = false
    var allowKindChange = false
    if let options = entry["options"], !options.isNull {
      let at = pointer + "/options"
      try onlyFields(options, ["allowNameChange", "allowKindChange"], at: at)
      allowNameChange = try bool(options["allowNameChange"], at: at + "/allowNameChange")
      allowKindChange = try bool(options["allowKindChange"], at: at + "/allowKindChange")
    }
    let path = try string(entry["path"], at: pointer + "/path")
    let inline = try string(entry["patch"], at: pointer + "/patch")
    let text: String
    let source: String
    var lineOffset = 0
    switch (path, inline) {
    case (let path?, nil):
      text = try loadFile(path, pointer + "/path")
      source = FilePath.join(FilePath.directory(of: file), path)
    case (nil, let inline?):
      text = inline
      source = file
      lineOffset = document.line(at: pointer + "/patch") ?? document.line
    case (nil, nil): throw fail(pointer, "a patch needs either path or patch")
    case (.some, .some): throw fail(pointer, "a patch takes path or patch, not both")
    }
    var target: Kustomization.PatchTarget?
    if let t = entry["target"], !t.isNull {
      let at = pointer + "/target"
      try onlyFields(
        t,
        ["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"],
        at: at)
      func selector(_ key: String) throws(RenderError) -> LabelSelector? {
        guard let text = try string(t[key], at: at + "/" + key) else { return nil }
        do { return try LabelSelector(parsing: text) } catch {
          throw fail(at + "/" + key, error.description)
        }
      }
      target = .init(
        group: try string(t["group"], at: at + "/group"),
        version: try string(t["version"], at: at + "/version"),
        kind: try string(t["kind"], at: at + "/kind"),
        name: try string(t["name"], at: at + "/name"),
        namespace: try string(t["namespace"], at: at + "/namespace"),
        labelSelector: try selector("labelSelector"),
        annotationSelector: try selector("annotationSelector"))
    }
    return .init(
      text: text, source: source, lineOffset: lineOffset, target: target,
      allowNameChange: allowNameChange, allowKindChange: allowKindChange)
  }

  private func variable(_ written: Value, at pointer: String) throws(RenderError) -> VarRule {
    let entry = try anyCase(written, ["name", "objref", "fieldref"], at: pointer)
    try onlyFields(entry, ["name", "objref", "fieldref"], at: pointer)
    guard let name = try string(entry["name"], at: pointer + "/name"), !name.isEmpty else {
      throw fail(pointer, "a var needs a name")
    }
    let at = pointer + "/objref"
    let refFields = ["kind", "name", "apiVersion", "group", "version", "namespace"]
    let ref = try anyCase(entry["objref"] ?? .null, refFields, at: at)
    try onlyFields(ref, refFields, at: at)
    guard let kind = try string(ref["kind"], at: at + "/kind"),
      let objectName = try string(ref["name"], at: at + "/name")
    else { throw fail(at, "a var's objref needs a kind and a name") }
    var group = try string(ref["group"], at: at + "/group")
    var version = try string(ref["version"], at: at + "/version")
    if let apiVersion = try string(ref["apiVersion"], at: at + "/apiVersion") {
      let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
      (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts.first ?? "")
    }
    var fieldPath = "metadata.name"
    if let written = entry["fieldref"], !written.isNull {
      let fieldRef = try anyCase(written, ["fieldpath"], at: pointer + "/fieldref")
      try onlyFields(fieldRef, ["fieldpath"], at: pointer + "/fieldref")
      fieldPath =
        try string(fieldRef["fieldpath"], at: pointer + "/fieldref/fieldpath") ?? fieldPath
    }
    return VarRule(
      name: name, kind: kind, objectName: objectName, group: group, version: version,
      namespace: try string(ref["namespace"], at: at + "/namespace"), fieldPath: fieldPath,
      file: file, line: document.line(at: pointer) ?? document.line)
  }

  private func transformerConfig(
    _ path: String, at pointer: String,
    loadFile: (_ path: String, _ pointer: String) throws(RenderError) -> String
  ) throws(RenderError) -> TransformerConfig {
    let source = FilePath.join(FilePath.directory(of: file), path)
    let config = try Self.singleDocument(
      try loadFile(path, pointer), file: source, what: "configurations")
    return try TransformerConfigReader(
      file: source, document: config ?? YAMLDocument(value: .null)
    ).read()
  }

  /// `replacements`: each entry inline (`source` and `targets`) or a `path` to a file holding
  /// one replacement or a list of them.
  private func replacements(
    loadFile: (_ path: String, _ pointer: String) throws(RenderError) -> String
  ) throws(RenderError) -> [Replacement] {
    var result: [Replacement] = []
    for (index, entry) in try list("replacements").enumerated() {
      let at = "/replacements/\(index)"
      guard let fields = entry.objectValue else {
        throw fail(at, "a replacements entry must be a mapping, found \(entry.typeDescription)")
      }
      guard let pathValue = fields["path"], !pathValue.isNull else {
        result.append(try ReplacementReader(file: file, document: document).read(at: at))
        continue
      }
      guard fields.count == 1 else {
        throw fail(at, "cannot specify both path and inline replacement")
      }
      guard let path = try string(pathValue, at: at + "/path") else { continue }
      let source = FilePath.join(FilePath.directory(of: file), path)
      guard
        let replacementFile = try Self.singleDocument(
          try loadFile(path, at + "/path"), file: source, what: "replacements")
      else { continue }
      result += try ReplacementReader(file: source, document: replacementFile).readFile()
    }
    return result
  }

  /// `buildMetadata`; only the top kustomization's counts, as in kustomize.
  func buildMetadata() throws(RenderError) -> Set<BuildMetadata> {
    var options: Set<BuildMetadata> = []
    for (index, name) in try strings("buildMetadata").enumerated() {
      guard let option = BuildMetadata(rawValue: name) else {
        let supported = BuildMetadata.allCases.map(\.rawValue).joined(separator: ", ")
        throw fail(
          "/buildMetadata/\(index)",
          name == "transformerAnnotations"
            ? "buildMetadata transformerAnnotations is not supported by Wavesync (supported: \(supported))"
            : "unknown buildMetadata option \"\(name)\" (supported: \(supported))")
      }
      options.insert(option)
    }
    return options
  }

  /// `sortOptions`: `order: fifo`, or `order: legacy` with optional `legacySortOptions` (the
  /// kinds to put first and last).
  func sortOptions() throws(RenderError) -> Kustomization.OutputOrder? {
    let pointer = "/sortOptions"
    guard let value = fields["sortOptions"], !value.isNull else { return nil }
    try onlyFields(value, ["order", "legacySortOptions"], at: pointer)
    var legacyOptions = value["legacySortOptions"]
    if legacyOptions?.isNull == true { legacyOptions = nil }
    switch try string(value["order"], at: pointer + "/order") {
    case "fifo":
      guard legacyOptions == nil else {
        throw fail(
          pointer + "/legacySortOptions",
          "legacySortOptions is set but the order is fifo, not legacy")
      }
      return .fifo
    case "legacy":
      guard let legacyOptions else { return .legacy(LegacyOrder()) }
      let at = pointer + "/legacySortOptions"
      try onlyFields(legacyOptions, ["orderFirst", "orderLast"], at: at)
      return .legacy(
        LegacyOrder(
          first: try stringList(legacyOptions["orderFirst"], at: at + "/orderFirst"),
          last: try stringList(legacyOptions["orderLast"], at: at + "/orderLast")))
    default:
      throw fail(pointer + "/order", "sortOptions.order must be fifo or legacy")
    }
  }

  private func generatorOptions(_ value: Value?, at pointer: String) throws(RenderError)
    -> GeneratorOptions
  {
    guard let value, !value.isNull else { return GeneratorOptions() }
    try onlyFields(
      value, ["labels", "annotations", "disableNameSuffixHash", "immutable"], at: pointer)
    return GeneratorOptions(
      labels: try stringMap(value["labels"], at: pointer + "/labels"),
      annotations: try stringMap(value["annotations"], at: pointer + "/annotations"),
      disableNameSuffixHash: value["disableNameSuffixHash"].map { _ in true } == nil
        ? nil : try bool(value["disableNameSuffixHash"], at: pointer + "/disableNameSuffixHash"),
      immutable: value["immutable"] == nil
        ? nil : try bool(value["immutable"], at: pointer + "/immutable"))
  }

  private func generator(_ entry: Value, at pointer: String, secret: Bool) throws(RenderError)
    -> GeneratorArgs
  {
    var allowed = ["name", "namespace", "behavior", "literals", "files", "envs", "env", "options"]
    if secret { allowed.append("type") }
    try onlyFields(entry, allowed, at: pointer)
    guard let name = try string(entry["name"], at: pointer + "/name"), !name.isEmpty else {
      throw fail(pointer, "a generator needs a name")
    }
    func stringList(_ key: String) throws(RenderError) -> [String] {
      try self.stringList(entry[key], at: pointer + "/" + key)
    }
    let behaviorText = try string(entry["behavior"], at: pointer + "/behavior") ?? "create"
    guard let behavior = GeneratorBehavior(rawValue: behaviorText) else {
      throw fail(
        pointer + "/behavior",
        "unknown behavior \"\(behaviorText)\" (expected create, merge or replace)")
    }
    var envs = try stringList("envs")
    if let env = try string(entry["env"], at: pointer + "/env") { envs.insert(env, at: 0) }
    return GeneratorArgs(
      name: name, namespace: try string(entry["namespace"], at: pointer + "/namespace"),
      behavior: behavior,
      literals: try stringList("literals"), files: try stringList("files"), envs: envs,
      type: secret ? try string(entry["type"], at: pointer + "/type") : nil,
      options: try generatorOptions(entry["options"], at: pointer + "/options"),
      kustomizationFile: file, line: document.line(at: pointer) ?? document.line)
  }
}
