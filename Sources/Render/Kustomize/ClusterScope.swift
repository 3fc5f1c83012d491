public import Model

/// Built-in kinds that live outside namespaces. Kustomize leaves `namespace` off these;
/// unknown kinds (custom resources) are taken to be namespaced, as kustomize takes them.
public enum ClusterScope {
  private static let kinds: Set<String> = [
    "/ComponentStatus", "/Namespace", "/Node", "/PersistentVolume",
    "admissionregistration.k8s.io/MutatingWebhookConfiguration",
    "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
    "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
    "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
    "apiextensions.k8s.io/CustomResourceDefinition", "apiregistration.k8s.io/APIService",
    "authentication.k8s.io/TokenReview", "authorization.k8s.io/SelfSubjectAccessReview",
    "authorization.k8s.io/SelfSubjectRulesReview", "authorization.k8s.io/SubjectAccessReview",
    "certificates.k8s.io/CertificateSigningRequest",
    "flowcontrol.apiserver.k8s.io/FlowSchema",
    "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
    "networking.k8s.io/IngressClass", "node.k8s.io/RuntimeClass",
    "policy/PodSecurityPolicy", "rbac.authorization.k8s.io/ClusterRole",
    "rbac.authorization.k8s.io/ClusterRoleBinding", "scheduling.k8s.io/PriorityClass",
    "storage.k8s.io/CSIDriver", "storage.k8s.io/CSINode", "storage.k8s.io/StorageClass",
    "storage.k8s.io/VolumeAttachment",
  ]

  public static func isClusterScoped(_ id: ObjectIdentity) -> Bool {
    kinds.contains(id.group + "/" + id.kind)
  }
}
