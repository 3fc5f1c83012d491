/// Kinds that hold data or policy and have no status to wait for: current once applied.
enum StaticHealth {
  static let kinds: Set<String> = [
    "ConfigMap", "Secret", "ServiceAccount", "LimitRange", "ResourceQuota", "Endpoints",
    "PodTemplate",
    "rbac.authorization.k8s.io/Role", "rbac.authorization.k8s.io/ClusterRole",
    "rbac.authorization.k8s.io/RoleBinding", "rbac.authorization.k8s.io/ClusterRoleBinding",
    "networking.k8s.io/NetworkPolicy", "networking.k8s.io/IngressClass",
    "scheduling.k8s.io/PriorityClass", "storage.k8s.io/StorageClass",
    "node.k8s.io/RuntimeClass", "discovery.k8s.io/EndpointSlice",
    "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
    "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  ]

  static func isStatic(group: String, kind: String) -> Bool {
    kinds.contains(group.isEmpty ? kind : "\(group)/\(kind)")
  }

  static func health(of object: LiveObject) -> ObjectHealth {
    .current("NoStatus", "a \(object.kind) has no status to wait for; it is current once applied")
  }
}
