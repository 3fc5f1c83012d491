public import KubeClient
public import Model
public import Rollout
import Sync

/// Makes every node of a site pull images ahead of a cutover, without changing what runs: a
/// short-lived DaemonSet (`PrestageDaemonSet`) in Wavesync's namespace, read every
/// `pollInterval` until every node's pod has pulled every image, then deleted; deleted too on a
/// failure, a timeout or cancellation.
///
/// An earlier attempt's DaemonSet for the same images is reused; one for other images (left by
/// a site cut off before it could be removed) is deleted first, so a site runs at most one.
public struct ImagePrestager: Sendable {
  public struct Settings: Sendable, Hashable {
    /// How long the nodes get to pull every image before pre-staging fails.
    public var timeout: Duration
    /// How often the DaemonSet and its pods are read meanwhile.
    public var pollInterval: Duration

    public init(timeout: Duration = .seconds(900), pollInterval: Duration = .seconds(2)) {
      self.timeout = timeout
      self.pollInterval = pollInterval
    }

    /// These settings with twice the time `bytes` take at `link` added to the timeout: 534 MB
    /// over a 2 Mbit/s satellite link take 36 minutes, more than the default 15. Unchanged when
    /// either is unknown.
    public func allowing(_ bytes: Int64?, over link: BitRate?) -> Settings {
      guard let bytes, bytes > 0, let rate = link?.bitsPerSecond, rate > 0 else { return self }
      var settings = self
      settings.timeout += .seconds(2 * Double(bytes) * 8 / Double(rate))
      return settings
    }
  }

  public static let fieldManager = "wavesync"

  public let site: String
  public let client: KubeClient
  public let settings: Settings

  public init(site: String, client: KubeClient, settings: Settings = Settings()) {
    self.site = site
    self.client = client
    self.settings = settings
  }

  /// `.done` once every node pulled every image (at once for none), `.unreachable` when the
  /// site's cluster cannot be reached, `.failed` naming the image, node and site otherwise.
  public func prestage(_ requested: [String]) async -> SiteOperationOutcome {
    var seen: Set<String> = []
    let images = requested.filter { !$0.isEmpty && seen.insert($0).inserted }
    guard !images.isEmpty else { return .done }
    let daemonSet = PrestageDaemonSet.object(pulling: images)
    let reference = PrestageDaemonSet.reference(named: PrestageDaemonSet.name(for: images))

    var written = false
    let outcome: SiteOperationOutcome
    do {
      outcome = try await pull(images, with: daemonSet, at: reference, written: &written)
    } catch {
      outcome = self.outcome(of: error)
    }
    guard written else { return outcome }
    // An unstructured task is not cancelled with this one: the DaemonSet goes even then.
    let removal = await Task { [client] () async -> String? in
      do {
        _ = try await client.delete(reference, propagation: .background)
        return nil
      } catch {
        return "\(error)"
      }
    }.value
    guard let removal else { return outcome }
    let left = "\(reference) could not be removed from site \(site): \(removal)"
    switch outcome {
    case .done: return .failed("the images are pulled, but \(left)")
    case .unreachable(let reason): return .unreachable("\(reason); \(left)")
    case .failed(let reason): return .failed("\(reason); \(left)")
    }
  }

  private func pull(
    _ images: [String], with daemonSet: Value, at reference: ObjectReference,
    written: inout Bool
  ) async throws -> SiteOperationOutcome {
    // Discovery: a cluster that does not serve apps/v1 DaemonSets fails here, before any write.
    _ = try await client.mapping(apiVersion: PrestageDaemonSet.apiVersion, kind: "DaemonSet")
    let namespace: Value = [
      "apiVersion": "v1", "kind": "Namespace",
      "metadata": ["name": .string(PrestageDaemonSet.namespace)],
    ]
    _ = try await client.apply(namespace, fieldManager: Self.fieldManager)
    try await removeOthers(than: reference.name)

    let polls = max(1, Int((settings.timeout / settings.pollInterval).rounded(.up)))
    var applied = false
    var last = "not read yet"
    for poll in 0..<polls {
      if poll > 0 { try await Task.sleep(for: settings.pollInterval) }
      var live = try await client.get(reference)
      // One being deleted (an earlier attempt's) is waited out, then created again.
      if live?[path: ["metadata", "deletionTimestamp"]] != nil {
        last = "\(reference) of an earlier attempt is still being deleted"
        continue
      }
      if live == nil || !applied {
        written = true
        live = try await client.apply(daemonSet, fieldManager: Self.fieldManager, force: true)
        applied = true
      }
      guard let live else { continue }
      let pods = try await client.list(
        apiVersion: "v1", kind: "Pod", namespace: PrestageDaemonSet.namespace,
        labelSelector: "\(PrestageDaemonSet.label)=\(reference.name)")
      switch PrestageProgress.read(daemonSet: live, pods: pods, images: images) {
      case .pulled:
        return .done
      case .cannotPull(let image, let node, let reason):
        return .failed("site \(site) cannot pull image \(image) (node \(node)): \(reason)")
      case .pulling(let progress):
        last = progress
      }
    }
    return .failed(
      "site \(site) did not pull \(images.count) images within \(settings.timeout): \(last)")
  }

  /// Deletes the pre-stage DaemonSets other than `name` (for other images).
  private func removeOthers(than name: String) async throws {
    let others = try await client.list(
      apiVersion: PrestageDaemonSet.apiVersion, kind: "DaemonSet",
      namespace: PrestageDaemonSet.namespace, labelSelector: PrestageDaemonSet.label)
    for other in others {
      guard let otherName = other[path: ["metadata", "name"]]?.stringValue, otherName != name
      else { continue }
      _ = try await client.delete(PrestageDaemonSet.reference(named: otherName))
    }
  }

  private func outcome(of error: any Error) -> SiteOperationOutcome {
    if Task.isCancelled { return .failed("pre-staging images on site \(site) was cancelled") }
    if let reason = Unreachability.reason(error) { return .unreachable(reason) }
    if case KubeError.unknownKind = error {
      return .failed(
        "site \(site) does not serve \(PrestageDaemonSet.apiVersion) DaemonSets: images "
          + "cannot be pre-staged")
    }
    return .failed("pre-staging images on site \(site): \(error)")
  }
}
