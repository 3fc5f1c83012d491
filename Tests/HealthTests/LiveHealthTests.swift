import Foundation
import Health
import KubeClient
import LocalFleet
import Model
import Testing
import WavesyncTesting

/// Health read from a real API server, its controllers and the simulated kubelet: the readers
/// agree with what the cluster reports as objects move.
@Suite(
  .serialized,
  .enabled(if: EnvtestFleet.binariesAvailable, "envtest binaries missing: run scripts/envtest.sh"),
  .healthFleet, .timeLimit(.minutes(10)))
struct LiveHealthTests {
  static let manager = "health-tests"

  // MARK: Helpers

  func apply(_ yaml: String, _ client: KubeClient) async throws -> Value {
    try await client.apply(YAML.value(from: yaml, rules: .kubectl), fieldManager: Self.manager)
  }

  func namespace(_ prefix: String, _ client: KubeClient) async throws -> String {
    let name = uniqueName(prefix)
    _ = try await apply("{apiVersion: v1, kind: Namespace, metadata: {name: \(name)}}", client)
    return name
  }

  func deployment(
    _ name: String, namespace: String, image: String, replicas: Int,
    progressDeadlineSeconds: Int = 600
  ) -> String {
    """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: \(name), namespace: \(namespace)}
    spec:
      replicas: \(replicas)
      progressDeadlineSeconds: \(progressDeadlineSeconds)
      selector:
        matchLabels: {app: \(name)}
      template:
        metadata:
          labels: {app: \(name)}
        spec:
          containers:
          - {name: \(name), image: "\(image)"}
    """
  }

  /// Polls the health of `id` until `done` holds; returns each health seen that
  /// differs from the one before, in order, the one that satisfied `done` last.
  func healths(
    of id: ObjectReference, _ client: KubeClient, until done: @escaping (ObjectHealth) -> Bool
  ) async throws -> [ObjectHealth] {
    var seen: [ObjectHealth] = []
    return try await eventually("\(id) reaching the awaited health") { note in
      let health = Health.of(try await client.get(id) ?? .null)
      if seen.last?.status != health.status || seen.last?.reason != health.reason {
        seen.append(health)
      }
      note(seen.map(\.description).joined(separator: " -> "))
      return done(health) ? seen : nil
    }
  }

  /// Follows `id` through a watch from `resourceVersion` (every state the API server stores,
  /// none missed between polls) until `done` holds (or a hang is called); returns each health
  /// that differs from the one before, in order, the one that satisfied `done` last.
  func watchedHealths(
    of id: ObjectReference, from resourceVersion: String?, _ client: KubeClient,
    until done: @escaping @Sendable (ObjectHealth) -> Bool
  ) async throws -> [ObjectHealth] {
    try await withThrowingTaskGroup(of: [ObjectHealth].self) { group in
      group.addTask {
        var seen: [ObjectHealth] = []
        let events = client.watch(
          apiVersion: id.apiVersion, kind: id.kind, namespace: id.namespace,
          resourceVersion: resourceVersion)
        for try await event in events
        where event.object[path: ["metadata", "name"]]?.stringValue == id.name {
          let health = Health.of(event.kind == .deleted ? .null : event.object)
          if seen.last?.status != health.status || seen.last?.reason != health.reason {
            seen.append(health)
          }
          if done(health) { return seen }
        }
        throw TimedOut(description: "the watch of \(id) ended; seen: \(seen)")
      }
      group.addTask {
        try await Task.sleep(for: hangTimeout)
        throw TimedOut(description: "\(id) not reaching the awaited health within \(hangTimeout)")
      }
      defer { group.cancelAll() }
      return try await group.next()!
    }
  }

  func pods(_ app: String, in namespace: String, _ client: KubeClient) async throws -> [Value] {
    try await client.list(
      apiVersion: "v1", kind: "Pod", namespace: namespace, labelSelector: "app=\(app)")
  }

  // MARK: Deployments

  @Test func aDeploymentGoesInProgressThenCurrentAsItsPodsComeUp() async throws {
    let client = try HealthFleet.environment.client
    let namespace = try await namespace("rollout", client)
    let applied = try await apply(
      deployment("shop", namespace: namespace, image: "registry.local/shop:1.0", replicas: 2),
      client)
    let id = try ObjectReference(of: applied)

    // What the API server answers the apply with: no controller has seen it yet.
    let created = Health.of(applied)
    #expect(created.status == .inProgress)
    #expect(created.reason == "GenerationNotObserved")
    #expect(created.message == "the controller has not seen generation 1 yet")

    let version = applied[path: ["metadata", "resourceVersion"]]?.stringValue
    let start = try await watchedHealths(of: id, from: version, client) {
      $0.status == .current
    }
    print("creation:", start.map(\.description).joined(separator: " -> "))
    // The controllers' own in-progress reports come before the rollout completes.
    #expect(start.count >= 2)
    #expect(start.dropLast().allSatisfy { $0.status == .inProgress })
    #expect(start.last?.reason == "RolloutComplete")
    #expect(start.last?.message == "2 of 2 replicas updated and available")

    // Each of its pods is current, read from what the kubelet reported.
    let running = try await pods("shop", in: namespace, client)
    #expect(running.count == 2)
    for pod in running {
      #expect(
        Health.of(pod)
          == ObjectHealth(
            status: .current, reason: "PodReady", message: "1 of 1 container ready"))
    }

    // A new image: generation 2 is in progress until the rollout completes again.
    let changed = try await apply(
      deployment("shop", namespace: namespace, image: "registry.local/shop:2.0", replicas: 2),
      client)
    #expect(
      Health.of(changed)
        == ObjectHealth(
          status: .inProgress, reason: "GenerationNotObserved",
          message: "the controller has not seen generation 2 yet (it last observed 1)"))
    let update = try await watchedHealths(
      of: id, from: changed[path: ["metadata", "resourceVersion"]]?.stringValue, client
    ) { $0.status == .current }
    print("rollout:", update.map(\.description).joined(separator: " -> "))
    #expect(update.count >= 2)
    #expect(update.dropLast().allSatisfy { $0.status == .inProgress })
    #expect(update.last?.reason == "RolloutComplete")

    // The site: namespace, deployment and its replica sets (the old one scaled to zero).
    let site = try await eventually("the site summarized current") { note in
      var objects: [Value] = [
        try await client.get(ObjectReference(apiVersion: "v1", kind: "Namespace", name: namespace))
          ?? .null,
        try await client.get(id) ?? .null,
      ]
      objects += try await client.list(
        apiVersion: "apps/v1", kind: "ReplicaSet", namespace: namespace, labelSelector: "app=shop")
      let summary = Health.summarize(objects.map(Health.of))
      note(summary.description)
      return summary.status == .current ? (summary, objects.count) : nil
    }
    #expect(site.1 == 4)
    #expect(site.0.message == "all 4 objects are current")
  }

  @Test func aBrokenImageFailsItsPodsThenItsDeploymentPastTheDeadline() async throws {
    let client = try HealthFleet.environment.client
    let namespace = try await namespace("broken", client)
    let applied = try await apply(
      deployment(
        "api", namespace: namespace, image: "registry.local/api:broken", replicas: 1,
        progressDeadlineSeconds: 5),
      client)
    let id = try ObjectReference(of: applied)
    // The pod fails first: its container crash-loops.
    let pod = try await eventually("a pod of api failing") { note in
      let healths = try await pods("api", in: namespace, client).map(Health.of)
      note(healths.map(\.description).joined(separator: "; "))
      return healths.first { $0.status == .failed }
    }
    #expect(pod.reason == "CrashLoopBackOff")
    #expect(pod.message.hasPrefix("container api is waiting in CrashLoopBackOff after 5 restarts"))

    // The Deployment never becomes current; past its 5 s deadline it fails.
    let seen = try await healths(of: id, client) { $0.status != .inProgress }
    print("deployment:", seen.map(\.description).joined(separator: " -> "))
    #expect(
      seen.last
        == ObjectHealth(
          status: .failed, reason: "ProgressDeadlineExceeded",
          message: "the rollout made no progress within its 5 s deadline: 1 of 1 replica "
            + "updated, 0 available"))

    let summary = Health.summarize([Health.of(try await client.get(id) ?? .null), pod])
    #expect(summary.status == .failed)
    #expect(summary.message == "2 of 2 objects failed: ProgressDeadlineExceeded, CrashLoopBackOff")
  }

  // MARK: Custom resources

  @Test func aCustomResourceDefinitionBecomesEstablishedAndItsObjectsAreRead() async throws {
    let client = try HealthFleet.environment.client
    let namespace = try await namespace("crd", client)
    let group = "\(uniqueName("h")).wavesync.test"
    let applied = try await apply(
      """
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata: {name: gadgets.\(group)}
      spec:
        group: \(group)
        scope: Namespaced
        names: {plural: gadgets, singular: gadget, kind: Gadget, listKind: GadgetList}
        versions:
        - name: v1
          served: true
          storage: true
          subresources: {status: {}}
          schema:
            openAPIV3Schema:
              type: object
              properties:
                spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
                status: {type: object, x-kubernetes-preserve-unknown-fields: true}
      """, client)
    let id = try ObjectReference(of: applied)
    // Not failed at any point; current once the API server serves it.
    #expect(Health.of(applied).status != .failed, "\(Health.of(applied))")
    let seen = try await healths(of: id, client) { $0.status != .inProgress }
    print("CRD:", seen.map(\.description).joined(separator: " -> "))
    #expect(
      seen.last
        == ObjectHealth(
          status: .current, reason: "Established",
          message: "gadgets.\(group) is served in 1 version"
        ))

    // A gadget without status is current once applied; its Ready condition decides after.
    _ = try await eventually("Gadget in discovery") { note in
      do {
        return try await client.mapping(apiVersion: "\(group)/v1", kind: "Gadget")
      } catch {
        note("\(error)")
        return nil
      }
    }
    let gadgetYAML = """
      apiVersion: \(group)/v1
      kind: Gadget
      metadata: {name: blue, namespace: \(namespace)}
      spec: {color: blue}
      """
    let gadget = try await apply(gadgetYAML, client)
    #expect(Health.of(gadget).reason == "NoStatus")
    let gadgetID = try ObjectReference(of: gadget)

    let failing = try await client.patchStatus(
      gadgetID,
      mergePatch: [
        "status": [
          "observedGeneration": 1,
          "conditions": [
            ["type": "Ready", "status": "False", "reason": "InstallFailed", "message": "no disk"]
          ],
        ]
      ])
    #expect(
      Health.of(failing)
        == ObjectHealth(
          status: .failed, reason: "InstallFailed",
          message: "the Ready condition is False (InstallFailed: no disk)"))

    let ready = try await client.patchStatus(
      gadgetID,
      mergePatch: [
        "status": ["conditions": [["type": "Ready", "status": "True", "reason": "Installed"]]]
      ])
    #expect(Health.of(ready).status == .current)
    #expect(Health.of(ready).reason == "Ready")

    // A spec change the (absent) controller has not seen.
    let changed = try await apply(
      gadgetYAML.replacingOccurrences(of: "blue}", with: "red}"), client)
    #expect(changed[path: ["metadata", "generation"]] == 2)
    #expect(Health.of(changed).reason == "GenerationNotObserved")
  }

  // MARK: Kinds without a controller in the fleet

  @Test func servicesClaimsJobsAndStaticObjectsReadFromTheServer() async throws {
    let client = try HealthFleet.environment.client
    let namespace = try await namespace("kinds", client)

    let namespaceObject = try await client.get(
      ObjectReference(apiVersion: "v1", kind: "Namespace", name: namespace))
    #expect(Health.of(namespaceObject ?? .null).reason == "Active")

    // A LoadBalancer service waits for an address; a ClusterIP one is ready at once.
    let clusterIP = try await apply(
      """
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: \(namespace)}
      spec:
        selector: {app: web}
        ports: [{port: 80, protocol: TCP}]
      """, client)
    #expect(Health.of(clusterIP).status == .current)
    #expect(Health.of(clusterIP).reason == "ServiceReady")
    let balancer = try await apply(
      """
      apiVersion: v1
      kind: Service
      metadata: {name: web-lb, namespace: \(namespace)}
      spec:
        type: LoadBalancer
        selector: {app: web}
        ports: [{port: 443, protocol: TCP}]
      """, client)
    #expect(Health.of(balancer).reason == "LoadBalancerPending")
    let served = try await client.patchStatus(
      try ObjectReference(of: balancer),
      mergePatch: ["status": ["loadBalancer": ["ingress": [["ip": "192.0.2.10"]]]]])
    #expect(
      Health.of(served)
        == ObjectHealth(
          status: .current, reason: "LoadBalancerReady",
          message: "the load balancer has 1 ingress point: 192.0.2.10"))

    // A claim is pending until bound (there is no volume binder here: the test binds it).
    let claim = try await apply(
      """
      apiVersion: v1
      kind: PersistentVolumeClaim
      metadata: {name: data, namespace: \(namespace)}
      spec:
        accessModes: [ReadWriteOnce]
        volumeName: pv-health
        resources: {requests: {storage: 1Gi}}
      """, client)
    #expect(Health.of(claim).reason == "ClaimPending")
    let claimID = try ObjectReference(of: claim)
    let bound = try await client.patchStatus(
      claimID,
      mergePatch: [
        "status": [
          "phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": ["storage": "1Gi"],
        ]
      ])
    #expect(
      Health.of(bound)
        == ObjectHealth(
          status: .current, reason: "Bound", message: "bound to volume pv-health with 1Gi"))
    let lost = try await client.patchStatus(claimID, mergePatch: ["status": ["phase": "Lost"]])
    #expect(Health.of(lost).status == .failed)

    // A job runs until complete (there is no job controller here: the test completes it).
    let job = try await apply(
      """
      apiVersion: batch/v1
      kind: Job
      metadata: {name: migrate, namespace: \(namespace)}
      spec:
        template:
          spec:
            restartPolicy: Never
            containers: [{name: migrate, image: "registry.local/migrate:1.0"}]
      """, client)
    #expect(Health.of(job).reason == "JobRunning")
    let now = Date().formatted(.iso8601)
    let complete = try await client.patchStatus(
      try ObjectReference(of: job),
      mergePatch: [
        "status": [
          "startTime": .string(now), "completionTime": .string(now), "succeeded": 1,
          "conditions": [
            [
              "type": "Complete", "status": "True", "lastProbeTime": .string(now),
              "lastTransitionTime": .string(now),
            ]
          ],
        ]
      ])
    #expect(
      Health.of(complete)
        == ObjectHealth(
          status: .current, reason: "JobComplete",
          message: "the job completed with 1 of 1 completion done"))

    // A ConfigMap is current once applied, terminating while a finalizer holds it, then gone.
    let config = try await apply(
      """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: settings
        namespace: \(namespace)
        finalizers: [health.wavesync.test/hold]
      data: {mode: edge}
      """, client)
    #expect(Health.of(config).reason == "NoStatus")
    let configID = try ObjectReference(of: config)
    #expect(try await client.delete(configID))
    let held = Health.of(try await client.get(configID) ?? .null)
    #expect(held.status == .inProgress)
    #expect(held.reason == "Terminating")
    #expect(held.message.hasSuffix("waiting for 1 finalizer"))
    _ = try await client.patch(configID, mergePatch: ["metadata": ["finalizers": nil]])
    let gone = try await eventually("the ConfigMap gone") { note in
      let health = Health.of(try await client.get(configID) ?? .null)
      note(health.description)
      return health.status == .unknown ? health : nil
    }
    #expect(gone.reason == "NotFound")
  }
}
