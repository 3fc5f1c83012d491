import Health
import Model
import Testing

let claims: [Recorded] = [
  Recorded(
    "PVC: pending", .inProgress, "ClaimPending",
    message: "waiting for a volume of 10Gi to bind (phase Pending)",
    """
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: data-db-0, namespace: retail}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: local-path
      resources: {requests: {storage: 10Gi}}
    status: {phase: Pending}
    """),
  Recorded(
    "PVC: no status yet", .inProgress, "ClaimPending",
    """
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: data-db-0, namespace: retail}
    spec: {resources: {requests: {storage: 1Gi}}}
    """),
  Recorded(
    "PVC: bound", .current, "Bound",
    message: "bound to volume pvc-3f1e9a4c with 10Gi",
    """
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: data-db-0, namespace: retail}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 10Gi}}
      volumeName: pvc-3f1e9a4c
    status:
      phase: Bound
      accessModes: [ReadWriteOnce]
      capacity: {storage: 10Gi}
    """),
  Recorded(
    "PVC: its volume is lost", .failed, "ClaimLost",
    message: "the volume pvc-3f1e9a4c the claim was bound to no longer exists",
    """
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: data-db-0, namespace: retail}
    spec: {volumeName: pvc-3f1e9a4c}
    status: {phase: Lost}
    """),
]

let services: [Recorded] = [
  Recorded(
    "Service: ClusterIP", .current, "ServiceReady",
    message: "a ClusterIP service at 10.0.0.17 with 2 ports",
    """
    apiVersion: v1
    kind: Service
    metadata: {name: shop, namespace: retail}
    spec:
      type: ClusterIP
      clusterIP: 10.0.0.17
      selector: {app: shop}
      ports:
      - {name: http, port: 80, targetPort: 8080}
      - {name: metrics, port: 9090}
    status: {loadBalancer: {}}
    """),
  Recorded(
    "Service: headless, no type given", .current, "ServiceReady",
    """
    apiVersion: v1
    kind: Service
    metadata: {name: db, namespace: retail}
    spec: {clusterIP: None, ports: [{port: 5432}]}
    """),
  Recorded(
    "Service: NodePort", .current, "ServiceReady",
    """
    apiVersion: v1
    kind: Service
    metadata: {name: shop-np, namespace: retail}
    spec: {type: NodePort, ports: [{port: 80, nodePort: 30080}]}
    """),
  Recorded(
    "Service: ExternalName", .current, "ServiceReady",
    """
    apiVersion: v1
    kind: Service
    metadata: {name: payments, namespace: retail}
    spec: {type: ExternalName, externalName: payments.example.com}
    """),
  Recorded(
    "Service: LoadBalancer waiting for an address", .inProgress, "LoadBalancerPending",
    message: "waiting for the load balancer of 1 port to get an address (0 ingress points)",
    """
    apiVersion: v1
    kind: Service
    metadata: {name: shop-lb, namespace: retail}
    spec: {type: LoadBalancer, ports: [{port: 443}]}
    status: {loadBalancer: {}}
    """),
  Recorded(
    "Service: LoadBalancer with an address", .current, "LoadBalancerReady",
    message: "the load balancer has 2 ingress points: 192.0.2.10, lb.example.net",
    """
    apiVersion: v1
    kind: Service
    metadata: {name: shop-lb, namespace: retail}
    spec: {type: LoadBalancer, ports: [{port: 443}]}
    status:
      loadBalancer:
        ingress:
        - ip: 192.0.2.10
        - hostname: lb.example.net
    """),
]

let definitions: [Recorded] = [
  Recorded(
    "CRD: just created", .inProgress, "NotEstablished",
    message: "waiting for the API server to serve widgets.example.com (1 version to serve)",
    """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.com, generation: 1}
    spec:
      group: example.com
      scope: Namespaced
      names: {plural: widgets, singular: widget, kind: Widget}
      versions:
      - {name: v1, served: true, storage: true}
    """),
  Recorded(
    "CRD: names accepted, not established yet", .inProgress, "NotEstablished",
    """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.com, generation: 1}
    spec:
      group: example.com
      names: {plural: widgets, kind: Widget}
      versions: [{name: v1, served: true, storage: true}]
    status:
      conditions:
      - {type: NamesAccepted, status: "True", reason: NoConflicts}
      - {type: Established, status: "False", reason: Installing}
    """),
  Recorded(
    "CRD: established", .current, "Established",
    message: "widgets.example.com is served in 2 versions",
    """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.com, generation: 2}
    spec:
      group: example.com
      names: {plural: widgets, kind: Widget}
      versions:
      - {name: v1, served: true, storage: true}
      - {name: v1beta1, served: true, storage: false}
      - {name: v1alpha1, served: false, storage: false}
    status:
      acceptedNames: {plural: widgets, kind: Widget}
      storedVersions: [v1]
      conditions:
      - type: NamesAccepted
        status: "True"
        reason: NoConflicts
        message: no conflicts found
      - type: Established
        status: "True"
        reason: InitialNamesAccepted
        message: the initial names have been accepted
    """),
  Recorded(
    "CRD: names clash", .failed, "MultipleNamesNotAllowed",
    """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: gadgets.example.com, generation: 1}
    spec:
      group: example.com
      names: {plural: gadgets, kind: Widget}
      versions: [{name: v1, served: true, storage: true}]
    status:
      conditions:
      - type: NamesAccepted
        status: "False"
        reason: MultipleNamesNotAllowed
        message: '"Widget" is already in use'
      - {type: Established, status: "False", reason: NotAccepted}
    """),
]

let namespacesAndStaticKinds: [Recorded] = [
  Recorded(
    "Namespace: active", .current, "Active",
    """
    apiVersion: v1
    kind: Namespace
    metadata: {name: retail}
    spec: {finalizers: [kubernetes]}
    status: {phase: Active}
    """),
  Recorded(
    "Namespace: just applied, no status", .current, "Active",
    """
    apiVersion: v1
    kind: Namespace
    metadata: {name: retail}
    """),
  Recorded(
    "Namespace: terminating (phase only)", .inProgress, "Terminating",
    message: "the namespace is terminating with 1 finalizer left",
    """
    apiVersion: v1
    kind: Namespace
    metadata: {name: retail}
    spec: {finalizers: [kubernetes]}
    status: {phase: Terminating}
    """),
  Recorded(
    "Namespace: being deleted", .inProgress, "Terminating",
    """
    apiVersion: v1
    kind: Namespace
    metadata: {name: retail, deletionTimestamp: "2024-05-02T12:00:00Z"}
    spec: {finalizers: [kubernetes]}
    status: {phase: Terminating}
    """),
  Recorded(
    "ConfigMap", .current, "NoStatus",
    message: "a ConfigMap has no status to wait for; it is current once applied",
    """
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: shop-config, namespace: retail}
    data: {LOG_LEVEL: info}
    """),
  Recorded(
    "Secret", .current, "NoStatus",
    """
    apiVersion: v1
    kind: Secret
    metadata: {name: shop-token, namespace: retail}
    type: Opaque
    data: {token: c2VjcmV0}
    """),
  Recorded(
    "ServiceAccount", .current, "NoStatus",
    """
    apiVersion: v1
    kind: ServiceAccount
    metadata: {name: shop, namespace: retail}
    """),
  Recorded(
    "Role", .current, "NoStatus",
    """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: Role
    metadata: {name: reader, namespace: retail}
    rules:
    - {apiGroups: [""], resources: [configmaps], verbs: [get, list]}
    """),
  Recorded(
    "ClusterRoleBinding", .current, "NoStatus",
    """
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRoleBinding
    metadata: {name: wavesync-reader}
    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
    subjects: [{kind: ServiceAccount, name: wavesync, namespace: wavesync-system}]
    """),
  Recorded(
    "an unknown kind with no status", .current, "NoStatus",
    message: "a Widget has no status to wait for; it is current once applied",
    """
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: blue, namespace: retail, generation: 1}
    spec: {color: blue}
    """),
]

let customResources: [Recorded] = [
  Recorded(
    "custom resource: Ready True", .current, "Ready",
    message: "the Ready condition is True (ReconciliationSucceeded: Release reconciliation "
      + "succeeded)",
    """
    apiVersion: helm.toolkit.fluxcd.io/v2
    kind: HelmRelease
    metadata: {name: shop, namespace: retail, generation: 3}
    status:
      observedGeneration: 3
      conditions:
      - type: Ready
        status: "True"
        reason: ReconciliationSucceeded
        message: Release reconciliation succeeded
    """),
  Recorded(
    "custom resource: Ready False with a failure", .failed, "InstallFailed",
    message: "the Ready condition is False (InstallFailed: Helm install failed: timed out)",
    """
    apiVersion: helm.toolkit.fluxcd.io/v2
    kind: HelmRelease
    metadata: {name: shop, namespace: retail, generation: 3}
    status:
      observedGeneration: 3
      conditions:
      - type: Ready
        status: "False"
        reason: InstallFailed
        message: 'Helm install failed: timed out'
    """),
  Recorded(
    "custom resource: Ready False with an error", .failed, "ReconcileError",
    """
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: blue, namespace: retail, generation: 1}
    status:
      conditions: [{type: Ready, status: "False", reason: ReconcileError}]
    """),
  Recorded(
    "custom resource: Ready False while progressing", .inProgress, "Progressing",
    """
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: blue, namespace: retail, generation: 1}
    status:
      conditions: [{type: Ready, status: "False", reason: Progressing}]
    """),
  Recorded(
    "custom resource: Ready Unknown", .inProgress, "NotReady",
    """
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: blue, namespace: retail, generation: 1}
    status:
      conditions: [{type: Ready, status: Unknown}]
    """),
  Recorded(
    "custom resource: Ready describes an older generation", .inProgress, "ReadyConditionStale",
    message: "the Ready condition describes generation 1, not yet generation 2",
    """
    apiVersion: cert-manager.io/v1
    kind: Certificate
    metadata: {name: shop-tls, namespace: retail, generation: 2}
    status:
      conditions:
      - {type: Ready, status: "True", observedGeneration: 1, reason: Ready}
    """),
  Recorded(
    "custom resource: Stalled", .failed, "ArtifactFailed",
    """
    apiVersion: source.toolkit.fluxcd.io/v1
    kind: GitRepository
    metadata: {name: fleet, namespace: flux-system, generation: 1}
    status:
      observedGeneration: 1
      conditions:
      - {type: Stalled, status: "True", reason: ArtifactFailed, message: no such branch}
      - {type: Ready, status: "False", reason: ArtifactFailed}
    """),
  Recorded(
    "custom resource: Reconciling", .inProgress, "Progressing",
    """
    apiVersion: source.toolkit.fluxcd.io/v1
    kind: GitRepository
    metadata: {name: fleet, namespace: flux-system, generation: 1}
    status:
      observedGeneration: 1
      conditions:
      - {type: Reconciling, status: "True", reason: Progressing}
      - {type: Ready, status: Unknown, reason: Progressing}
    """),
  Recorded(
    "custom resource: only observedGeneration, caught up", .current, "GenerationObserved",
    message: "the controller has observed generation 4",
    """
    apiVersion: policy/v1
    kind: PodDisruptionBudget
    metadata: {name: shop, namespace: retail, generation: 4}
    spec: {minAvailable: 1}
    status: {observedGeneration: 4, currentHealthy: 3, desiredHealthy: 1}
    """),
  Recorded(
    "custom resource: observedGeneration behind", .inProgress, "GenerationNotObserved",
    message: "the controller has not seen generation 5 yet (it last observed 4)",
    """
    apiVersion: example.com/v1
    kind: Widget
    metadata: {name: blue, namespace: retail, generation: 5}
    status:
      observedGeneration: 4
      conditions: [{type: Ready, status: "True"}]
    """),
]

@Suite struct OtherKindsHealthTests {
  @Test(arguments: claims) func aClaim(_ recorded: Recorded) throws { try recorded.check() }
  @Test(arguments: services) func aService(_ recorded: Recorded) throws { try recorded.check() }
  @Test(arguments: definitions) func aDefinition(_ recorded: Recorded) throws {
    try recorded.check()
  }
  @Test(arguments: namespacesAndStaticKinds) func aNamespaceOrStaticKind(_ recorded: Recorded)
    throws
  { try recorded.check() }
  @Test(arguments: customResources) func aCustomResource(_ recorded: Recorded) throws {
    try recorded.check()
  }

  @Test func valuesThatAreNotObjectsAreUnknown() throws {
    #expect(Health.of(.null).status == .unknown)
    #expect(Health.of(.null).reason == "NotFound")
    for value: Value in ["a string", 3, ["a", "list"], ["kind": "Pod"], ["apiVersion": "v1"]] {
      let health = Health.of(value)
      #expect(health.status == .unknown, "\(value)")
      #expect(health.reason == "NotAnObject", "\(value)")
    }
    #expect(
      Health.of(["kind": "Pod"]).message
        == "expected a Kubernetes object with apiVersion and kind, found a mapping")
  }

  @Test func mistypedFieldsDoNotCrash() throws {
    // Counts as strings, conditions as a mapping: read as absent, never a crash.
    let health = try health(
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: odd, namespace: retail, generation: "2"}
      spec: {replicas: "3"}
      status: {observedGeneration: x, updatedReplicas: "3", conditions: {Available: true}}
      """)
    #expect(health.status == .inProgress)
    #expect(health.reason == "ReplicasUpdating")
  }
}
