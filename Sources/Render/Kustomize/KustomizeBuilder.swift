internal import Foundation
public import Model

/// Builds kustomizations from a file tree as `kubectl kustomize` (kustomize v5) does, for the
/// fields Wavesync supports: same objects, same order, same names, same values.
public struct KustomizeBuilder: Sendable {
  public let tree: any FileTree
  /// Kustomizations that include one another, each a level of recursion: real overlays nest a
  /// few levels, and a chain of thousands would exhaust the stack.
  public static let maxNesting = 100

  public init(tree: any FileTree) {
    self.tree = tree
  }

  /// Builds the kustomization in `directory` (a repository path; `""` is the root).
  public func build(directory: String) throws(RenderError) -> [Value] {
    let directory = FilePath.normalize(directory)
    let (file, document) = try loadKustomization(in: directory, referencedFrom: nil)
    let reader = KustomizationReader(file: file, document: document)
    let metadata = try reader.buildMetadata()
    let (resources, config) = try accumulate(
      document, file: file, directory: directory, onto: ([], nil), stack: [],
      originRoot: metadata.contains(.originAnnotations) ? directory : nil)
    return try finish(
      resources, config: config, order: try reader.sortOptions() ?? .legacy(LegacyOrder()),
      managedByLabel: metadata.contains(.managedByLabel))
  }

  /// Builds a kustomization that is not in the tree (Wavesync's per-site composition of an app's
  /// base and components), as if it were the file `file` in `directory`.
  public func build(kustomization: Value, file: String) throws(RenderError) -> [Value] {
    let document = YAMLDocument(value: kustomization)
    let (resources, config) = try accumulate(
      document, file: file, directory: FilePath.directory(of: file), onto: ([], nil), stack: [],
      originRoot: nil)
    return try finish(
      resources, config: config, order: .legacy(LegacyOrder()), managedByLabel: false)
  }

  /// The steps kustomize runs once, at the top: content-hash suffixes, then references to every
  /// renamed object, then the output order.
  private func finish(
    _ built: [KustomizeResource], config: TransformerConfig?, order: Kustomization.OutputOrder,
    managedByLabel: Bool
  ) throws(RenderError) -> [Value] {
    let config = config ?? .builtin
    var resources = built
    for index in resources.indices where resources[index].generator?.appendHash == true {
      let suffix = ContentHash.suffix(for: resources[index].object)
      resources[index].rename(to: resources[index].name + "-" + suffix)
    }
    try NameReferences.fix(&resources, extra: config.nameReference)
    try Vars.substitute(in: &resources, specs: config.varReference)
    // Objects marked local-config only serve the build (a name or a value to refer to).
    resources.removeAll {
      guard let mark = $0.object[path: ["metadata", "annotations", Self.localConfigKey]] else {
        return false
      }
      return mark.scalarText != "false"
    }
    for resource in resources where Self.containsNonFinite(resource.object) {
      throw RenderError(
        file: resource.file, object: resource.label,
        message:
          "holds .inf or .nan, which Kubernetes (JSON) cannot represent; quote it if it is meant as text"
      )
    }
    if managedByLabel {
      for index in resources.indices {
        resources[index].object[path: ["metadata", "labels", BuildMetadata.managedByKey]] =
          .string(BuildMetadata.managedByValue)
      }
    }
    let indices: [Int] =
      switch order {
      case .fifo: Array(resources.indices)
      case .legacy(let legacy): legacy.sorted(resources.map(\.id))
      }
    return indices.map { AnnotationValues.printed(resources[$0].object) }
  }

  private static let localConfigKey = "config.kubernetes.io/local-config"

  private static func containsNonFinite(_ value: Value) -> Bool {
    switch value {
    case .double(let d): !d.isFinite
    case .array(let items): items.contains(where: containsNonFinite)
    case .object(let entries): entries.values.contains(where: containsNonFinite)
    default: false
    }
  }

  // MARK: - Accumulation

  /// `originRoot`: the top folder, when objects get origin annotations (relative to it).
  /// Returns the objects and the transformer tables of the build so far (nil: none yet).
  private func accumulate(
    _ document: YAMLDocument, file: String, directory: String,
    onto existing: ([KustomizeResource], TransformerConfig?),
    stack: [String], originRoot: String?
  ) throws(RenderError) -> ([KustomizeResource], TransformerConfig?) {
    let reader = KustomizationReader(file: file, document: document)
    let k = try reader.read { path, pointer throws(RenderError) in
      try text(of: path, from: file, via: reader, at: pointer)
    }
    let stack = stack + [directory]
    guard stack.count <= Self.maxNesting else {
      throw RenderError(
        file: file,
        message:
          "kustomizations nested more than \(Self.maxNesting) deep (from \(stack[0].isEmpty ? "the repository root" : stack[0]))"
      )
    }
    // A Component works on the resources of the kustomization listing it; built on its own (as
    // kubectl kustomize builds one) it starts from nothing.
    var resources = k.kind == .component ? existing.0 : []
    var config = k.kind == .component ? existing.1 : nil
    func join(_ next: TransformerConfig, at pointer: String) throws(RenderError) {
      do { config = try TransformerConfig.joining(config, next) } catch {
        throw reader.fail(
          pointer, error.message)
      }
    }

    for (index, entry) in k.resources.enumerated() {
      let at = "/resources/\(index)"
      let path = try resolve(entry, from: file, via: reader, at: at)
      if try tree.isDirectory(path) {
        let (subFile, subDocument) = try loadKustomization(in: path, referencedFrom: (reader, at))
        guard !stack.contains(path) else {
          throw reader.fail(
            at, "cycle: \(path) includes itself through \(stack.joined(separator: " -> "))")
        }
        if case .string("Component")? = subDocument.value["kind"] {
          throw reader.fail(at, "\(entry) is a Component: list it under components, not resources")
        }
        let (built, builtConfig) = try accumulate(
          subDocument, file: subFile, directory: path, onto: ([], nil), stack: stack,
          originRoot: originRoot)
        for resource in built { try add(resource, to: &resources) }
        if let builtConfig { try join(builtConfig, at: at) }
      } else if let data = try contents(of: path) {
        try requireInside(path, directory: directory, reader: reader, at: at, entry: entry)
        for var resource in try readResources(data, file: path) {
          if let originRoot {
            resource.object[path: ["metadata", "annotations", BuildMetadata.originKey]] =
              BuildMetadata.origin(ofFile: path, root: originRoot)
          }
          try add(resource, to: &resources)
        }
      } else {
        throw reader.fail(at, "resource \(entry) not found (looked for \(path))")
      }
    }

    // The kustomization's own tables: the built-in ones with its configuration files merged in.
    let own: TransformerConfig
    do { own = try TransformerConfig.builtin.merging(k.transformerConfig ?? .builtin) } catch {
      throw reader.fail(
        "/configurations", error.message)
    }
    try join(own, at: "/configurations")

    // Kustomize generates before it applies the components, so a component can merge into
    // what the kustomization generates.
    try runGenerators(k, file: file, reader: reader, originRoot: originRoot, into: &resources)

    for (index, entry) in k.components.enumerated() {
      let at = "/components/\(index)"
      let path = try resolve(entry, from: file, via: reader, at: at)
      guard try tree.isDirectory(path) else {
        throw reader.fail(at, "component \(entry) is not a directory")
      }
      guard !stack.contains(path) else {
        throw reader.fail(
          at, "cycle: \(path) includes itself through \(stack.joined(separator: " -> "))")
      }
      let (subFile, subDocument) = try loadKustomization(in: path, referencedFrom: (reader, at))
      guard case .string("Component")? = subDocument.value["kind"] else {
        throw reader.fail(
          at, "\(entry) is not a Component (kind: Component); list it under resources")
      }
      (resources, config) = try accumulate(
        subDocument, file: subFile, directory: path, onto: (resources, config), stack: stack,
        originRoot: originRoot)
    }

    try runTransformers(k, file: file, config: config ?? .builtin, on: &resources)
    try Vars.attach(k.vars, to: &resources)
    try checkUnique(resources, after: file)
    return (resources, config)
  }

  private func runGenerators(
    _ k: Kustomization, file: String, reader: KustomizationReader, originRoot: String?,
    into resources: inout [KustomizeResource]
  ) throws(RenderError) {
    let all = k.configMapGenerator.map { ($0, false) } + k.secretGenerator.map { ($0, true) }
    for (args, isSecret) in all {
      let generator = ConfigDataGenerator { path throws(RenderError) in
        let resolved = try resolve(path, from: file, via: reader, at: "")
        try requireInside(
          resolved, directory: FilePath.directory(of: file), reader: reader, at: "", entry: path)
        guard let data = try contents(of: resolved) else {
          throw RenderError(
            file: file, line: args.line, message: "file \(path) not found (looked for \(resolved))")
        }
        return data
      }
      var made = try generator.make(args, isSecret: isSecret, defaults: k.generatorOptions)
      // A merged object keeps the origin of the generator that made it; a replaced one takes
      // the new generator's.
      if let originRoot, args.behavior != .merge {
        made.object[path: ["metadata", "annotations", BuildMetadata.originKey]] =
          BuildMetadata.origin(
            ofGenerator: isSecret ? "SecretGenerator" : "ConfigMapGenerator", in: file,
            root: originRoot)
      }
      switch args.behavior {
      case .create:
        try add(made, to: &resources)
      case .merge, .replace:
        let madeID = made.id
        guard
          let index = resources.firstIndex(where: {
            $0.id.kind == madeID.kind && $0.allNames.contains(args.name)
              && (args.namespace == nil || $0.allNamespaces.contains(args.namespace))
          })
        else {
          throw RenderError(
            file: file, line: args.line,
            message:
              "\(madeID.kind) \(args.name) does not exist in the resources so far; cannot \(args.behavior.rawValue) it"
          )
        }
        GeneratedDataMerge.apply(made, behavior: args.behavior, onto: &resources[index])
      }
    }
  }

  private func runTransformers(
    _ k: Kustomization, file: String, config: TransformerConfig,
    on resources: inout [KustomizeResource]
  ) throws(RenderError) {
    for patch in k.patchesStrategicMerge + k.patches {
      try PatchTransformer.apply(patch, to: &resources)
    }
    if let namespace = k.namespace, !namespace.isEmpty {
      try MetadataTransformers.setNamespace(namespace, on: &resources, config: config)
    }
    try MetadataTransformers.affixNames(
      prefix: k.namePrefix, suffix: k.nameSuffix, on: &resources, config: config)
    for rule in k.labels {
      let specs: [FieldSpec]
      do { specs = try rule.specs(config) } catch {
        throw RenderError(
          file: file,
          message:
            "labels: " + error.message
        )
      }
      try MetadataTransformers.addLabels(rule.pairs, specs: specs, to: &resources)
    }
    try MetadataTransformers.addLabels(
      k.commonLabels, specs: config.commonLabels, to: &resources)
    try MetadataTransformers.addAnnotations(
      k.commonAnnotations, specs: config.commonAnnotations, to: &resources)
    for patch in k.patchesJson6902 { try PatchTransformer.apply(patch, to: &resources) }
    try MetadataTransformers.setReplicas(
      k.replicas, on: &resources, file: file, specs: config.replicas)
    try MetadataTransformers.setImages(k.images, on: &resources, config: config)
    try Replacements.apply(k.replacements, to: &resources)
  }

  // MARK: - Files

  private func add(_ resource: KustomizeResource, to resources: inout [KustomizeResource])
    throws(RenderError)
  {
    let id = resource.id
    if let existing = resources.first(where: { Self.sameObject($0.id, id) }) {
      throw RenderError(
        file: resource.file, object: id.description,
        message: "\(id) is defined twice (also in \(existing.file)); an object may appear only once"
      )
    }
    resources.append(resource)
  }

  /// Transformers can make two objects one (two Namespaces renamed to the kustomization's namespace).
  private func checkUnique(_ resources: [KustomizeResource], after file: String) throws(RenderError)
  {
    for (index, resource) in resources.enumerated() {
      let id = resource.id
      if let other = resources[..<index].first(where: { Self.sameObject($0.id, id) }) {
        throw RenderError(
          file: file, object: id.description,
          message: "the transformations make two objects \(id): \(other.file) and \(resource.file)")
      }
    }
  }

  private static func sameObject(_ a: ObjectIdentity, _ b: ObjectIdentity) -> Bool {
    func ns(_ id: ObjectIdentity) -> String {
      ClusterScope.isClusterScoped(id) ? "" : (id.namespace ?? "default")
    }
    return a.group == b.group && a.version == b.version && a.kind == b.kind && a.name == b.name
      && ns(a) == ns(b)
  }

  /// Every object of a manifest file. A `List`, `ConfigMapList` or other `…List` with `items` is
  /// unpacked as kustomize unpacks it: its items (lists among them unpacked too) come after the
  /// file's other objects, and a null `items` holds nothing.
  private func readResources(_ data: Data, file: String) throws(RenderError) -> [KustomizeResource]
  {
    guard let text = String(data: data, encoding: .utf8) else {
      throw RenderError(file: file, message: "file is not valid UTF-8 text")
    }
    let documents = try RenderError.documents(text, file: file, rules: .kustomize)
    var resources: [KustomizeResource] = []
    // Items keep no written text: kustomize passes them through JSON.
    var queue = documents.map { document in
      var text = document
      text.value = .null
      return (
        AnnotationValues.asWritten(document.value, in: document, at: []), document.line,
        WrittenEmptyFields.paths(in: document.value, of: document), Optional(text)
      )
    }
    var next = 0
    while next < queue.count {
      let (object, line, emptyFields, writtenText) = queue[next]
      next += 1
      guard case .object(let fields) = object else {
        throw RenderError(
          file: file, line: line,
          message: "expected a Kubernetes object (a mapping), found \(object.typeDescription)")
      }
      guard fields["kind"]?.stringValue?.hasSuffix("List") == true, let items = fields["items"]
      else {
        var resource = try checked(object, file: file, line: line)
        resource.writtenEmptyFields = emptyFields
        resource.writtenText = writtenText
        resources.append(resource)
        continue
      }
      switch items {
      case .null: continue
      case .array(let list): queue += list.map { ($0, line, [], nil) }
      default:
        throw RenderError(
          file: file, line: line,
          message: "the items of a \(fields["kind"]?.stringValue ?? "") must be a list")
      }
    }
    return resources
  }

  private func checked(_ object: Value, file: String, line: Int) throws(RenderError)
    -> KustomizeResource
  {
    do {
      _ = try ObjectIdentity(of: object)
    } catch {
      throw RenderError(file: file, line: line, message: error.description)
    }
    return try KustomizeResource(object: object, file: file)
  }

  private func loadKustomization(
    in directory: String, referencedFrom: (KustomizationReader, String)?
  ) throws(RenderError) -> (String, YAMLDocument) {
    var present: [String] = []
    for name in Kustomization.fileNames
    where try contents(of: FilePath.join(directory, name)) != nil {
      present.append(name)
    }
    if present.count > 1 {
      throw RenderError(
        file: directory.isEmpty ? nil : directory,
        message: "found several kustomization files (\(present.joined(separator: ", "))); keep one")
    }
    if let name = present.first, let data = try contents(of: FilePath.join(directory, name)) {
      let file = FilePath.join(directory, name)
      guard let text = String(data: data, encoding: .utf8) else {
        throw RenderError(file: file, message: "file is not valid UTF-8 text")
      }
      // Kustomize reads its own file with YAML 1.1 rules (`yes` is a boolean there).
      let documents = try RenderError.documents(text, file: file, rules: .kubectl)
      guard documents.count <= 1 else {
        throw RenderError(
          file: file, line: documents[1].line,
          message: "a kustomization must be a single YAML document")
      }
      return (file, documents.first ?? YAMLDocument(value: .emptyObject))
    }
    let message =
      "no kustomization.yaml in \(directory.isEmpty ? "the repository root" : directory)"
    if let (reader, at) = referencedFrom { throw reader.fail(at, message) }
    throw RenderError(file: directory.isEmpty ? nil : directory, message: message)
  }

  /// A path written in a kustomization, relative to its directory; remote URLs and paths that leave
  /// the repository are refused.
  private func resolve(
    _ entry: String, from file: String, via reader: KustomizationReader, at pointer: String
  )
    throws(RenderError) -> String
  {
    if entry.contains("://") || entry.hasPrefix("github.com/") || entry.hasPrefix("git@") {
      throw reader.fail(
        pointer,
        "remote resource \(entry) is not supported: keep everything in the fleet repository")
    }
    if entry.hasPrefix("/") {
      throw reader.fail(
        pointer, "absolute path \(entry) is not allowed; use a path relative to \(file)")
    }
    let joined = FilePath.join(FilePath.directory(of: file), entry)
    if FilePath.escapesRoot(joined) {
      throw reader.fail(pointer, "path \(entry) leaves the repository")
    }
    return joined
  }

  /// Kustomize reads files only in or below the kustomization's own directory (directories of
  /// other kustomizations may be anywhere in the repository).
  private func requireInside(
    _ path: String, directory: String, reader: KustomizationReader, at pointer: String,
    entry: String
  ) throws(RenderError) {
    guard directory.isEmpty || path.hasPrefix(directory + "/") else {
      throw reader.fail(
        pointer,
        "file \(entry) is outside \(directory); a kustomization reads files only in or below its folder"
      )
    }
  }

  /// A patch file's text; `pointer` is the entry naming it, for the error's line.
  private func text(
    of path: String, from file: String, via reader: KustomizationReader, at pointer: String
  ) throws(RenderError) -> String {
    let resolved = try resolve(path, from: file, via: reader, at: pointer)
    try requireInside(
      resolved, directory: FilePath.directory(of: file), reader: reader, at: pointer, entry: path)
    guard let data = try contents(of: resolved) else {
      let what =
        pointer.hasPrefix("/configurations")
        ? "configurations file"
        : pointer.hasPrefix("/replacements") ? "replacements file" : "patch file"
      throw reader.fail(pointer, "\(what) \(path) not found (looked for \(resolved))")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw RenderError(file: resolved, message: "file is not valid UTF-8 text")
    }
    return text
  }

  private func contents(of path: String) throws(RenderError) -> Data? {
    do { return try tree.contents(of: path) } catch { throw RenderError.reading(path, error) }
  }
}

extension FileTree {
  fileprivate func isDirectory(_ path: String) throws(RenderError) -> Bool {
    do { return try entries(of: path) != nil } catch { throw RenderError.reading(path, error) }
  }
}
