/// How a list field merges under a strategic merge patch.
enum ListMergeRule: Hashable, Sendable {
  /// The patch's list replaces the target's: lists without a patch strategy in the schema, and
  /// every list of a kind kustomize has no schema for.
  case replace
  /// A set of primitive values (`finalizers`): the patch's values, then the target's others.
  case mergeValues
  /// Mappings matched by keys: the patch merge key first, then the further list-map keys
  /// (`protocol` of ports) that kustomize matches on as well.
  case mergeByKeys([String])
}

/// The list merge rules of built-in kinds, as kustomize v5 reads them from the Kubernetes 1.21
/// OpenAPI schema it has compiled in. Each entry was checked against `kubectl kustomize`.
struct PatchMergeKeys: Sendable {
  private let kind: String

  /// The rules for objects of this type, or nil when kustomize has no schema for it (custom
  /// resources, API versions removed before 1.21): then every list is replaced.
  init?(apiVersion: String, kind: String) {
    guard Self.builtInKinds[apiVersion]?.contains(kind) == true else { return nil }
    self.kind = kind
  }

  /// The rule for the list at a path of field names from the object root; list elements add no
  /// name, so a container's env is at `spec.template.spec.containers.env`.
  func rule(at fieldPath: [String]) -> ListMergeRule {
    let key = fieldPath.joined(separator: ".")
    return Self.kindRules[kind]?[key] ?? Self.sharedRules[key] ?? .replace
  }

  // MARK: - Schema tables

  private static let byName = ListMergeRule.mergeByKeys(["name"])
  private static let byType = ListMergeRule.mergeByKeys(["type"])

  /// Where an ObjectMeta sits: the object's own and those of its pod and job templates.
  private static let objectMetaPaths = [
    "metadata", "template.metadata", "spec.template.metadata", "spec.jobTemplate.metadata",
    "spec.jobTemplate.spec.template.metadata",
  ]

  /// Where a pod spec sits: Pod, PodTemplate, the workload kinds, CronJob.
  private static let podSpecPaths = [
    "spec", "template.spec", "spec.template.spec", "spec.jobTemplate.spec.template.spec",
  ]

  private static let objectMetaRules: [String: ListMergeRule] = [
    "finalizers": .mergeValues,
    "ownerReferences": .mergeByKeys(["uid"]),
  ]

  private static let podSpecRules: [String: ListMergeRule] = [
    "containers": byName,
    "initContainers": byName,
    "ephemeralContainers": byName,
    "volumes": byName,
    "imagePullSecrets": byName,
    "hostAliases": .mergeByKeys(["ip"]),
    "topologySpreadConstraints": .mergeByKeys(["topologyKey", "whenUnsatisfiable"]),
  ]

  private static let containerRules: [String: ListMergeRule] = [
    "env": byName,
    "volumeMounts": .mergeByKeys(["mountPath"]),
    "volumeDevices": .mergeByKeys(["devicePath"]),
    "ports": .mergeByKeys(["containerPort", "protocol"]),
  ]

  /// Rules that hold in every built-in kind, wherever ObjectMeta or a pod spec appears.
  private static let sharedRules: [String: ListMergeRule] = {
    var rules: [String: ListMergeRule] = [:]
    for meta in objectMetaPaths {
      for (field, rule) in objectMetaRules { rules["\(meta).\(field)"] = rule }
    }
    for podSpec in podSpecPaths {
      for (field, rule) in podSpecRules { rules["\(podSpec).\(field)"] = rule }
      for containers in ["containers", "initContainers", "ephemeralContainers"] {
        for (field, rule) in containerRules {
          // Ephemeral containers have no patch strategy for their ports.
          if containers == "ephemeralContainers" && field == "ports" { continue }
          rules["\(podSpec).\(containers).\(field)"] = rule
        }
      }
    }
    return rules
  }()

  /// Rules of paths whose meaning depends on the kind.
  private static let kindRules: [String: [String: ListMergeRule]] = {
    var rules: [String: [String: ListMergeRule]] = [
      "Service": ["spec.ports": .mergeByKeys(["port", "protocol"])],
      "ServiceAccount": ["secrets": byName],
      "Node": ["spec.podCIDRs": .mergeValues, "status.addresses": byType],
      "Pod": ["status.podIPs": .mergeByKeys(["ip"])],
      "MutatingWebhookConfiguration": ["webhooks": byName],
      "ValidatingWebhookConfiguration": ["webhooks": byName],
    ]
    let kindsWithConditionsByType = [
      "Pod", "Node", "Namespace", "PersistentVolumeClaim", "ReplicationController", "Service",
      "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "PodDisruptionBudget",
      "APIService",
    ]
    for kind in kindsWithConditionsByType {
      rules[kind, default: [:]]["status.conditions"] = byType
    }
    return rules
  }()

  /// The kinds kustomize has a schema for, by apiVersion (probed with `kubectl kustomize`).
  private static let builtInKinds: [String: Set<String>] = [
    "v1": [
      "Binding", "ComponentStatus", "ConfigMap", "Endpoints", "Event", "LimitRange", "Namespace",
      "Node", "PersistentVolume", "PersistentVolumeClaim", "Pod", "PodTemplate",
      "ReplicationController", "ResourceQuota", "Secret", "Service", "ServiceAccount",
    ],
    "admissionregistration.k8s.io/v1": [
      "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    ],
    "admissionregistration.k8s.io/v1beta1": [
      "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    ],
    "apiextensions.k8s.io/v1": ["CustomResourceDefinition"],
    "apiextensions.k8s.io/v1beta1": ["CustomResourceDefinition"],
    "apiregistration.k8s.io/v1": ["APIService"],
    "apiregistration.k8s.io/v1beta1": ["APIService"],
    "apps/v1": ["ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"],
    "authentication.k8s.io/v1": ["TokenRequest", "TokenReview"],
    "authentication.k8s.io/v1beta1": ["TokenReview"],
    "authorization.k8s.io/v1": [
      "LocalSubjectAccessReview", "SelfSubjectAccessReview", "SelfSubjectRulesReview",
      "SubjectAccessReview",
    ],
    "authorization.k8s.io/v1beta1": ["SubjectAccessReview"],
    "autoscaling/v1": ["HorizontalPodAutoscaler", "Scale"],
    "autoscaling/v2beta1": ["HorizontalPodAutoscaler"],
    "autoscaling/v2beta2": ["HorizontalPodAutoscaler"],
    "batch/v1": ["CronJob", "Job"],
    "batch/v1beta1": ["CronJob"],
    "certificates.k8s.io/v1": ["CertificateSigningRequest"],
    "certificates.k8s.io/v1beta1": ["CertificateSigningRequest"],
    "coordination.k8s.io/v1": ["Lease"],
    "coordination.k8s.io/v1beta1": ["Lease"],
    "discovery.k8s.io/v1": ["EndpointSlice"],
    "discovery.k8s.io/v1beta1": ["EndpointSlice"],
    "events.k8s.io/v1": ["Event"],
    "events.k8s.io/v1beta1": ["Event"],
    "extensions/v1beta1": ["Ingress"],
    "flowcontrol.apiserver.k8s.io/v1beta1": ["FlowSchema", "PriorityLevelConfiguration"],
    "networking.k8s.io/v1": ["Ingress", "IngressClass", "NetworkPolicy"],
    "networking.k8s.io/v1beta1": ["Ingress", "IngressClass"],
    "node.k8s.io/v1": ["RuntimeClass"],
    "node.k8s.io/v1beta1": ["RuntimeClass"],
    "policy/v1": ["PodDisruptionBudget"],
    "policy/v1beta1": ["Eviction", "PodDisruptionBudget", "PodSecurityPolicy"],
    "rbac.authorization.k8s.io/v1": ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
    "rbac.authorization.k8s.io/v1beta1": [
      "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding",
    ],
    "scheduling.k8s.io/v1": ["PriorityClass"],
    "scheduling.k8s.io/v1beta1": ["PriorityClass"],
    "storage.k8s.io/v1": ["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
    "storage.k8s.io/v1beta1": [
      "CSIDriver", "CSINode", "CSIStorageCapacity", "StorageClass", "VolumeAttachment",
    ],
  ]
}
