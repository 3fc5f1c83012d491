import Health
import Testing

/// A pod of `shop` with one container whose status is `containerStatus` (YAML, indented as a
/// list item under `containerStatuses`), phase `phase` and Ready `ready`.
private func shopPod(phase: String, ready: String, _ containerState: String) -> String {
  """
  apiVersion: v1
  kind: Pod
  metadata:
    name: shop-7c9d5f8b6-x2x4q
    namespace: retail
    labels: {app: shop, pod-template-hash: 7c9d5f8b6}
  spec:
    containers:
    - {name: shop, image: "registry.local/shop:2.0"}
  status:
    phase: \(phase)
    hostIP: 127.0.0.1
    podIP: 10.88.0.7
    conditions:
    - {type: Initialized, status: "True"}
    - {type: Ready, status: "\(ready)"}
    - {type: ContainersReady, status: "\(ready)"}
    - {type: PodScheduled, status: "True"}
    containerStatuses:

  """ + containerState
}

let pods: [Recorded] = [
  Recorded(
    "Pod: created, not scheduled yet", .inProgress, "PodPending",
    message: "the pod is pending with 0 of 1 container ready",
    """
    apiVersion: v1
    kind: Pod
    metadata: {name: shop-7c9d5f8b6-x2x4q, namespace: retail}
    spec:
      containers: [{name: shop, image: "registry.local/shop:2.0"}]
    status: {phase: Pending, qosClass: BestEffort}
    """),
  Recorded(
    "Pod: unschedulable", .inProgress, "Unschedulable",
    message:
      "the pod is not scheduled yet (Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.)",
    """
    apiVersion: v1
    kind: Pod
    metadata: {name: big, namespace: retail}
    spec:
      containers: [{name: big, image: "registry.local/big:1.0"}]
    status:
      phase: Pending
      conditions:
      - type: PodScheduled
        status: "False"
        reason: Unschedulable
        message: '0/3 nodes are available: 3 Insufficient cpu.'
    """),
  Recorded(
    "Pod: init containers running", .inProgress, "PodPending",
    message: "the pod is pending with 0 of 1 container ready, 1 of 2 init containers done",
    """
    apiVersion: v1
    kind: Pod
    metadata: {name: db-0, namespace: retail}
    spec:
      initContainers:
      - {name: migrate, image: "registry.local/migrate:1"}
      - {name: warm, image: "registry.local/warm:1"}
      containers: [{name: db, image: "registry.local/db:1"}]
    status:
      phase: Pending
      conditions:
      - {type: Initialized, status: "False", reason: ContainersNotInitialized}
      - {type: PodScheduled, status: "True"}
      initContainerStatuses:
      - name: migrate
        ready: true
        restartCount: 0
        state: {terminated: {exitCode: 0, reason: Completed}}
      - name: warm
        ready: false
        restartCount: 0
        state: {running: {startedAt: "2024-05-02T10:00:03Z"}}
      containerStatuses:
      - name: db
        ready: false
        restartCount: 0
        state: {waiting: {reason: PodInitializing}}
    """),
  Recorded(
    "Pod: container creating", .inProgress, "PodPending",
    shopPod(
      phase: "Pending", ready: "False",
      """
        - name: shop
          ready: false
          restartCount: 0
          state: {waiting: {reason: ContainerCreating}}
      """)),
  Recorded(
    "Pod: running, readiness probe not passed yet", .inProgress, "PodNotReady",
    message: "0 of 1 container ready in phase Running",
    shopPod(
      phase: "Running", ready: "False",
      """
        - name: shop
          ready: false
          started: true
          restartCount: 0
          state: {running: {startedAt: "2024-05-02T10:00:05Z"}}
      """)),
  Recorded(
    "Pod: ready", .current, "PodReady",
    message: "1 of 1 container ready",
    shopPod(
      phase: "Running", ready: "True",
      """
        - name: shop
          ready: true
          started: true
          restartCount: 0
          state: {running: {startedAt: "2024-05-02T10:00:05Z"}}
      """)),
  Recorded(
    "Pod: crash loop", .failed, "CrashLoopBackOff",
    message:
      "container shop is waiting in CrashLoopBackOff after 5 restarts: back-off 2m40s "
      + "restarting failed container=shop pod=shop-7c9d5f8b6-x2x4q",
    shopPod(
      phase: "Running", ready: "False",
      """
        - name: shop
          ready: false
          started: false
          restartCount: 5
          state:
            waiting:
              reason: CrashLoopBackOff
              message: back-off 2m40s restarting failed container=shop pod=shop-7c9d5f8b6-x2x4q
          lastState:
            terminated: {exitCode: 1, reason: Error}
      """)),
  Recorded(
    "Pod: image cannot be pulled", .failed, "ImagePullBackOff",
    shopPod(
      phase: "Pending", ready: "False",
      """
        - name: shop
          ready: false
          restartCount: 0
          state:
            waiting:
              reason: ImagePullBackOff
              message: Back-off pulling image "registry.local/shop:2.0"
      """)),
  Recorded(
    "Pod: image pull error", .failed, "ErrImagePull",
    shopPod(
      phase: "Pending", ready: "False",
      """
        - name: shop
          ready: false
          restartCount: 0
          state: {waiting: {reason: ErrImagePull, message: "manifest unknown"}}
      """)),
  Recorded(
    "Pod: a missing ConfigMap key", .failed, "CreateContainerConfigError",
    message: "container shop is waiting in CreateContainerConfigError: "
      + "configmap \"shop-config\" not found",
    shopPod(
      phase: "Pending", ready: "False",
      """
        - name: shop
          ready: false
          restartCount: 0
          state:
            waiting:
              reason: CreateContainerConfigError
              message: configmap "shop-config" not found
      """)),
  Recorded(
    "Pod: an invalid image name", .failed, "InvalidImageName",
    shopPod(
      phase: "Pending", ready: "False",
      """
        - name: shop
          ready: false
          restartCount: 0
          state: {waiting: {reason: InvalidImageName}}
      """)),
  Recorded(
    "Pod: an init container crash-looping", .failed, "CrashLoopBackOff",
    message: "init container migrate is waiting in CrashLoopBackOff after 3 restarts",
    """
    apiVersion: v1
    kind: Pod
    metadata: {name: db-0, namespace: retail}
    spec:
      initContainers: [{name: migrate, image: "registry.local/migrate:broken"}]
      containers: [{name: db, image: "registry.local/db:1"}]
    status:
      phase: Pending
      initContainerStatuses:
      - name: migrate
        ready: false
        restartCount: 3
        state: {waiting: {reason: CrashLoopBackOff}}
      containerStatuses:
      - name: db
        ready: false
        restartCount: 0
        state: {waiting: {reason: PodInitializing}}
    """),
  Recorded(
    "Pod: succeeded", .current, "PodSucceeded",
    message: "the pod succeeded: 1 container exited with status 0",
    """
    apiVersion: v1
    kind: Pod
    metadata: {name: migrate-h7k2p, namespace: retail}
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: "registry.local/migrate:1"}]
    status:
      phase: Succeeded
      conditions:
      - {type: Ready, status: "False", reason: PodCompleted}
      containerStatuses:
      - name: migrate
        ready: false
        restartCount: 0
        state: {terminated: {exitCode: 0, reason: Completed}}
    """),
  Recorded(
    "Pod: failed", .failed, "PodFailed",
    message: "the pod failed with 1 of 1 container exiting non-zero",
    """
    apiVersion: v1
    kind: Pod
    metadata: {name: migrate-h7k2p, namespace: retail}
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: "registry.local/migrate:1"}]
    status:
      phase: Failed
      containerStatuses:
      - name: migrate
        ready: false
        restartCount: 0
        state: {terminated: {exitCode: 2, reason: Error}}
    """),
  Recorded(
    "Pod: evicted", .failed, "Evicted",
    message: "the pod failed: The node was low on resource: memory.",
    """
    apiVersion: v1
    kind: Pod
    metadata: {name: shop-7c9d5f8b6-q8w7e, namespace: retail}
    spec:
      containers: [{name: shop, image: "registry.local/shop:2.0"}]
    status:
      phase: Failed
      reason: Evicted
      message: 'The node was low on resource: memory.'
    """),
  Recorded(
    "Pod: terminating", .inProgress, "Terminating",
    """
    apiVersion: v1
    kind: Pod
    metadata:
      name: shop-7c9d5f8b6-x2x4q
      namespace: retail
      deletionTimestamp: "2024-05-02T10:30:00Z"
      deletionGracePeriodSeconds: 30
    spec:
      containers: [{name: shop, image: "registry.local/shop:2.0"}]
    status:
      phase: Running
      conditions: [{type: Ready, status: "True"}]
    """),
]

let jobs: [Recorded] = [
  Recorded(
    "Job: just created", .inProgress, "JobRunning",
    message: "0 pods active, 0 of 1 completion done, 0 failed",
    """
    apiVersion: batch/v1
    kind: Job
    metadata: {name: migrate, namespace: retail}
    spec:
      completions: 1
      backoffLimit: 6
      template:
        spec:
          restartPolicy: Never
          containers: [{name: migrate, image: "registry.local/migrate:1"}]
    """),
  Recorded(
    "Job: running", .inProgress, "JobRunning",
    message: "2 pods active, 3 of 5 completions done, 1 failed",
    """
    apiVersion: batch/v1
    kind: Job
    metadata: {name: index, namespace: retail}
    spec: {completions: 5, parallelism: 2}
    status: {active: 2, succeeded: 3, failed: 1, startTime: "2024-05-02T10:00:00Z"}
    """),
  Recorded(
    "Job: complete", .current, "JobComplete",
    message: "the job completed with 5 of 5 completions done",
    """
    apiVersion: batch/v1
    kind: Job
    metadata: {name: index, namespace: retail}
    spec: {completions: 5, parallelism: 2}
    status:
      succeeded: 5
      startTime: "2024-05-02T10:00:00Z"
      completionTime: "2024-05-02T10:02:00Z"
      conditions:
      - {type: Complete, status: "True", lastTransitionTime: "2024-05-02T10:02:00Z"}
    """),
  Recorded(
    "Job: a work queue completes with one success", .current, "JobComplete",
    message: "the job completed with 1 completion done",
    """
    apiVersion: batch/v1
    kind: Job
    metadata: {name: queue, namespace: retail}
    spec: {parallelism: 3}
    status:
      succeeded: 1
      conditions: [{type: Complete, status: "True"}]
    """),
  Recorded(
    "Job: backoff limit exceeded", .failed, "BackoffLimitExceeded",
    message:
      "the job failed with 7 failed pods and 0 of 1 completion done (BackoffLimitExceeded: "
      + "Job has reached the specified backoff limit)",
    """
    apiVersion: batch/v1
    kind: Job
    metadata: {name: migrate, namespace: retail}
    spec: {completions: 1, backoffLimit: 6}
    status:
      failed: 7
      conditions:
      - type: Failed
        status: "True"
        reason: BackoffLimitExceeded
        message: Job has reached the specified backoff limit
    """),
  Recorded(
    "Job: active deadline", .failed, "DeadlineExceeded",
    """
    apiVersion: batch/v1
    kind: Job
    metadata: {name: report, namespace: retail}
    spec: {activeDeadlineSeconds: 60}
    status:
      failed: 1
      conditions:
      - {type: Failed, status: "True", reason: DeadlineExceeded}
    """),
  Recorded(
    "Job: suspended", .inProgress, "JobSuspended",
    """
    apiVersion: batch/v1
    kind: Job
    metadata: {name: report, namespace: retail}
    spec: {suspend: true}
    status:
      conditions: [{type: Suspended, status: "True", reason: JobSuspended}]
    """),
]

@Suite struct PodAndJobHealthTests {
  @Test(arguments: pods) func aPod(_ recorded: Recorded) throws { try recorded.check() }
  @Test(arguments: jobs) func aJob(_ recorded: Recorded) throws { try recorded.check() }
}
