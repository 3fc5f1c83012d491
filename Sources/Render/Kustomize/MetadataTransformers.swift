import Model
internal import OrderedCollections

/// `namespace`, `namePrefix`/`nameSuffix`, `commonLabels`/`labels`, `commonAnnotations`,
/// `replicas` and `images`: the transformers that set fields by kustomize's field tables.
enum MetadataTransformers {
  static func setNamespace(
    _ namespace: String, on resources: inout [KustomizeResource], config: TransformerConfig
  ) throws(RenderError) {
    // `metadata/namespace` is set by the rules above; a configuration adds other fields.
    let fields = config.namespace.filter { $0.path != ["metadata", "namespace"] }
    for index in resources.indices {
      let id = resources[index].id
      if ClusterScope.isClusterScoped(id) {
        if id.kind == "Namespace" && id.apiVersion == "v1" {
          resources[index].rename(to: namespace)
        }
      } else {
        resources[index].setNamespace(namespace, recordingSame: true)
      }
      if id.kind == "RoleBinding" || id.kind == "ClusterRoleBinding",
        case .array(var subjects)? = resources[index].object["subjects"]
      {
        // Kustomize moves only subjects named "default"; others follow their ServiceAccount.
        for i in subjects.indices where subjects[i]["name"]?.stringValue == "default" {
          subjects[i]["namespace"] = .string(namespace)
        }
        resources[index].object["subjects"] = .array(subjects)
      }
      try fields.visit(&resources[index].object, id: id) {
        field throws(RenderError) in
        field = .string(namespace)
      }
    }
  }

  private static let unprefixedKinds: Set<String> = [
    "CustomResourceDefinition", "Namespace", "APIService",
  ]

  /// Prefixes and suffixes the names of the kinds `config` lists under `metadata/name` (by
  /// default all), and its other `namePrefix`/`nameSuffix` fields.
  static func affixNames(
    prefix: String, suffix: String, on resources: inout [KustomizeResource],
    config: TransformerConfig
  ) throws(RenderError) {
    guard !prefix.isEmpty || !suffix.isEmpty else { return }
    let name = ["metadata", "name"]
    let prefixSpecs = prefix.isEmpty ? [] : config.namePrefix
    let suffixSpecs = suffix.isEmpty ? [] : config.nameSuffix
    for index in resources.indices where !unprefixedKinds.contains(resources[index].id.kind) {
      let id = resources[index].id
      let prefixed = prefixSpecs.contains { $0.path == name && $0.applies(to: id) }
      let suffixed = suffixSpecs.contains { $0.path == name && $0.applies(to: id) }
      if prefixed || suffixed {
        resources[index].rename(
          to: (prefixed ? prefix : "") + resources[index].name + (suffixed ? suffix : ""))
      }
      if prefixed { resources[index].prefixes.append(prefix) }
      if suffixed { resources[index].suffixes.append(suffix) }
      try prefixSpecs.filter { $0.path != name }.visit(&resources[index].object, id: id) {
        field throws(RenderError) in
        if case .string(let text)? = field { field = .string(prefix + text) }
      }
      try suffixSpecs.filter { $0.path != name }.visit(&resources[index].object, id: id) {
        field throws(RenderError) in
        if case .string(let text)? = field { field = .string(text + suffix) }
      }
    }
  }

  static func addLabels(
    _ labels: OrderedDictionary<String, String>, specs: [FieldSpec],
    to resources: inout [KustomizeResource]
  ) throws(RenderError) {
    guard !labels.isEmpty else { return }
    try merge(labels, specs: specs, into: &resources, what: "labels")
  }

  static func addAnnotations(
    _ annotations: OrderedDictionary<String, String>, specs: [FieldSpec],
    to resources: inout [KustomizeResource]
  ) throws(RenderError) {
    guard !annotations.isEmpty else { return }
    try merge(annotations, specs: specs, into: &resources, what: "annotations")
  }

  private static func merge(
    _ pairs: OrderedDictionary<String, String>, specs: [FieldSpec],
    into resources: inout [KustomizeResource],
    what: String
  ) throws(RenderError) {
    for index in resources.indices {
      let resource = resources[index]
      try specs.visit(&resources[index].object, id: resource.id) { field throws(RenderError) in
        var map: OrderedDictionary<String, Value>
        switch field {
        case nil, .null?: map = [:]
        case .object(let existing)?: map = existing
        case let other?:
          throw RenderError(
            file: resource.file, object: resource.label,
            message: "cannot add \(what) to \(other.typeDescription)")
        }
        for (key, value) in pairs { map[key] = .string(value) }
        field = .object(map)
      }
    }
  }

  static func setReplicas(
    _ rules: [Kustomization.ReplicaRule], on resources: inout [KustomizeResource], file: String,
    specs: [FieldSpec]
  ) throws(RenderError) {
    for rule in rules {
      let matches = resources.indices.filter { index in
        resources[index].allNames.contains(rule.name)
          && specs.contains { $0.applies(to: resources[index].id) }
      }
      guard !matches.isEmpty else {
        throw RenderError(
          file: file,
          message:
            "replicas: no Deployment, StatefulSet, ReplicaSet or ReplicationController named \(rule.name)"
        )
      }
      for index in matches {
        try specs.visit(&resources[index].object, id: resources[index].id) {
          field throws(RenderError) in field = .int(rule.count)
        }
      }
    }
  }

  static func setImages(
    _ rules: [Kustomization.ImageRule], on resources: inout [KustomizeResource],
    config: TransformerConfig
  ) throws(RenderError) {
    // Kustomize runs each entry over all objects in turn: its search of every container list,
    // then its image fields (containers at the usual places see the entry twice). It rewrites
    // images only, whatever `create` its table says.
    let fields = config.images.map { spec in
      var existing = spec
      existing.create = false
      return existing
    }
    for matcher in rules.map(ImageMatcher.init) {
      for index in resources.indices where resources[index].id.kind != "CustomResourceDefinition" {
        var object = resources[index].object
        updateContainerImages(in: &object, matcher)
        try fields.visit(
          &object, id: resources[index].id
        ) { field throws(RenderError) in
          if case .string(let image)? = field { field = .string(matcher.apply(to: image)) }
        }
        resources[index].object = object
      }
    }
  }

  /// Every `containers` and `initContainers` list anywhere in the object, as kustomize searches.
  private static func updateContainerImages(in value: inout Value, _ matcher: ImageMatcher) {
    switch value {
    case .object(var entries):
      for key in entries.keys {
        var child = entries[key]!
        updateContainerImages(in: &child, matcher)
        if key == "containers" || key == "initContainers", case .array(var containers) = child {
          for i in containers.indices {
            if case .string(let image)? = containers[i]["image"] {
              containers[i]["image"] = .string(matcher.apply(to: image))
            }
          }
          child = .array(containers)
        }
        entries[key] = child
      }
      value = .object(entries)
    case .array(var items):
      for i in items.indices { updateContainerImages(in: &items[i], matcher) }
      value = .array(items)
    default: break
    }
  }
}
