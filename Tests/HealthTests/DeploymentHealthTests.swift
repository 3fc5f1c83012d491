import Health
import Testing

/// A Deployment `shop` of 3 replicas at `generation`, as `kubectl get -o yaml` shows it, with
/// the status that follows.
private func shop(generation: Int, image: String = "registry.local/shop:2.0", _ status: String)
  -> String
{
  """
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: shop
    namespace: retail
    generation: \(generation)
    uid: 6f1c2a8e-8d0b-4d64-9d8e-0c1f6b9e2a71
    resourceVersion: "4711"
    annotations:
      deployment.kubernetes.io/revision: "\(generation)"
  spec:
    replicas: 3
    progressDeadlineSeconds: 600
    revisionHistoryLimit: 10
    selector:
      matchLabels: {app: shop}
    strategy:
      type: RollingUpdate
      rollingUpdate: {maxSurge: 25%, maxUnavailable: 25%}
    template:
      metadata:
        labels: {app: shop}
      spec:
        containers:
        - name: shop
          image: \(image)

  """ + status
}

/// A Deployment's way through creation and one rollout, snapshot by snapshot, as the
/// deployment controller and the kubelets move it.
let rollout: [Recorded] = [
  Recorded(
    "created: the controller has not seen it", .inProgress, "GenerationNotObserved",
    message: "the controller has not seen generation 1 yet",
    shop(generation: 1, image: "registry.local/shop:1.0", "status: {}\n")),
  Recorded(
    "created: pods starting", .inProgress, "ReplicasBecomingAvailable",
    message: "0 of 3 updated replicas available",
    shop(
      generation: 1, image: "registry.local/shop:1.0",
      """
      status:
        observedGeneration: 1
        replicas: 3
        updatedReplicas: 3
        unavailableReplicas: 3
        conditions:
        - type: Available
          status: "False"
          reason: MinimumReplicasUnavailable
          message: Deployment does not have minimum availability.
          lastUpdateTime: "2024-05-02T10:00:01Z"
          lastTransitionTime: "2024-05-02T10:00:01Z"
        - type: Progressing
          status: "True"
          reason: ReplicaSetUpdated
          message: ReplicaSet "shop-7c9d5f8b6" is progressing.
          lastUpdateTime: "2024-05-02T10:00:01Z"
          lastTransitionTime: "2024-05-02T10:00:01Z"
      """)),
  Recorded(
    "created: available", .current, "RolloutComplete",
    message: "3 of 3 replicas updated and available",
    shop(
      generation: 1, image: "registry.local/shop:1.0",
      """
      status:
        observedGeneration: 1
        replicas: 3
        updatedReplicas: 3
        readyReplicas: 3
        availableReplicas: 3
        conditions:
        - type: Available
          status: "True"
          reason: MinimumReplicasAvailable
          message: Deployment has minimum availability.
        - type: Progressing
          status: "True"
          reason: NewReplicaSetAvailable
          message: ReplicaSet "shop-7c9d5f8b6" has successfully progressed.
      """)),
  Recorded(
    "new image applied: generation 2 not seen yet", .inProgress, "GenerationNotObserved",
    message: "the controller has not seen generation 2 yet (it last observed 1)",
    shop(
      generation: 2,
      """
      status:
        observedGeneration: 1
        replicas: 3
        updatedReplicas: 3
        readyReplicas: 3
        availableReplicas: 3
        conditions:
        - {type: Available, status: "True", reason: MinimumReplicasAvailable}
        - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}
      """)),
  Recorded(
    "rollout: first new replica surging", .inProgress, "ReplicasUpdating",
    message: "1 of 3 replicas updated to the latest template",
    shop(
      generation: 2,
      """
      status:
        observedGeneration: 2
        replicas: 4
        updatedReplicas: 1
        readyReplicas: 3
        availableReplicas: 3
        unavailableReplicas: 1
        conditions:
        - {type: Available, status: "True", reason: MinimumReplicasAvailable}
        - type: Progressing
          status: "True"
          reason: ReplicaSetUpdated
          message: ReplicaSet "shop-5d8f7c6b9" is progressing.
      """)),
  Recorded(
    "rollout: two of three updated", .inProgress, "ReplicasUpdating",
    message: "2 of 3 replicas updated to the latest template",
    shop(
      generation: 2,
      """
      status:
        observedGeneration: 2
        replicas: 4
        updatedReplicas: 2
        readyReplicas: 3
        availableReplicas: 3
        unavailableReplicas: 1
        conditions:
        - {type: Available, status: "True", reason: MinimumReplicasAvailable}
        - {type: Progressing, status: "True", reason: ReplicaSetUpdated}
      """)),
  Recorded(
    "rollout: all updated, an old replica still terminating", .inProgress,
    "OldReplicasTerminating",
    message: "1 old replica still to be removed (4 running, 3 updated)",
    shop(
      generation: 2,
      """
      status:
        observedGeneration: 2
        replicas: 4
        updatedReplicas: 3
        readyReplicas: 3
        availableReplicas: 3
        unavailableReplicas: 1
        conditions:
        - {type: Available, status: "True", reason: MinimumReplicasAvailable}
        - {type: Progressing, status: "True", reason: ReplicaSetUpdated}
      """)),
  Recorded(
    "rollout: old ones gone, the last new one not yet available", .inProgress,
    "ReplicasBecomingAvailable",
    message: "2 of 3 updated replicas available",
    shop(
      generation: 2,
      """
      status:
        observedGeneration: 2
        replicas: 3
        updatedReplicas: 3
        readyReplicas: 2
        availableReplicas: 2
        unavailableReplicas: 1
        conditions:
        - {type: Available, status: "True", reason: MinimumReplicasAvailable}
        - {type: Progressing, status: "True", reason: ReplicaSetUpdated}
      """)),
  Recorded(
    "rollout: complete", .current, "RolloutComplete",
    message: "3 of 3 replicas updated and available",
    shop(
      generation: 2,
      """
      status:
        observedGeneration: 2
        replicas: 3
        updatedReplicas: 3
        readyReplicas: 3
        availableReplicas: 3
        conditions:
        - {type: Available, status: "True", reason: MinimumReplicasAvailable}
        - type: Progressing
          status: "True"
          reason: NewReplicaSetAvailable
          message: ReplicaSet "shop-5d8f7c6b9" has successfully progressed.
      """)),
]

/// The other states a Deployment can be in.
let deploymentCorners: [Recorded] = [
  Recorded(
    "counts complete but no Available condition yet", .inProgress, "WaitingForAvailable",
    message:
      "3 of 3 replicas available, but the controller has not reported the Available condition yet",
    shop(
      generation: 2,
      """
      status:
        observedGeneration: 2
        replicas: 3
        updatedReplicas: 3
        readyReplicas: 3
        availableReplicas: 3
      """)),
  Recorded(
    "counts complete but Available still False", .inProgress, "MinimumReplicasUnavailable",
    shop(
      generation: 2,
      """
      status:
        observedGeneration: 2
        replicas: 3
        updatedReplicas: 3
        availableReplicas: 3
        conditions:
        - {type: Available, status: "False", reason: MinimumReplicasUnavailable}
      """)),
  Recorded(
    "progress deadline exceeded", .failed, "ProgressDeadlineExceeded",
    message: "the rollout made no progress within its 600 s deadline: 1 of 3 replicas updated, "
      + "3 available",
    shop(
      generation: 2,
      """
      status:
        observedGeneration: 2
        replicas: 4
        updatedReplicas: 1
        readyReplicas: 3
        availableReplicas: 3
        unavailableReplicas: 1
        conditions:
        - {type: Available, status: "True", reason: MinimumReplicasAvailable}
        - type: Progressing
          status: "False"
          reason: ProgressDeadlineExceeded
          message: ReplicaSet "shop-5d8f7c6b9" has timed out progressing.
      """)),
  Recorded(
    "a failed rollout fixed by a new generation is in progress again", .inProgress,
    "GenerationNotObserved",
    shop(
      generation: 3,
      """
      status:
        observedGeneration: 2
        replicas: 4
        updatedReplicas: 1
        conditions:
        - {type: Progressing, status: "False", reason: ProgressDeadlineExceeded}
      """)),
  Recorded(
    "pods cannot be created (quota)", .inProgress, "ReplicaFailure",
    shop(
      generation: 2,
      """
      status:
        observedGeneration: 2
        replicas: 3
        updatedReplicas: 0
        conditions:
        - type: ReplicaFailure
          status: "True"
          reason: FailedCreate
          message: 'pods "shop-5d8f7c6b9-x" is forbidden: exceeded quota: compute'
        - {type: Progressing, status: "True", reason: ReplicaSetUpdated}
      """)),
  Recorded(
    "being deleted", .inProgress, "Terminating",
    message: "the Deployment is being deleted since 2024-05-02T11:00:00Z, waiting for 1 finalizer",
    """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: shop
      namespace: retail
      generation: 3
      deletionTimestamp: "2024-05-02T11:00:00Z"
      finalizers: [foregroundDeletion]
    spec: {replicas: 3}
    status: {observedGeneration: 3, replicas: 3, updatedReplicas: 3, availableReplicas: 3}
    """),
  Recorded(
    "scaled to zero", .current, "RolloutComplete",
    message: "0 of 0 replicas updated and available",
    """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: batch-idle, namespace: retail, generation: 4}
    spec: {replicas: 0}
    status:
      observedGeneration: 4
      conditions:
      - {type: Available, status: "True", reason: MinimumReplicasAvailable}
      - {type: Progressing, status: "True", reason: NewReplicaSetAvailable}
    """),
  Recorded(
    "spec.replicas unset means one", .inProgress, "ReplicasUpdating",
    message: "0 of 1 replica updated to the latest template",
    """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: one, namespace: retail, generation: 1}
    spec: {}
    status: {observedGeneration: 1}
    """),
  Recorded(
    "the old extensions group reads the same", .current, "RolloutComplete",
    """
    apiVersion: extensions/v1beta1
    kind: Deployment
    metadata: {name: legacy, namespace: retail, generation: 1}
    spec: {replicas: 2}
    status:
      observedGeneration: 1
      replicas: 2
      updatedReplicas: 2
      availableReplicas: 2
      conditions: [{type: Available, status: "True"}]
    """),
]

@Suite struct DeploymentHealthTests {
  @Test(arguments: rollout) func aRolloutStep(_ step: Recorded) throws { try step.check() }

  @Test(arguments: deploymentCorners) func aCorner(_ recorded: Recorded) throws {
    try recorded.check()
  }

  @Test func theRolloutStepsGoInProgressThenCurrentTwice() throws {
    let statuses = try rollout.map { Health.of(try $0.object()).status }
    #expect(
      statuses == [
        .inProgress, .inProgress, .current, .inProgress, .inProgress, .inProgress, .inProgress,
        .inProgress, .current,
      ])
    let reasons = try rollout.map { Health.of(try $0.object()).reason }
    #expect(
      reasons == [
        "GenerationNotObserved", "ReplicasBecomingAvailable", "RolloutComplete",
        "GenerationNotObserved", "ReplicasUpdating", "ReplicasUpdating",
        "OldReplicasTerminating", "ReplicasBecomingAvailable", "RolloutComplete",
      ])
  }

  @Test func theProgressDeadlineBeatsTheCounts() throws {
    // Even with every replica counted available, a Progressing condition that timed out fails.
    let health = try health(
      """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: api, namespace: retail, generation: 1}
      spec: {replicas: 1, progressDeadlineSeconds: 5}
      status:
        observedGeneration: 1
        replicas: 1
        updatedReplicas: 1
        unavailableReplicas: 1
        conditions:
        - {type: Available, status: "False", reason: MinimumReplicasUnavailable}
        - {type: Progressing, status: "False", reason: ProgressDeadlineExceeded}
      """)
    #expect(health.status == .failed)
    #expect(
      health.message
        == "the rollout made no progress within its 5 s deadline: 1 of 1 replica updated, "
        + "0 available")
  }
}
