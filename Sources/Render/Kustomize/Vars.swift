import Model

/// `vars` (deprecated in kustomize, still common): a value read from one object's field,
/// written into `$(NAME)` in certain fields of every object once the build is done.
struct VarRule: Sendable {
  var name: String
  var kind: String
  var objectName: String
  /// From the objref's apiVersion (or group and version); nil matches any.
  var group: String?
  var version: String?
  var namespace: String?
  /// `fieldref.fieldpath`, `metadata.name` when not given: dots between keys, `[n]` for an index.
  var fieldPath: String
  var file: String
  var line: Int
}

enum Vars {
  /// Marks the object each var of a kustomization reads from, once its resources are built.
  static func attach(_ vars: [VarRule], to resources: inout [KustomizeResource]) throws(RenderError)
  {
    for rule in vars {
      let matches = resources.indices.filter { index in
        let id = resources[index].id
        return id.kind == rule.kind && resources[index].allNames.contains(rule.objectName)
          && (rule.group == nil || id.group == rule.group)
          && (rule.version == nil || id.version == rule.version)
          && (rule.namespace == nil || resources[index].allNamespaces.contains(rule.namespace))
      }
      guard matches.count <= 1 else {
        throw RenderError(
          file: rule.file, line: rule.line,
          message: "var \(rule.name) matches \(matches.count) objects; it must name one")
      }
      guard let index = matches.first else {
        throw RenderError(
          file: rule.file, line: rule.line,
          message:
            "var \(rule.name) names \(rule.kind) \(rule.objectName), which is not among the resources"
        )
      }
      resources[index].vars.append(rule)
    }
  }

  /// Writes every var's value into `$(NAME)` in the fields kustomize substitutes.
  static func substitute(in resources: inout [KustomizeResource], specs: [FieldSpec])
    throws(RenderError)
  {
    var values: [String: Value] = [:]
    var definedIn: [String: String] = [:]
    for resource in resources {
      for rule in resource.vars {
        // Two kustomizations of one build defining the same var are refused, as in kustomize.
        if let other = definedIn.updateValue(rule.file, forKey: rule.name) {
          throw RenderError(
            file: rule.file, line: rule.line,
            message: "var \(rule.name) is defined twice (also in \(other))")
        }
        guard let value = field(rule.fieldPath, of: resource.object), isScalar(value) else {
          throw RenderError(
            file: rule.file, line: rule.line,
            message: "var \(rule.name): \(resource.label) has no value at \(rule.fieldPath)")
        }
        values[rule.name] = value
      }
    }
    guard !values.isEmpty else { return }
    for index in resources.indices {
      let id = resources[index].id
      try specs.visit(&resources[index].object, id: id) { field throws(RenderError) in
        guard let current = field else { return }
        field = replacing(in: current, values)
      }
    }
  }

  private static func isScalar(_ value: Value) -> Bool {
    switch value {
    case .string, .int, .uint, .double, .bool: true
    default: false
    }
  }

  /// Strings, strings in a list, and string values of a mapping get `$(NAME)` replaced.
  private static func replacing(in value: Value, _ values: [String: Value]) -> Value {
    switch value {
    case .string(let text): expand(text, values)
    case .array(let items): .array(items.map { replacing(in: $0, values) })
    case .object(let fields):
      .object(fields.mapValues { $0.stringValue == nil ? $0 : replacing(in: $0, values) })
    default: value
    }
  }

  /// `$(NAME)` becomes the value (the value itself, number or boolean, when it is the whole
  /// text); `$$` is a `$`; an unknown name stays as written.
  static func expand(_ text: String, _ values: [String: Value]) -> Value {
    let characters = Array(text)
    var result = ""
    var index = 0
    while index < characters.count {
      guard characters[index] == "$", index + 1 < characters.count else {
        result.append(characters[index])
        index += 1
        continue
      }
      let next = characters[index + 1]
      if next == "$" {
        result.append("$")
        index += 2
      } else if next == "(",
        let close = characters[(index + 2)...].firstIndex(of: ")")
      {
        let name = String(characters[(index + 2)..<close])
        if let value = values[name] {
          if index == 0 && close == characters.count - 1 { return value }
          result += value.scalarText
        } else {
          result += "$(" + name + ")"
        }
        index = close + 1
      } else {
        result.append("$")
        result.append(next)
        index += 2
      }
    }
    return .string(result)
  }

  /// `metadata.name`, `spec.ports[0].port`.
  private static func field(_ path: String, of object: Value) -> Value? {
    var current: Value? = object
    for part in path.split(separator: ".") {
      var key = Substring(part)
      var indices: [Int] = []
      while key.hasSuffix("]"), let open = key.lastIndex(of: "["),
        let number = Int(key[key.index(after: open)..<key.index(before: key.endIndex)])
      {
        indices.insert(number, at: 0)
        key = key[..<open]
      }
      current = current?[String(key)]
      for number in indices { current = current?[number] }
    }
    return current
  }

  /// The fields kustomize substitutes vars in.
  static let fieldSpecs: [FieldSpec] = {
    let podSpecs = [
      ("CronJob", "spec/jobTemplate/spec/template/spec"), ("DaemonSet", "spec/template/spec"),
      ("Deployment", "spec/template/spec"), ("Job", "spec/template/spec"), ("Pod", "spec"),
      ("ReplicaSet", "spec/template/spec"), ("StatefulSet", "spec/template/spec"),
    ]
    let containerFields = ["args", "command", "env/value", "volumeMounts/mountPath"]
    var specs: [FieldSpec] = podSpecs.flatMap { kind, pod in
      ["containers", "initContainers"].flatMap { list in
        containerFields.map { FieldSpec("\(pod)/\(list)/\($0)", kind: kind) }
      }
    }
    // Kustomize's NFS server fields, including its two odd paths.
    specs += [
      ("CronJob", "spec/jobTemplate/spec/template/volumes/nfs/server"),
      ("DaemonSet", "spec/template/spec/volumes/nfs/server"),
      ("Deployment", "spec/template/spec/volumes/nfs/server"),
      ("Job", "spec/template/spec/volumes/nfs/server"), ("Pod", "spec/volumes/nfs/server"),
      ("ReplicaSet", "spec/template/spec/volumes/nfs/server"),
      ("StatefulSet", "spec/volumeClaimTemplates/spec/nfs/server"),
      ("PersistentVolume", "spec/nfs/server"),
      ("Deployment", "spec/template/metadata/annotations"), ("Ingress", "spec/rules/host"),
      ("Ingress", "spec/tls/hosts"), ("Ingress", "spec/tls/secretName"),
      ("Service", "spec/ports/port"), ("Service", "spec/ports/targetPort"),
    ].map { FieldSpec($0.1, kind: $0.0) }
    return specs + [FieldSpec("metadata/labels"), FieldSpec("metadata/annotations")]
  }()
}
