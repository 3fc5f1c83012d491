import Health
import Testing

let statefulSets: [Recorded] = [
  Recorded(
    "StatefulSet: not seen by its controller", .inProgress, "GenerationNotObserved",
    """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: retail, generation: 1}
    spec: {replicas: 3, serviceName: db}
    """),
  Recorded(
    "StatefulSet: starting, ordinals one by one", .inProgress, "ReplicasNotReady",
    message: "1 of 3 replicas ready, 2 created",
    """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: retail, generation: 1}
    spec: {replicas: 3, serviceName: db, updateStrategy: {type: RollingUpdate}}
    status:
      observedGeneration: 1
      replicas: 2
      readyReplicas: 1
      currentReplicas: 2
      updatedReplicas: 2
      currentRevision: db-6d4f8b7c9
      updateRevision: db-6d4f8b7c9
    """),
  Recorded(
    "StatefulSet: all ready", .current, "RolloutComplete",
    message: "3 of 3 replicas updated and ready",
    """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: retail, generation: 1}
    spec: {replicas: 3, serviceName: db, updateStrategy: {type: RollingUpdate}}
    status:
      observedGeneration: 1
      replicas: 3
      readyReplicas: 3
      currentReplicas: 3
      updatedReplicas: 3
      currentRevision: db-6d4f8b7c9
      updateRevision: db-6d4f8b7c9
      collisionCount: 0
    """),
  Recorded(
    "StatefulSet: rolling update, highest ordinal replaced", .inProgress, "ReplicasUpdating",
    message: "1 of 3 replicas updated to the latest revision",
    """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: retail, generation: 2}
    spec: {replicas: 3, serviceName: db, updateStrategy: {type: RollingUpdate}}
    status:
      observedGeneration: 2
      replicas: 3
      readyReplicas: 3
      currentReplicas: 2
      updatedReplicas: 1
      currentRevision: db-6d4f8b7c9
      updateRevision: db-84c9f5d7b
    """),
  Recorded(
    "StatefulSet: every pod updated, revision not yet promoted", .inProgress,
    "RevisionUpdating",
    message:
      "3 of 3 replicas updated, but the controller has not moved the current revision "
      + "db-6d4f8b7c9 to db-84c9f5d7b yet",
    """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: retail, generation: 2}
    spec: {replicas: 3, serviceName: db}
    status:
      observedGeneration: 2
      replicas: 3
      readyReplicas: 3
      updatedReplicas: 3
      currentRevision: db-6d4f8b7c9
      updateRevision: db-84c9f5d7b
    """),
  Recorded(
    "StatefulSet: an updated pod not ready yet", .inProgress, "ReplicasNotReady",
    message: "2 of 3 replicas ready",
    """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: retail, generation: 2}
    spec: {replicas: 3, serviceName: db}
    status:
      observedGeneration: 2
      replicas: 3
      readyReplicas: 2
      updatedReplicas: 3
      currentRevision: db-84c9f5d7b
      updateRevision: db-84c9f5d7b
    """),
  Recorded(
    "StatefulSet: partitioned rollout done up to the partition", .current, "PartitionRolledOut",
    message: "4 of 4 replicas ready and the 2 at or above partition 2 updated",
    """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: retail, generation: 3}
    spec:
      replicas: 4
      serviceName: db
      updateStrategy:
        type: RollingUpdate
        rollingUpdate: {partition: 2}
    status:
      observedGeneration: 3
      replicas: 4
      readyReplicas: 4
      currentReplicas: 2
      updatedReplicas: 2
      currentRevision: db-84c9f5d7b
      updateRevision: db-9a7b6c5d4
    """),
  Recorded(
    "StatefulSet: partitioned rollout still updating", .inProgress, "ReplicasUpdating",
    message: "1 of 2 replicas updated to the latest revision (partition 2)",
    """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: retail, generation: 3}
    spec:
      replicas: 4
      serviceName: db
      updateStrategy:
        type: RollingUpdate
        rollingUpdate: {partition: 2}
    status:
      observedGeneration: 3
      replicas: 4
      readyReplicas: 4
      currentReplicas: 3
      updatedReplicas: 1
      currentRevision: db-84c9f5d7b
      updateRevision: db-9a7b6c5d4
    """),
  Recorded(
    "StatefulSet: OnDelete keeps old pods until deleted, current once ready", .current,
    "OnDeleteReplicasReady",
    """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: retail, generation: 2}
    spec: {replicas: 2, serviceName: db, updateStrategy: {type: OnDelete}}
    status:
      observedGeneration: 2
      replicas: 2
      readyReplicas: 2
      currentReplicas: 2
      updatedReplicas: 0
      currentRevision: db-6d4f8b7c9
      updateRevision: db-84c9f5d7b
    """),
  Recorded(
    "StatefulSet: OnDelete with a pod not ready", .inProgress, "ReplicasNotReady",
    """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: retail, generation: 2}
    spec: {replicas: 2, serviceName: db, updateStrategy: {type: OnDelete}}
    status: {observedGeneration: 2, replicas: 2, readyReplicas: 1}
    """),
  Recorded(
    "StatefulSet: scaling down", .inProgress, "ReplicasTerminating",
    message: "2 replicas still to be removed (3 running, 1 wanted)",
    """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: db, namespace: retail, generation: 4}
    spec: {replicas: 1, serviceName: db}
    status:
      observedGeneration: 4
      replicas: 3
      readyReplicas: 3
      updatedReplicas: 3
      currentRevision: db-84c9f5d7b
      updateRevision: db-84c9f5d7b
    """),
]

let daemonSets: [Recorded] = [
  Recorded(
    "DaemonSet: nodes not counted yet", .inProgress, "NotScheduledYet",
    """
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent, namespace: edge, generation: 1}
    spec: {}
    status: {observedGeneration: 1}
    """),
  Recorded(
    "DaemonSet: scheduling", .inProgress, "PodsScheduling",
    message: "2 of 5 nodes run a pod so far",
    """
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent, namespace: edge, generation: 1}
    status:
      observedGeneration: 1
      desiredNumberScheduled: 5
      currentNumberScheduled: 2
      updatedNumberScheduled: 2
      numberReady: 1
      numberAvailable: 1
      numberMisscheduled: 0
    """),
  Recorded(
    "DaemonSet: rolling update", .inProgress, "PodsUpdating",
    message: "3 of 5 nodes run the latest template",
    """
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent, namespace: edge, generation: 2}
    spec: {updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}}
    status:
      observedGeneration: 2
      desiredNumberScheduled: 5
      currentNumberScheduled: 5
      updatedNumberScheduled: 3
      numberReady: 4
      numberAvailable: 4
      numberUnavailable: 1
    """),
  Recorded(
    "DaemonSet: updated, one pod not available yet", .inProgress, "PodsBecomingAvailable",
    message: "4 of 5 nodes run an available pod",
    """
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent, namespace: edge, generation: 2}
    status:
      observedGeneration: 2
      desiredNumberScheduled: 5
      currentNumberScheduled: 5
      updatedNumberScheduled: 5
      numberReady: 5
      numberAvailable: 4
    """),
  Recorded(
    "DaemonSet: a node that should not run it still does", .inProgress, "PodsMisscheduled",
    """
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent, namespace: edge, generation: 2}
    status:
      observedGeneration: 2
      desiredNumberScheduled: 4
      currentNumberScheduled: 4
      numberMisscheduled: 1
      updatedNumberScheduled: 4
      numberAvailable: 4
    """),
  Recorded(
    "DaemonSet: rolled out", .current, "RolloutComplete",
    message: "5 of 5 nodes run an updated, available pod",
    """
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent, namespace: edge, generation: 2}
    status:
      observedGeneration: 2
      desiredNumberScheduled: 5
      currentNumberScheduled: 5
      updatedNumberScheduled: 5
      numberReady: 5
      numberAvailable: 5
      numberMisscheduled: 0
    """),
  Recorded(
    "DaemonSet: OnDelete does not wait for updates", .current, "RolloutComplete",
    """
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: agent, namespace: edge, generation: 3}
    spec: {updateStrategy: {type: OnDelete}}
    status:
      observedGeneration: 3
      desiredNumberScheduled: 2
      currentNumberScheduled: 2
      updatedNumberScheduled: 0
      numberAvailable: 2
    """),
  Recorded(
    "DaemonSet: no node matches", .current, "RolloutComplete",
    message: "0 of 0 nodes run an updated, available pod",
    """
    apiVersion: apps/v1
    kind: DaemonSet
    metadata: {name: gpu-agent, namespace: edge, generation: 1}
    status: {observedGeneration: 1, desiredNumberScheduled: 0, currentNumberScheduled: 0}
    """),
]

let replicaSets: [Recorded] = [
  Recorded(
    "ReplicaSet: creating pods", .inProgress, "ReplicasCreating",
    message: "1 of 3 replicas created",
    """
    apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {name: shop-7c9d5f8b6, namespace: retail, generation: 1}
    spec: {replicas: 3}
    status: {observedGeneration: 1, replicas: 1, fullyLabeledReplicas: 1}
    """),
  Recorded(
    "ReplicaSet: pods not ready", .inProgress, "ReplicasNotReady",
    message: "2 of 3 replicas ready",
    """
    apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {name: shop-7c9d5f8b6, namespace: retail, generation: 1}
    spec: {replicas: 3}
    status: {observedGeneration: 1, replicas: 3, readyReplicas: 2, availableReplicas: 2}
    """),
  Recorded(
    "ReplicaSet: ready but not yet available (minReadySeconds)", .inProgress,
    "ReplicasBecomingAvailable",
    message: "1 of 3 replicas available",
    """
    apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {name: shop-7c9d5f8b6, namespace: retail, generation: 1}
    spec: {replicas: 3, minReadySeconds: 30}
    status: {observedGeneration: 1, replicas: 3, readyReplicas: 3, availableReplicas: 1}
    """),
  Recorded(
    "ReplicaSet: scaling down", .inProgress, "ReplicasTerminating",
    """
    apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {name: shop-7c9d5f8b6, namespace: retail, generation: 2}
    spec: {replicas: 1}
    status: {observedGeneration: 2, replicas: 3, readyReplicas: 3, availableReplicas: 3}
    """),
  Recorded(
    "ReplicaSet: pods forbidden", .inProgress, "ReplicaFailure",
    """
    apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {name: shop-7c9d5f8b6, namespace: retail, generation: 1}
    spec: {replicas: 2}
    status:
      observedGeneration: 1
      replicas: 0
      conditions:
      - type: ReplicaFailure
        status: "True"
        reason: FailedCreate
        message: 'pods "shop-7c9d5f8b6-" is forbidden: exceeded quota: compute'
    """),
  Recorded(
    "ReplicaSet: all available", .current, "ReplicasAvailable",
    message: "3 of 3 replicas ready and available",
    """
    apiVersion: apps/v1
    kind: ReplicaSet
    metadata: {name: shop-7c9d5f8b6, namespace: retail, generation: 1}
    spec: {replicas: 3}
    status:
      observedGeneration: 1
      replicas: 3
      fullyLabeledReplicas: 3
      readyReplicas: 3
      availableReplicas: 3
    """),
]

@Suite struct WorkloadHealthTests {
  @Test(arguments: statefulSets) func aStatefulSet(_ recorded: Recorded) throws {
    try recorded.check()
  }

  @Test(arguments: daemonSets) func aDaemonSet(_ recorded: Recorded) throws {
    try recorded.check()
  }

  @Test(arguments: replicaSets) func aReplicaSet(_ recorded: Recorded) throws {
    try recorded.check()
  }
}
