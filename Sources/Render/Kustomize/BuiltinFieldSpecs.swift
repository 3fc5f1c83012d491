/// Where kustomize's built-in transformers look in each kind, so Wavesync's output matches
/// `kubectl kustomize` field for field.
enum BuiltinFieldSpecs {
  /// Kinds with a pod template at `spec/template`, keyed to the group kustomize limits them to.
  private static let podTemplateKinds: [(kind: String, group: String?, version: String?)] = [
    ("ReplicationController", nil, "v1"), ("Deployment", nil, nil), ("ReplicaSet", nil, nil),
    ("DaemonSet", nil, nil), ("StatefulSet", "apps", nil), ("Job", "batch", nil),
  ]

  /// Labels on objects and, for workloads, on their pod templates.
  static let metadataLabels: [FieldSpec] =
    [FieldSpec("metadata/labels", create: true)]
    + podTemplateKinds.map {
      FieldSpec(
        "spec/template/metadata/labels", kind: $0.kind, group: $0.group, version: $0.version,
        create: true)
    } + [
      FieldSpec("spec/jobTemplate/metadata/labels", kind: "CronJob", group: "batch", create: true),
      FieldSpec(
        "spec/jobTemplate/spec/template/metadata/labels", kind: "CronJob", group: "batch",
        create: true),
    ]

  /// Labels for `labels` entries with `includeTemplates`: pod templates and claim templates.
  static let templateLabels: [FieldSpec] =
    metadataLabels + [
      FieldSpec(
        "spec/volumeClaimTemplates[]/metadata/labels", kind: "StatefulSet", group: "apps",
        create: true)
    ]

  private static let affinitySelectors = [
    "spec/template/spec/affinity/podAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels",
    "spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels",
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
  ]

  /// Labels that also select: `commonLabels` and `labels` with `includeSelectors`.
  static let selectorLabels: [FieldSpec] =
    [
      FieldSpec("spec/selector", kind: "Service", version: "v1", create: true),
      FieldSpec("spec/selector", kind: "ReplicationController", version: "v1", create: true),
      FieldSpec("spec/selector/matchLabels", kind: "Deployment", create: true),
    ]
    + affinitySelectors.map { FieldSpec($0, kind: "Deployment", group: "apps") }
    + [
      FieldSpec("spec/selector/matchLabels", kind: "ReplicaSet", create: true),
      FieldSpec("spec/selector/matchLabels", kind: "DaemonSet", create: true),
      FieldSpec("spec/selector/matchLabels", kind: "StatefulSet", group: "apps", create: true),
      FieldSpec(
        "spec/volumeClaimTemplates[]/metadata/labels", kind: "StatefulSet", group: "apps",
        create: true),
    ]
    + affinitySelectors.map { FieldSpec($0, kind: "StatefulSet", group: "apps") }
    + [
      FieldSpec("spec/selector/matchLabels", kind: "Job", group: "batch"),
      FieldSpec("spec/jobTemplate/spec/selector/matchLabels", kind: "CronJob", group: "batch"),
      FieldSpec("spec/selector/matchLabels", kind: "PodDisruptionBudget", group: "policy"),
      FieldSpec("spec/podSelector/matchLabels", kind: "NetworkPolicy", group: "networking.k8s.io"),
      FieldSpec(
        "spec/ingress/from/podSelector/matchLabels", kind: "NetworkPolicy",
        group: "networking.k8s.io"),
      FieldSpec(
        "spec/egress/to/podSelector/matchLabels", kind: "NetworkPolicy", group: "networking.k8s.io"),
    ] + metadataLabels

  static let annotations: [FieldSpec] =
    [FieldSpec("metadata/annotations", create: true)]
    + [
      ("ReplicationController", nil, "v1"), ("Deployment", nil, nil), ("ReplicaSet", nil, nil),
      ("DaemonSet", nil, nil), ("StatefulSet", nil, nil), ("Job", "batch", nil),
    ].map { (kind: String, group: String?, version: String?) in
      FieldSpec(
        "spec/template/metadata/annotations", kind: kind, group: group, version: version,
        create: true)
    } + [
      FieldSpec(
        "spec/jobTemplate/metadata/annotations", kind: "CronJob", group: "batch", create: true),
      FieldSpec(
        "spec/jobTemplate/spec/template/metadata/annotations", kind: "CronJob", group: "batch",
        create: true),
    ]

  static let replicas: [FieldSpec] = [
    "Deployment", "ReplicationController", "ReplicaSet", "StatefulSet",
  ].map {
    FieldSpec("spec/replicas", kind: $0, create: true)
  }

  /// Namespace fields besides `metadata/namespace`.
  static let namespaceFields: [FieldSpec] = [
    FieldSpec(
      "spec/service/namespace", kind: "APIService", group: "apiregistration.k8s.io", create: true),
    FieldSpec(
      "spec/conversion/webhook/clientConfig/service/namespace", kind: "CustomResourceDefinition",
      group: "apiextensions.k8s.io"),
  ]

  /// The container image fields kustomize visits a second time, after its search of every
  /// `containers`/`initContainers` list: an image there is rewritten twice (visible with
  /// `tagSuffix`, which appends twice). Marked `create` as in kustomize's table (so a
  /// configuration file repeating them merges), though an image is only ever rewritten.
  static let containerImages: [FieldSpec] = [
    "spec/containers[]/image", "spec/initContainers[]/image",
    "spec/template/spec/containers[]/image", "spec/template/spec/initContainers[]/image",
  ].map { FieldSpec($0, create: true) }

  /// Image fields besides every `containers`/`initContainers` list, which are found anywhere.
  static let imageVolumes: [FieldSpec] = [
    FieldSpec("spec/volumes[]/image/reference", create: false),
    FieldSpec("spec/template/spec/volumes[]/image/reference", create: false),
  ]
}
