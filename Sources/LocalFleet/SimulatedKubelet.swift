import Foundation
public import KubeClient
import Model

/// Stands in for the kubelets of one cluster: registers a Node, watches pods in every namespace
/// and reports them started (status subresource, JSON merge patch): `phase: Running`, every
/// container ready, conditions True, pod and host IPs. A container whose image `brokenImages`
/// matches is reported crashing instead (`CrashLoopBackOff`, restarts, `Ready=False`), so its
/// Deployment never becomes available and a rollout of it fails.
///
/// Before a pod's first report, its containers' images not yet on the node are "pulled": the
/// node's `status.images` lists every image pulled (with `imageBytes` as its size) and its
/// annotation `wavesync.io/pulled-images` the pulls in order (a JSON array), so a test can see
/// what a rollout made the site download. An image already on the node pulls nothing.
///
/// Pods are not bound to the node, so deleting them needs no kubelet. A pod already reported
/// as this kubelet would report it is left alone: one patch per pod, no loops.
public actor SimulatedKubelet: SimulatedController {
  public nonisolated let nodeName: String
  let client: KubeClient
  private let brokenImages: @Sendable (String) -> Bool
  private let imageBytes: @Sendable (String) -> Int64
  private var imagesOnNode: Set<String> = []
  private var addresses: [String: String] = [:]
  private var nextAddress = 0

  /// Status patches sent so far, by namespace (tests sharing a node count their own).
  private var statusPatchesByNamespace: [String: Int] = [:]
  /// The images pulled so far, in order; each once (what the node's annotation lists).
  public private(set) var pulledImages: [String] = []
  /// The last failure (a patch, the watch), for diagnosing a test; the kubelet carries on.
  public private(set) var lastError: String?

  /// Status patches sent so far to the pods of `namespace`.
  public func statusPatches(in namespace: String) -> Int {
    statusPatchesByNamespace[namespace, default: 0]
  }

  public static let fieldManager = "wavesync-simulated-kubelet"
  static let hostIP = "127.0.0.1"
  /// The Node annotation with the images pulled, in order, as a JSON array of strings.
  public static let pulledImagesAnnotation = "wavesync.io/pulled-images"
  /// The size `status.images` gives an image when no lookup is given: a placeholder, not a
  /// measurement (100 MB, about a small service's image).
  public static let placeholderImageBytes: Int64 = 100_000_000

  /// - Parameter imageBytes: the size to record for a pulled image (default
  ///   `placeholderImageBytes` for every image).
  public init(
    client: KubeClient,
    brokenImages: @escaping @Sendable (String) -> Bool = SimulatedKubelet.isBrokenByDefault,
    nodeName: String = "sim-node",
    imageBytes: @escaping @Sendable (String) -> Int64 = { _ in
      SimulatedKubelet.placeholderImageBytes
    }
  ) {
    self.client = client
    self.brokenImages = brokenImages
    self.nodeName = nodeName
    self.imageBytes = imageBytes
  }

  /// The default test for a broken image: its tag contains `broken` (`shop:broken`,
  /// `registry.local/shop:2.0-broken`).
  public static func isBrokenByDefault(_ image: String) -> Bool {
    guard let colon = image.lastIndex(of: ":"), !image[colon...].contains("/") else { return false }
    return image[colon...].contains("broken")
  }

  /// Runs `run()` in a new task; cancel the task to stop.
  public nonisolated func start() -> Task<Void, any Error> {
    Task { try await self.run() }
  }

  /// Registers the node, then reports pods until the task is cancelled. A broken watch (the API
  /// server restarting, say) is started again after a second; pods seen again are skipped unless
  /// their status differs from what this kubelet reports.
  public func run() async throws {
    while !Task.isCancelled {
      do {
        try await SimulatedNode.register(nodeName, client: client, fieldManager: Self.fieldManager)
        try await readImagesOnNode()
        break
      } catch {
        lastError = "registering node \(nodeName): \(error)"
        try await Task.sleep(for: .seconds(1))
      }
    }
    try await watchForever(apiVersion: "v1", kind: "Pod", what: "pods")
  }

  func react(to event: WatchEvent) async {
    if event.kind == .deleted { forget(event.object) } else { await handle(event.object) }
  }

  func record(failure: String) { lastError = failure }

  private func handle(_ pod: Value) async {
    guard let name = pod[path: ["metadata", "name"]]?.stringValue else { return }
    let namespace = pod[path: ["metadata", "namespace"]]?.stringValue
    let id = ObjectReference(apiVersion: "v1", kind: "Pod", namespace: namespace, name: name)
    if pod[path: ["metadata", "deletionTimestamp"]] != nil {
      // A pod bound to this node (by someone else) waits for its kubelet to confirm deletion.
      if pod[path: ["spec", "nodeName"]]?.stringValue == nodeName { await finishDeletion(id) }
      return
    }
    // A pod that finished (someone reported it so) stays finished.
    let phase = pod[path: ["status", "phase"]]?.stringValue
    guard phase != "Succeeded", phase != "Failed" else { return }
    await pullImages(of: pod)
    let status = SimulatedPodStatus.make(
      for: pod,
      SimulatedPodStatus.Context(
        podIP: address(for: pod), hostIP: Self.hostIP, now: Self.timestamp(),
        isBroken: brokenImages))
    guard
      SimulatedPodStatus.signature(of: status) != SimulatedPodStatus.signature(of: pod["status"])
    else { return }
    do {
      _ = try await client.patchStatus(id, mergePatch: ["status": status])
      statusPatchesByNamespace[namespace ?? "", default: 0] += 1
    } catch .notFound {
      // Deleted meanwhile.
    } catch {
      lastError = "patching the status of \(id): \(error)"
    }
  }

  /// What an earlier kubelet of this node pulled, so a restarted kubelet pulls nothing twice.
  private func readImagesOnNode() async throws(KubeError) {
    let node = try await client.get(SimulatedNode.reference(nodeName))
    let listed = node?[path: ["metadata", "annotations", Self.pulledImagesAnnotation]]?.stringValue
    guard let listed, let pulls = try? JSON.decode(listed).arrayValue else { return }
    pulledImages = pulls.compactMap(\.stringValue)
    imagesOnNode = Set(pulledImages)
  }

  /// Pulls the pod's images that are not on the node yet, and records them on the Node.
  private func pullImages(of pod: Value) async {
    var pulled: [String] = []
    let spec = pod["spec"]
    let containers =
      (spec?["initContainers"]?.arrayValue ?? []) + (spec?["containers"]?.arrayValue ?? [])
    for container in containers {
      let image = SimulatedPodStatus.image(of: container)
      guard !image.isEmpty, !imagesOnNode.contains(image) else { continue }
      imagesOnNode.insert(image)
      pulled.append(image)
    }
    guard !pulled.isEmpty else { return }
    pulledImages += pulled
    let images: [Value] = pulledImages.map { image in
      ["names": [.string(image)], "sizeBytes": .int(imageBytes(image))]
    }
    let node = SimulatedNode.reference(nodeName)
    do {
      _ = try await client.patch(
        node,
        mergePatch: [
          "metadata": [
            "annotations": [
              Self.pulledImagesAnnotation: .string(
                JSON.encode(.array(pulledImages.map(Value.string))))
            ]
          ]
        ])
      _ = try await client.patchStatus(node, mergePatch: ["status": ["images": .array(images)]])
    } catch {
      lastError = "recording the images pulled on node \(nodeName): \(error)"
    }
  }

  private func finishDeletion(_ id: ObjectReference) async {
    guard let namespace = id.namespace else { return }
    let options: Value = ["apiVersion": "v1", "kind": "DeleteOptions", "gracePeriodSeconds": 0]
    do {
      _ = try await client.request(
        "DELETE", "/api/v1/namespaces/\(namespace)/pods/\(id.name)",
        body: Data(JSON.encode(options).utf8), contentType: "application/json")
    } catch {
      lastError = "deleting \(id): \(error)"
    }
  }

  /// The pod's IP: the one it has, else the next of 10.88.0.0/16.
  private func address(for pod: Value) -> String {
    if let existing = pod[path: ["status", "podIP"]]?.stringValue, !existing.isEmpty {
      return existing
    }
    let uid = pod[path: ["metadata", "uid"]]?.stringValue ?? ""
    if let known = addresses[uid] { return known }
    let index = nextAddress % 65_000
    nextAddress += 1
    let address = "10.88.\(index / 250).\(index % 250 + 2)"
    addresses[uid] = address
    return address
  }

  private func forget(_ pod: Value) {
    if let uid = pod[path: ["metadata", "uid"]]?.stringValue { addresses[uid] = nil }
  }

  static func timestamp() -> String {
    Date().formatted(.iso8601)
  }
}
