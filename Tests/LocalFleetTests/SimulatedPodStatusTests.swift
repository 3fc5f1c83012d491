import Model
import Testing

@testable import LocalFleet

extension LocalFleetSuites {
  /// The statuses the simulated kubelet reports, without a cluster.
  @Suite struct SimulatedPodStatusTests {
    static func pod(containers: [String], initContainers: [String] = []) -> Value {
      func specs(_ images: [String], _ prefix: String) -> Value {
        .array(
          images.enumerated().map {
            ["name": .string("\(prefix)\($0.offset)"), "image": .string($0.element)]
          })
      }
      var spec: Value = ["containers": specs(containers, "app")]
      if !initContainers.isEmpty { spec["initContainers"] = specs(initContainers, "init") }
      return [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": ["name": "web-1", "namespace": "shop", "uid": "u-1"],
        "spec": spec,
        "status": ["phase": "Pending", "qosClass": "BestEffort"],
      ]
    }

    static let context = SimulatedPodStatus.Context(
      podIP: "10.88.0.2", hostIP: "127.0.0.1", now: "2026-01-02T03:04:05Z",
      isBroken: SimulatedKubelet.isBrokenByDefault)

    static func condition(_ type: String, _ status: Value) -> String? {
      status["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }?["status"]?
        .stringValue
    }

    @Test func healthyContainersRunReady() {
      let status = SimulatedPodStatus.make(
        for: Self.pod(containers: ["shop:1", "sidecar:2"]), Self.context)
      #expect(status["phase"] == "Running")
      #expect(status["qosClass"] == "BestEffort")
      #expect(status["podIPs"] == [["ip": "10.88.0.2"]])
      for type in ["Initialized", "Ready", "ContainersReady", "PodScheduled"] {
        #expect(Self.condition(type, status) == "True")
      }
      let containers = status["containerStatuses"]?.arrayValue ?? []
      #expect(containers.map { $0["name"] } == ["app0", "app1"])
      #expect(containers.allSatisfy { $0["ready"] == true && $0["restartCount"] == 0 })
      #expect(containers[0][path: ["state", "running", "startedAt"]] == "2026-01-02T03:04:05Z")
      #expect(containers[1]["imageID"]?.stringValue?.hasPrefix("sidecar@sha256:") == true)
    }

    @Test func aBrokenContainerCrashLoopsAndThePodIsNotReady() {
      let status = SimulatedPodStatus.make(
        for: Self.pod(containers: ["shop:broken", "sidecar:2"]), Self.context)
      #expect(status["phase"] == "Running")
      #expect(Self.condition("Ready", status) == "False")
      #expect(Self.condition("ContainersReady", status) == "False")
      #expect(Self.condition("Initialized", status) == "True")
      let broken = status["containerStatuses"]?[0]
      #expect(broken?[path: ["state", "waiting", "reason"]] == "CrashLoopBackOff")
      #expect(broken?["ready"] == false)
      #expect(broken?["restartCount"] == .int(SimulatedPodStatus.brokenRestartCount))
      #expect(status["containerStatuses"]?[1]?["ready"] == true)
    }

    /// An image tagged `unpullable` waits in ErrImagePull with no image id (nothing was
    /// pulled), and keeps the pod Pending; the other containers' images are pulled.
    @Test func anUnpullableImageWaitsWithoutAnImageID() {
      let status = SimulatedPodStatus.make(
        for: Self.pod(containers: ["shop:1", "shop:2-unpullable"]), Self.context)
      #expect(status["phase"] == "Pending")
      #expect(Self.condition("Ready", status) == "False")
      let unpulled = status["containerStatuses"]?[1]
      #expect(unpulled?[path: ["state", "waiting", "reason"]] == "ErrImagePull")
      #expect(
        unpulled?[path: ["state", "waiting", "message"]]?.stringValue?.contains(
          "shop:2-unpullable") == true)
      #expect(unpulled?["imageID"] == "")
      #expect(status["containerStatuses"]?[0]?["imageID"]?.stringValue?.isEmpty == false)
      #expect(!SimulatedPodStatus.isUnpullableByDefault("registry.unpullable:5000/shop:1"))
    }

    @Test func aBrokenInitContainerKeepsThePodPending() {
      let status = SimulatedPodStatus.make(
        for: Self.pod(
          containers: ["shop:1"], initContainers: ["migrate:1", "seed:broken", "warm:1"]),
        Self.context)
      #expect(status["phase"] == "Pending")
      #expect(Self.condition("Initialized", status) == "False")
      #expect(Self.condition("Ready", status) == "False")
      let inits = status["initContainerStatuses"]?.arrayValue ?? []
      #expect(inits.count == 3)
      #expect(inits[0][path: ["state", "terminated", "reason"]] == "Completed")
      #expect(inits[1][path: ["state", "waiting", "reason"]] == "CrashLoopBackOff")
      #expect(inits[2][path: ["state", "waiting", "reason"]] == "PodInitializing")
      #expect(
        status["containerStatuses"]?[0]?[path: ["state", "waiting", "reason"]] == "PodInitializing")
    }

    @Test func aReportedPodHasTheSameSignatureLaterOn() {
      var pod = Self.pod(containers: ["shop:1"])
      let first = SimulatedPodStatus.make(for: pod, Self.context)
      pod["status"] = first
      var later = Self.context
      later.now = "2026-01-02T09:00:00Z"
      later.podIP = "10.88.0.9"
      #expect(
        SimulatedPodStatus.signature(of: SimulatedPodStatus.make(for: pod, later))
          == SimulatedPodStatus.signature(of: first))
      #expect(SimulatedPodStatus.make(for: pod, later)["startTime"] == "2026-01-02T03:04:05Z")
      // A changed image is a different status.
      pod[path: ["spec", "containers"]] = [["name": "app0", "image": "shop:2"]]
      #expect(
        SimulatedPodStatus.signature(of: SimulatedPodStatus.make(for: pod, later))
          != SimulatedPodStatus.signature(of: first))
      #expect(
        SimulatedPodStatus.signature(of: ["phase": "Pending"])
          != SimulatedPodStatus.signature(of: first))
    }

    @Test(arguments: [
      ("shop:broken", true), ("registry.local:5000/shop:2.0-broken", true),
      ("registry.local:5000/shop", false), ("broken/shop:1.0", false), ("shop", false),
      ("shop@sha256:0123", false),
    ])
    func brokenImagesByDefault(_ image: String, _ broken: Bool) {
      #expect(SimulatedKubelet.isBrokenByDefault(image) == broken)
    }
  }
}
