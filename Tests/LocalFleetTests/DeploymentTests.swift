import Foundation
import KubeClient
import LocalFleet
import Model
import Testing
import WavesyncTesting

extension LocalFleetSuites.SharedFleetTests {
  static let fieldManager = "localfleet-tests"

  /// A fresh namespace with `deployment` in it, on `cluster`.
  private func deploy(
    _ deployment: Value, on client: KubeClient
  ) async throws -> ObjectReference {
    let namespace = try #require(deployment[path: ["metadata", "namespace"]]?.stringValue)
    _ = try await client.apply(Manifests.namespace(namespace), fieldManager: Self.fieldManager)
    _ = try await client.apply(deployment, fieldManager: Self.fieldManager)
    return try ObjectReference(of: deployment)
  }

  private func pods(of app: String, in namespace: String, _ client: KubeClient) async throws
    -> [Value]
  {
    try await client.list(
      apiVersion: "v1", kind: "Pod", namespace: namespace, labelSelector: "app=\(app)")
  }

  /// Waits until the Deployment has `replicas` available and its Available condition is True.
  private func waitUntilAvailable(
    _ id: ObjectReference, replicas: Int64, _ client: KubeClient
  ) async throws -> Value {
    try await eventually("\(id) available with \(replicas) replicas") { note in
      let deployment = try await client.get(id)
      note(JSON.encode(deployment?["status"] ?? .null))
      guard deployment?[path: ["status", "availableReplicas"]]?.intValue == replicas,
        deployment?[path: ["status", "updatedReplicas"]]?.intValue == replicas,
        Manifests.condition("Available", of: deployment)?["status"]?.stringValue == "True"
      else { return nil }
      return deployment
    }
  }

  @Test func aDeploymentBecomesAvailableThroughTheControllersAndTheKubelet() async throws {
    let environment = try SharedFleet.environment
    let client = environment.client("site-a")
    let namespace = uniqueName("rollout")
    let id = try await deploy(
      Manifests.deployment(
        "shop", namespace: namespace, image: "registry.local/shop:1.0", replicas: 2),
      on: client)

    let started = Date()
    _ = try await waitUntilAvailable(id, replicas: 2, client)
    print("deployment available after \(Int(Date().timeIntervalSince(started) * 1000)) ms")

    let pods = try await pods(of: "shop", in: namespace, client)
    #expect(pods.count == 2)
    for pod in pods {
      let status = try #require(pod["status"])
      #expect(status["phase"] == "Running")
      #expect(status["hostIP"] == "127.0.0.1")
      #expect(status["podIP"]?.stringValue?.hasPrefix("10.88.") == true)
      #expect(status["startTime"]?.stringValue != nil)
      for type in ["PodScheduled", "Initialized", "ContainersReady", "Ready"] {
        #expect(Manifests.condition(type, of: pod)?["status"] == "True", "\(type)")
      }
      let container = try #require(status["containerStatuses"]?[0])
      #expect(container["name"] == "shop")
      #expect(container["image"] == "registry.local/shop:1.0")
      #expect(container["imageID"]?.stringValue?.hasPrefix("registry.local/shop@sha256:") == true)
      #expect(container["ready"] == true)
      #expect(container["started"] == true)
      #expect(container["restartCount"] == 0)
      #expect(container[path: ["state", "running", "startedAt"]]?.stringValue != nil)
    }
    // Both pods have their own address.
    #expect(Set(pods.compactMap { $0[path: ["status", "podIP"]]?.stringValue }).count == 2)

    let node = try await client.get(
      ObjectReference(apiVersion: "v1", kind: "Node", name: "sim-node"))
    #expect(Manifests.condition("Ready", of: node)?["status"] == "True")
  }

  @Test func aRecreatedPodRunsAndSettledPodsAreNotPatchedAgain() async throws {
    let environment = try SharedFleet.environment
    let client = environment.client("site-b")
    let kubelet = try #require(environment.kubelets["site-b"])
    let namespace = uniqueName("recreate")
    let id = try await deploy(
      Manifests.deployment(
        "cart", namespace: namespace, image: "registry.local/cart:1.0", replicas: 2),
      on: client)
    _ = try await waitUntilAvailable(id, replicas: 2, client)

    // A patch a pod (two when a watch event older than the first patch comes after it, as
    // happens on a busy machine), then none while nothing changes.
    let running = await kubelet.statusPatches(in: namespace)
    #expect((2...4).contains(running))
    try await Task.sleep(for: .seconds(3))
    #expect(await kubelet.statusPatches(in: namespace) == running)

    // The ReplicaSet replaces a deleted pod; the kubelet makes the new one run.
    let victim = try #require(try await pods(of: "cart", in: namespace, client).first)
    let victimName = try #require(victim[path: ["metadata", "name"]]?.stringValue)
    #expect(
      try await client.delete(
        ObjectReference(apiVersion: "v1", kind: "Pod", namespace: namespace, name: victimName)))
    let replacement = try await eventually("a replacement pod running") { note in
      let pods = try await pods(of: "cart", in: namespace, client)
      note(pods.map { JSON.encode($0[path: ["status", "phase"]] ?? .null) }.joined(separator: ","))
      return pods.first {
        $0[path: ["metadata", "name"]]?.stringValue != victimName
          && $0[path: ["metadata", "uid"]] != victim[path: ["metadata", "uid"]]
          && Manifests.condition("Ready", of: $0)?["status"] == "True"
      }
    }
    #expect(replacement[path: ["status", "phase"]] == "Running")
    _ = try await waitUntilAvailable(id, replicas: 2, client)
    // The replacement's status is patched (once or twice, as above), then the pods are left
    // alone.
    // The kubelet counts a patch once the API server has answered it, which may be after the
    // Deployment shows available.
    let settled = try await eventually("the replacement's status patch counted") { _ in
      let count = await kubelet.statusPatches(in: namespace)
      return count > running ? count : nil
    }
    #expect((running + 1...running + 2).contains(settled))
    try await Task.sleep(for: .seconds(3))
    #expect(await kubelet.statusPatches(in: namespace) == settled)
    #expect(await kubelet.lastError == nil)
  }

  @Test func aBrokenImageCrashLoopsAndItsDeploymentNeverBecomesAvailable() async throws {
    let environment = try SharedFleet.environment
    let client = environment.client("site-a")
    let namespace = uniqueName("broken")
    let id = try await deploy(
      Manifests.deployment(
        "api", namespace: namespace, image: "registry.local/api:broken", replicas: 1,
        progressDeadlineSeconds: 10),
      on: client)

    let pod = try await eventually("the pod reported crashing") { note in
      let pods = try await pods(of: "api", in: namespace, client)
      note(JSON.encode(pods.first?["status"] ?? .null))
      return pods.first {
        $0[path: ["status", "containerStatuses"]]?[0]?[path: ["state", "waiting", "reason"]]
          == "CrashLoopBackOff"
      }
    }
    let status = try #require(pod["status"])
    #expect(status["phase"] == "Running")
    #expect(Manifests.condition("Ready", of: pod)?["status"] == "False")
    #expect(Manifests.condition("ContainersReady", of: pod)?["status"] == "False")
    let container = try #require(status["containerStatuses"]?[0])
    #expect(container["ready"] == false)
    #expect((container["restartCount"]?.intValue ?? 0) > 0)
    #expect(container[path: ["lastState", "terminated", "exitCode"]] == 1)

    // The rollout fails: past its progress deadline, never available.
    let failed = try await eventually("the rollout reported failed") { note in
      let deployment = try await client.get(id)
      note(JSON.encode(deployment?["status"] ?? .null))
      #expect((deployment?[path: ["status", "availableReplicas"]]?.intValue ?? 0) == 0)
      #expect(Manifests.condition("Available", of: deployment)?["status"] != "True")
      let progressing = Manifests.condition("Progressing", of: deployment)
      return progressing?["reason"] == "ProgressDeadlineExceeded" ? deployment : nil
    }
    #expect(Manifests.condition("Progressing", of: failed)?["status"] == "False")
    #expect(Manifests.condition("Available", of: failed)?["status"] == "False")
    #expect(failed[path: ["status", "unavailableReplicas"]] == 1)
  }
}
