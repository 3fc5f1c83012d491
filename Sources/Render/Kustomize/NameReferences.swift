import Model

/// After prefixes, suffixes and content hashes renamed objects, points every reference at the
/// new name: a Deployment's `configMapRef`, a RoleBinding's `roleRef`, an Ingress backend, ...
/// A reference to an object outside the build is left as written.
enum NameReferences {
  private struct Reference {
    /// The kind referred to.
    var kind: String
    /// From a configuration file: the referred kind's group and version, when given.
    var group: String? = nil
    var version: String? = nil
    var referrer: FieldSpec
    /// For fields beside a `kind` (roleRef, scaleTargetRef, subjects): the kind it must name.
    var siblingKind: Bool = false
    /// Whether the field is a map with `name` and `namespace` (subjects, webhook services).
    var namespacedMap: Bool = false
  }

  private static let podSpecs: [(kind: String, path: String)] = [
    ("Pod", "spec"), ("PodTemplate", "template/spec"),
    ("ReplicationController", "spec/template/spec"),
    ("Deployment", "spec/template/spec"), ("ReplicaSet", "spec/template/spec"),
    ("DaemonSet", "spec/template/spec"), ("StatefulSet", "spec/template/spec"),
    ("Job", "spec/template/spec"),
    ("CronJob", "spec/jobTemplate/spec/template/spec"),
  ]

  private static let podFields: [(kind: String, path: String)] = [
    ("ConfigMap", "volumes/configMap/name"),
    ("ConfigMap", "containers/env/valueFrom/configMapKeyRef/name"),
    ("ConfigMap", "initContainers/env/valueFrom/configMapKeyRef/name"),
    ("ConfigMap", "containers/envFrom/configMapRef/name"),
    ("ConfigMap", "initContainers/envFrom/configMapRef/name"),
    ("ConfigMap", "volumes/projected/sources/configMap/name"),
    ("Secret", "volumes/secret/secretName"),
    ("Secret", "containers/env/valueFrom/secretKeyRef/name"),
    ("Secret", "initContainers/env/valueFrom/secretKeyRef/name"),
    ("Secret", "containers/envFrom/secretRef/name"),
    ("Secret", "initContainers/envFrom/secretRef/name"),
    ("Secret", "volumes/projected/sources/secret/name"),
    ("Secret", "imagePullSecrets/name"), ("ServiceAccount", "serviceAccountName"),
    ("PersistentVolumeClaim", "volumes/persistentVolumeClaim/claimName"),
    ("PriorityClass", "priorityClassName"),
  ]

  private static let references: [Reference] =
    podSpecs.flatMap { pod in
      podFields.map { field in
        Reference(
          kind: field.kind, referrer: FieldSpec(pod.path + "/" + field.path, kind: pod.kind))
      }
    }
    + ["Deployment", "ReplicationController", "ReplicaSet", "StatefulSet"].map {
      Reference(
        kind: $0, referrer: FieldSpec("spec/scaleTargetRef", kind: "HorizontalPodAutoscaler"),
        siblingKind: true)
    }
    + [
      Reference(kind: "Secret", referrer: FieldSpec("spec/tls/secretName", kind: "Ingress")),
      Reference(
        kind: "Secret", referrer: FieldSpec("imagePullSecrets/name", kind: "ServiceAccount")),
      Reference(kind: "Service", referrer: FieldSpec("spec/serviceName", kind: "StatefulSet")),
      Reference(
        kind: "Service",
        referrer: FieldSpec("spec/rules/http/paths/backend/service/name", kind: "Ingress")),
      Reference(
        kind: "Service", referrer: FieldSpec("spec/defaultBackend/service/name", kind: "Ingress")),
      Reference(
        kind: "Service",
        referrer: FieldSpec("spec/rules/http/paths/backend/serviceName", kind: "Ingress")),
      Reference(kind: "Service", referrer: FieldSpec("spec/backend/serviceName", kind: "Ingress")),
      Reference(kind: "Service", referrer: FieldSpec("spec/service/name", kind: "APIService")),
      Reference(
        kind: "Service",
        referrer: FieldSpec(
          "webhooks/clientConfig/service", kind: "ValidatingWebhookConfiguration"),
        namespacedMap: true),
      Reference(
        kind: "Service",
        referrer: FieldSpec("webhooks/clientConfig/service", kind: "MutatingWebhookConfiguration"),
        namespacedMap: true),
      Reference(
        kind: "Role", referrer: FieldSpec("roleRef", kind: "RoleBinding"), siblingKind: true),
      Reference(
        kind: "ClusterRole", referrer: FieldSpec("roleRef", kind: "RoleBinding"), siblingKind: true),
      Reference(
        kind: "ClusterRole", referrer: FieldSpec("roleRef", kind: "ClusterRoleBinding"),
        siblingKind: true),
      Reference(
        kind: "ServiceAccount", referrer: FieldSpec("subjects", kind: "RoleBinding"),
        siblingKind: true, namespacedMap: true),
      Reference(
        kind: "ServiceAccount", referrer: FieldSpec("subjects", kind: "ClusterRoleBinding"),
        siblingKind: true,
        namespacedMap: true),
      Reference(
        kind: "PersistentVolume",
        referrer: FieldSpec("spec/volumeName", kind: "PersistentVolumeClaim")),
      Reference(
        kind: "StorageClass", referrer: FieldSpec("spec/storageClassName", kind: "PersistentVolume")
      ),
      Reference(
        kind: "StorageClass",
        referrer: FieldSpec("spec/storageClassName", kind: "PersistentVolumeClaim")),
      Reference(
        kind: "StorageClass",
        referrer: FieldSpec("spec/volumeClaimTemplates/spec/storageClassName", kind: "StatefulSet")),
      Reference(
        kind: "IngressClass", referrer: FieldSpec("spec/ingressClassName", kind: "Ingress")),
      Reference(
        kind: "ConfigMap", referrer: FieldSpec("spec/configSource/configMap", kind: "Node"),
        namespacedMap: true),
      Reference(
        kind: "ConfigMap",
        referrer: FieldSpec(
          #"metadata/annotations/nginx.ingress.kubernetes.io\/fastcgi-params-configmap"#,
          kind: "Ingress")),
      Reference(
        kind: "Secret",
        referrer: FieldSpec(
          #"metadata/annotations/ingress.kubernetes.io\/auth-secret"#, kind: "Ingress")
      ),
      Reference(
        kind: "Secret",
        referrer: FieldSpec(
          #"metadata/annotations/nginx.ingress.kubernetes.io\/auth-secret"#, kind: "Ingress")),
      Reference(
        kind: "Secret",
        referrer: FieldSpec(
          #"metadata/annotations/nginx.ingress.kubernetes.io\/auth-tls-secret"#, kind: "Ingress")),
      Reference(
        kind: "Secret", referrer: FieldSpec("spec/azureFile/secretName", kind: "PersistentVolume")),
      Reference(
        kind: "ValidatingAdmissionPolicy",
        referrer: FieldSpec(
          "spec/policyName", kind: "ValidatingAdmissionPolicyBinding",
          group: "admissionregistration.k8s.io")),
    ]
    + ["secretName", "adminSecretName", "userSecretName", "secretRef"].map {
      Reference(kind: "Secret", referrer: FieldSpec("parameters/" + $0, kind: "StorageClass"))
    }
    // Kustomize renames these even where a rule is about other resources (leases, say).
    + [
      ("ConfigMap", "Role"), ("ConfigMap", "ClusterRole"), ("Secret", "Role"),
      ("Secret", "ClusterRole"), ("PersistentVolume", "ClusterRole"),
    ].map {
      Reference(kind: $0.0, referrer: FieldSpec("rules/resourceNames", kind: $0.1))
    }

  /// `extra`: the references of the build's configuration files.
  static func fix(
    _ resources: inout [KustomizeResource], extra: [TransformerConfig.NameReferenceRule] = []
  ) throws(RenderError) {
    let snapshot = resources
    let references =
      references
      + extra.flatMap { rule in
        // A map field of a configured reference takes the object's namespace too, as kustomize
        // writes it for any map with a `name`.
        rule.referrers.map {
          Reference(
            kind: rule.kind, group: rule.group, version: rule.version, referrer: $0,
            namespacedMap: true)
        }
      }
    for index in resources.indices {
      let referrer = snapshot[index]
      let id = referrer.id
      try checkSubjectNamespaces(of: referrer)
      for reference in references where reference.referrer.applies(to: id) {
        try reference.referrer.visit(&resources[index].object) { field throws(RenderError) in
          guard let current = field else { return }
          field = try resolve(current, reference, referrer: referrer, among: snapshot)
        }
      }
    }
  }

  /// Kustomize refuses a RoleBinding whose ServiceAccount subject has a `namespace` that is not
  /// a string (written empty or null), rather than guess which namespace is meant.
  private static func checkSubjectNamespaces(of referrer: KustomizeResource) throws(RenderError) {
    guard referrer.id.kind == "RoleBinding",
      case .array(let subjects)? = referrer.object["subjects"]
    else { return }
    for subject in subjects
    where subject["kind"]?.stringValue == "ServiceAccount"
      && subject["namespace"].map({ $0.stringValue == nil }) == true
    {
      throw RenderError(
        file: referrer.file, object: referrer.label,
        message:
          "the ServiceAccount subject \(subject["name"]?.stringValue ?? "") has a blank namespace; write one or leave the field out"
      )
    }
  }

  private static func resolve(
    _ field: Value, _ reference: Reference, referrer: KustomizeResource,
    among all: [KustomizeResource]
  ) throws(RenderError) -> Value {
    switch field {
    case .string(let name):
      guard
        let target = try find(
          reference, named: name, namespace: referrer.namespace, referrer: referrer, in: all)
      else { return field }
      return .string(target.name)
    case .object:
      if reference.siblingKind, field["kind"]?.stringValue != reference.kind { return field }
      guard let name = field["name"]?.stringValue else { return field }
      // A subject without a namespace is looked for in the referrer's, as kustomize does.
      let namespace =
        reference.namespacedMap
        ? field["namespace"]?.stringValue ?? referrer.namespace : referrer.namespace
      guard
        let target = try find(
          reference, named: name, namespace: namespace, referrer: referrer, in: all)
      else { return field }
      var updated = field
      updated["name"] = .string(target.name)
      if reference.namespacedMap, field["namespace"] != nil || target.namespace != nil,
        let targetNamespace = target.namespace
      {
        updated["namespace"] = .string(targetNamespace)
      }
      return updated
    case .array(let items):
      var resolved: [Value] = []
      for item in items {
        resolved.append(try resolve(item, reference, referrer: referrer, among: all))
      }
      return .array(resolved)
    default:
      return field
    }
  }

  /// The object of `kind` that was once called `name` (renamed since) in a namespace compatible
  /// with the reference. Among several, kustomize takes the one renamed with the same prefixes
  /// and suffixes as the referrer; several that still differ are an error, as in kustomize.
  private static func find(
    _ reference: Reference, named name: String, namespace: String?, referrer: KustomizeResource,
    in all: [KustomizeResource]
  ) throws(RenderError) -> KustomizeResource? {
    let kind = reference.kind
    // Kustomize looks only at objects that had this name before a rename or a namespace change.
    let candidates = all.filter {
      $0.id.kind == kind && ((reference.group ?? "").isEmpty || $0.id.group == reference.group)
        && ((reference.version ?? "").isEmpty || $0.id.version == reference.version)
        && ($0.previousNames.contains(name) || ($0.name == name && !$0.previousNamespaces.isEmpty))
    }
    let referrerScoped = ClusterScope.isClusterScoped(referrer.id)
    // Kustomize compares namespaces with the object's original and current ones only.
    let matching = candidates.filter { candidate in
      if ClusterScope.isClusterScoped(candidate.id) || (referrerScoped && namespace == nil) {
        return true
      }
      let original = candidate.previousNamespaces.first ?? candidate.namespace
      return effective(namespace) == effective(candidate.namespace)
        || effective(namespace) == effective(original)
    }
    if matching.count <= 1 { return matching.first }
    var sieved = matching.filter { sameAffixes($0, referrer, allowingEmpty: true) }
    if sieved.count > 1 {
      sieved = sieved.filter { sameAffixes($0, referrer, allowingEmpty: false) }
    }
    guard let first = sieved.first else { return nil }
    if sieved.allSatisfy({ $0.name == first.name && $0.namespace == first.namespace }) {
      return first
    }
    throw RenderError(
      file: referrer.file, object: referrer.label,
      message:
        "the reference to \(kind) \(name) could mean any of \(sieved.map(\.label).joined(separator: ", ")); rename one of them"
    )
  }

  /// Whether both objects were renamed with the same trailing prefixes and suffixes (with
  /// `allowingEmpty`, an object with none matches any).
  private static func sameAffixes(
    _ a: KustomizeResource, _ b: KustomizeResource, allowingEmpty: Bool
  ) -> Bool {
    func same(_ x: [String], _ y: [String]) -> Bool {
      if allowingEmpty && (x.isEmpty || y.isEmpty) { return true }
      let (short, long) = x.count <= y.count ? (x, y) : (y, x)
      return short.isEmpty ? long.isEmpty : long.suffix(short.count).elementsEqual(short)
    }
    return same(a.prefixes, b.prefixes) && same(a.suffixes, b.suffixes)
  }

  private static func effective(_ namespace: String?) -> String {
    namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
  }
}
