import Controller
import KubeClient
import LocalFleet
import Model
import Rollout
import Testing
import WavesyncTesting

// Pre-staging against the rollout suite's clusters: the DaemonSet's pods, as a watch of
// Wavesync's namespace records them, are what shows that every node pulled every image.
extension RolloutCLITests {
  static let prestageSettings = ImagePrestager.Settings(
    timeout: .seconds(240), pollInterval: .milliseconds(200))

  /// Two images on a site with three nodes: one pod per node, each reporting an image id for
  /// both; the DaemonSet is gone once it is done, and its pods follow.
  @Test func prestagingPullsEveryImageOnEveryNodeThenRemovesItsDaemonSet() async throws {
    let fleet = try fleet
    let site = "rest-2"
    let client = fleet.client(for: site)
    let images = ["registry.local/till:3.0", "registry.local/scale:1.4"]
    let name = PrestageDaemonSet.name(for: images)

    let (outcome, recorder, nodes) = try await withExtraNodes(
      ["prestage-b", "prestage-c"], on: site
    ) { nodes in
      let recorder = try await PrestagePods.record(on: client)
      let outcome = await ImagePrestager(
        site: site, client: client, settings: Self.prestageSettings
      ).prestage(images + [images[0]])
      return (outcome, recorder, nodes)
    }
    #expect(outcome == .done)
    #expect(try await client.get(PrestageDaemonSet.reference(named: name)) == nil)
    #expect(nodes.count == 3, "\(nodes)")
    let pulled = try await eventually("every node's pod reporting both images") { note in
      let pulled = await recorder.nodesThatPulled(images, daemonSet: name)
      note("nodes \(nodes), pulled on \(pulled.sorted())")
      return pulled == Set(nodes) ? pulled : nil
    }
    #expect(pulled.count == 3)
    try await eventually("the DaemonSet's pods deleted") {
      try await PrestagePods.live(on: client, daemonSet: name).isEmpty
    }
    recorder.stop()
  }

  /// An image the registry does not have fails pre-staging with the image and the site named;
  /// the DaemonSet is removed all the same.
  @Test func anImageThatCannotBePulledFailsPrestagingAndLeavesNothingBehind() async throws {
    let fleet = try fleet
    let site = "rest-2"
    let client = fleet.client(for: site)
    let images = ["registry.local/till:1.0", "registry.local/till:2.0-unpullable"]
    let outcome = await ImagePrestager(
      site: site, client: client, settings: Self.prestageSettings
    ).prestage(images)
    guard case .failed(let reason) = outcome else {
      Issue.record("pre-staging an unpullable image: \(outcome)")
      return
    }
    #expect(reason.contains("registry.local/till:2.0-unpullable"), "\(reason)")
    #expect(reason.contains("site \(site)"), "\(reason)")
    #expect(reason.contains("ErrImagePull"), "\(reason)")
    let name = PrestageDaemonSet.name(for: images)
    #expect(try await client.get(PrestageDaemonSet.reference(named: name)) == nil)
    try await eventually("the DaemonSet's pods deleted") {
      try await PrestagePods.live(on: client, daemonSet: name).isEmpty
    }
  }

  /// A site whose cluster is stopped is unreachable, not failed: the rollout retries it.
  @Test func prestagingOnAStoppedSiteIsUnreachable() async throws {
    let fleet = try fleet
    let site = "rest-1"
    let outcome = try await fleet.withClusterStopped(site) {
      await ImagePrestager(
        site: site, client: fleet.client(for: site), settings: Self.prestageSettings
      ).prestage(["registry.local/till:1.0"])
    }
    guard case .unreachable(let reason) = outcome else {
      Issue.record("pre-staging on a stopped cluster: \(outcome)")
      return
    }
    #expect(reason.contains("cannot reach cluster \(site)"), "\(reason)")
  }

  /// An earlier attempt's DaemonSet for the same images is reused and one for other images
  /// (left by a site cut off mid-way) removed; pre-staging again is done again.
  @Test func prestagingTwiceReusesAndCleansUpEarlierAttempts() async throws {
    let fleet = try fleet
    let site = "rest-1"
    let client = fleet.client(for: site)
    let images = ["registry.local/till:4.0"]
    let other = ["registry.local/till:0.9"]
    let prestager = ImagePrestager(site: site, client: client, settings: Self.prestageSettings)
    // The namespace first, then both leftovers, as an interrupted attempt leaves them.
    _ = try await client.apply(
      ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "wavesync-system"]],
      fieldManager: "test")
    for leftover in [images, other] {
      _ = try await client.apply(PrestageDaemonSet.object(pulling: leftover), fieldManager: "test")
    }

    #expect(await prestager.prestage(images) == .done)
    #expect(await prestager.prestage(images) == .done)
    let left = try await client.list(
      apiVersion: "apps/v1", kind: "DaemonSet", namespace: PrestageDaemonSet.namespace,
      labelSelector: PrestageDaemonSet.label)
    #expect(left.isEmpty, "\(left.map { $0[path: ["metadata", "name"]] ?? "?" })")
  }

  /// Nodes that never report their pods (the site's kubelet is stopped) make pre-staging fail
  /// at its timeout, saying what is missing; the DaemonSet is removed all the same.
  @Test func prestagingThatDoesNotFinishInTimeFailsAndRemovesItsDaemonSet() async throws {
    let environment = try RolloutFleet.environment
    let site = "early-2"
    let client = environment.fleet.client(for: site)
    let images = ["registry.local/till:6.0"]
    await environment.kubelets.stop(site)
    let outcome = await ImagePrestager(
      site: site, client: client,
      settings: .init(timeout: .seconds(2), pollInterval: .milliseconds(200))
    ).prestage(images)
    await environment.kubelets.start(site)
    guard case .failed(let reason) = outcome else {
      Issue.record("pre-staging without a kubelet: \(outcome)")
      return
    }
    #expect(reason.contains("site \(site) did not pull 1 images within"), "\(reason)")
    let name = PrestageDaemonSet.name(for: images)
    #expect(try await client.get(PrestageDaemonSet.reference(named: name)) == nil)
  }

  /// Cancelling pre-staging while it waits removes the DaemonSet before it returns.
  @Test func cancelledPrestagingRemovesItsDaemonSet() async throws {
    let environment = try RolloutFleet.environment
    let site = "early-2"
    let client = environment.fleet.client(for: site)
    let images = ["registry.local/till:7.0"]
    let reference = PrestageDaemonSet.reference(named: PrestageDaemonSet.name(for: images))
    await environment.kubelets.stop(site)
    let prestaging = Task {
      await ImagePrestager(site: site, client: client, settings: Self.prestageSettings)
        .prestage(images)
    }
    var waitFailure: (any Error)?
    do {
      try await eventually("the pre-stage DaemonSet created") {
        try await client.get(reference) != nil
      }
    } catch {
      waitFailure = error
    }
    prestaging.cancel()
    let outcome = await prestaging.value
    await environment.kubelets.start(site)
    if let waitFailure { throw waitFailure }
    #expect(outcome == .failed("pre-staging images on site \(site) was cancelled"))
    #expect(try await client.get(reference) == nil)
  }

  /// The targets pre-stage the images a revision runs on the site (rendered from that
  /// revision), without applying anything.
  @Test func theTargetsPrestageTheImagesOfASitesRevision() async throws {
    let fleet = try fleet
    let repo = try RolloutRepository(fleet, "prestage")
    let site = "rest-1"
    let client = fleet.client(for: site)
    let revision = try repo.commit(image: "registry.local/till:5.0")
    let targets = repo.targets(prestaging: Self.prestageSettings)
    let recorder = try await PrestagePods.record(on: client)

    #expect(await targets.prestage(revision: revision, to: site, payloadBytes: nil) == .done)
    let name = PrestageDaemonSet.name(for: ["registry.local/till:5.0"])
    _ = try await eventually("the site's node pulling till 5.0") { note in
      let pulled = await recorder.nodesThatPulled(["registry.local/till:5.0"], daemonSet: name)
      note("pulled on \(pulled.sorted())")
      return pulled.isEmpty ? nil : pulled
    }
    recorder.stop()
    // Nothing applied: the app's namespace was never created on the site.
    let namespace = ObjectReference(apiVersion: "v1", kind: "Namespace", name: repo.app)
    #expect(try await client.get(namespace) == nil)
    #expect(
      await targets.prestage(revision: revision, to: "nowhere", payloadBytes: nil)
        == .failed("site nowhere is not defined at revision \(revision)"))
  }

  /// Runs `body` with simulated kubelets for `extra` nodes on `site` besides its own, passing
  /// every node name; stops them and deletes their Nodes afterwards, whatever happened.
  private func withExtraNodes<T: Sendable>(
    _ extra: [String], on site: String, _ body: ([String]) async throws -> T
  ) async throws -> T {
    let client = try fleet.client(for: site)
    let kubelets = extra.map { SimulatedKubelet(client: client, nodeName: $0).start() }
    let result: Result<T, any Error>
    do {
      let nodes = try await eventually("\(extra.count) more nodes registered") { note in
        let nodes = try await client.list(apiVersion: "v1", kind: "Node")
          .compactMap { $0[path: ["metadata", "name"]]?.stringValue }
        note("\(nodes)")
        return Set(extra).isSubset(of: nodes) ? nodes : nil
      }
      result = .success(try await body(nodes))
    } catch {
      result = .failure(error)
    }
    for kubelet in kubelets { kubelet.cancel() }
    for node in extra {
      _ = try await client.delete(ObjectReference(apiVersion: "v1", kind: "Node", name: node))
    }
    return try result.get()
  }
}

/// The pods of pre-stage DaemonSets as a watch of Wavesync's namespace sees them.
actor PrestagePods {
  private var seen: [Value] = []
  private var task: Task<Void, Never>?

  /// Starts recording every pod change in the namespace from now on (the namespace is created
  /// first, so the watch starts at its resourceVersion and misses nothing after it).
  static func record(on client: KubeClient) async throws -> PrestagePods {
    let namespace = try await client.apply(
      ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "wavesync-system"]],
      fieldManager: "test")
    let recorder = PrestagePods()
    let events = client.watch(
      apiVersion: "v1", kind: "Pod", namespace: PrestageDaemonSet.namespace,
      labelSelector: PrestageDaemonSet.label,
      resourceVersion: namespace[path: ["metadata", "resourceVersion"]]?.stringValue)
    await recorder.consume(events)
    return recorder
  }

  private func consume(_ events: AsyncThrowingStream<WatchEvent, any Error>) {
    task = Task {
      do {
        for try await event in events where event.kind != .bookmark { add(event.object) }
      } catch {}
    }
  }

  private func add(_ pod: Value) { seen.append(pod) }

  nonisolated func stop() { Task { await self.cancel() } }
  private func cancel() { task?.cancel() }

  /// The nodes whose pod of `daemonSet` reported an image id for each of `images`.
  func nodesThatPulled(_ images: [String], daemonSet: String) -> Set<String> {
    var nodes: Set<String> = []
    for pod in seen
    where pod[path: ["metadata", "labels", PrestageDaemonSet.label]] == .string(daemonSet) {
      let statuses = pod[path: ["status", "containerStatuses"]]?.arrayValue ?? []
      let pulled = images.allSatisfy { image in
        statuses.contains {
          $0["image"]?.stringValue == image && !($0["imageID"]?.stringValue ?? "").isEmpty
        }
      }
      guard pulled else { continue }
      let terms =
        pod[
          path: [
            "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
            "nodeSelectorTerms",
          ]]?[0]?["matchFields"]?[0]?["values"]?[0]?.stringValue
      if let node = terms { nodes.insert(node) }
    }
    return nodes
  }

  /// The pods of `daemonSet` still there.
  static func live(on client: KubeClient, daemonSet: String) async throws -> [Value] {
    try await client.list(
      apiVersion: "v1", kind: "Pod", namespace: PrestageDaemonSet.namespace,
      labelSelector: "\(PrestageDaemonSet.label)=\(daemonSet)")
  }
}
