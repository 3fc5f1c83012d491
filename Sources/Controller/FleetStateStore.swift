import Foundation
public import KubeClient
public import Model
public import Rollout
import Synchronization

/// Keeps a fleet's rollout record in the regional cluster: the bounded part in the `Fleet`'s
/// status, each site's part in a `FleetSite` of its own, owned by the `Fleet`.
///
/// A save writes only what changed: the `FleetSite`s whose state changed, then the `Fleet`'s
/// status, which commits them, then deletes the `FleetSite`s of sites that left the fleet.
/// Every write is conditional on the resourceVersion last read or written, so a second
/// controller driving the same fleet fails instead of interleaving. A crash between a site's
/// write and the `Fleet`'s leaves a site state the driver never acted on: each `FleetSite`
/// keeps the state it replaced, numbered by the `Fleet`'s `stateSequence`, and a load takes the
/// one the `Fleet` committed. A reload never mixes two saves.
///
/// The same store writes the reconcile's part of the status (`updateStatus`), so one writer
/// owns the `Fleet`'s status.
public final class FleetStateStore: RolloutStore {
  public let objects: any FleetObjects
  /// Site writes in flight at once during a save (the start of a rollout writes every site).
  public let writeConcurrency: Int
  private let cache = Mutex<Cache?>(nil)
  /// Changes of the reconcile's part of the status noted since the last write (`note`).
  private let notes = Mutex<[@Sendable (inout FleetStatus) -> Void]>([])

  /// A site's `FleetSite` as last read or written.
  struct SiteObject: Sendable {
    var name: String
    var resourceVersion: String?
  }

  struct Cache: Sendable {
    var fleet: Value
    var status: FleetStatus
    /// Each site's state as of the `Fleet`'s last committed sequence.
    var committed: [String: SiteRecord]
    var objects: [String: SiteObject]
    /// The record as last loaded or saved.
    var record: RolloutRecord?
  }

  public init(objects: any FleetObjects, writeConcurrency: Int = 16) {
    self.objects = objects
    self.writeConcurrency = max(writeConcurrency, 1)
  }

  public convenience init(client: KubeClient, namespace: String, fleet: String) {
    self.init(objects: KubeFleetObjects(client: client, namespace: namespace, fleetName: fleet))
  }

  private var fleetDescription: String { "Fleet \(objects.namespace)/\(objects.fleetName)" }

  // MARK: Reading

  public func load() async throws -> RolloutRecord? {
    var loaded = try await read()
    let status = loaded.status
    let empty =
      status.rollout == nil && status.history.isEmpty && status.badRevisions.isEmpty
      && status.lastGoodRevision == nil && !loaded.committed.values.contains { $0.behind }
    loaded.record = empty ? nil : FleetStateEncoding.join(status, sites: loaded.committed)
    cache.withLock { [loaded] in $0 = loaded }
    return loaded.record
  }

  /// The `Fleet` as last read or written (spec and status), reading it first if needed.
  public func fleet() async throws -> (object: Value, status: FleetStatus) {
    if let cached = cache.withLock({ $0 }) { return (cached.fleet, cached.status) }
    let loaded = try await read()
    cache.withLock { $0 = loaded }
    return (loaded.fleet, loaded.status)
  }

  /// Reads the `Fleet` again, for its latest spec. The cache is kept while the stored state is
  /// the one it holds, and dropped otherwise (the next load reads everything).
  public func refresh() async throws -> Value {
    guard let fleet = try await fetchFleet() else {
      throw FleetStateStoreError.noFleet(fleetDescription)
    }
    let sequence = fleet[path: ["status", "stateSequence"]]?.intValue.map { Int($0) } ?? 0
    cache.withLock { cache in
      if cache?.status.stateSequence == sequence {
        cache?.fleet = fleet
      } else {
        cache = nil
      }
    }
    return fleet
  }

  private func read() async throws -> Cache {
    guard let fleet = try await fetchFleet() else {
      throw FleetStateStoreError.noFleet(fleetDescription)
    }
    let status: FleetStatus
    do {
      status =
        try fleet["status"].map { try StateJSON.decode(FleetStatus.self, from: $0) }
        ?? FleetStatus()
    } catch {
      throw FleetStateStoreError.unreadable("\(fleetDescription) status: \(error)")
    }
    var committedSites: [String: SiteRecord] = [:]
    var siteObjects: [String: SiteObject] = [:]
    for object in try await objects.sites() {
      let objectName = object[path: ["metadata", "name"]]?.stringValue ?? "?"
      guard let site = object[path: ["spec", "site"]]?.stringValue,
        let statusValue = object["status"]
      else { continue }
      let siteStatus: FleetSiteStatus
      do {
        siteStatus = try StateJSON.decode(FleetSiteStatus.self, from: statusValue)
      } catch {
        throw FleetStateStoreError.unreadable(
          "FleetSite \(objects.namespace)/\(objectName) status: \(error)")
      }
      // Written for a save the Fleet never committed and with nothing before it: not there.
      guard let committed = siteStatus.committed(at: status.stateSequence) else { continue }
      committedSites[site] = committed
      siteObjects[site] = SiteObject(
        name: objectName,
        resourceVersion: object[path: ["metadata", "resourceVersion"]]?.stringValue)
    }
    return Cache(
      fleet: fleet, status: status, committed: committedSites, objects: siteObjects, record: nil)
  }

  /// The `Fleet`, or nil; a cluster without Wavesync's resources says to install them.
  private func fetchFleet() async throws -> Value? {
    try await objects.fleetIfInstalled()
  }

  public func controls() async throws -> RolloutControls {
    guard let fleet = try await fetchFleet() else {
      throw FleetStateStoreError.noFleet(fleetDescription)
    }
    return FleetControls.read(fleet)
  }

  // MARK: Writing

  public func save(_ record: RolloutRecord) async throws {
    // Taken out of the cache while saving, so its dictionaries are changed in place; a failed
    // save leaves no cache, and the next call reads the cluster again.
    var working = try await takeCache()
    var status = working.status
    applyNotes(to: &status)
    let sequence = status.stateSequence + 1
    let (sites, dropped) = FleetStateEncoding.split(
      record, previous: working.record, sequence: sequence, into: &status,
      known: working.committed)
    var writes: [(site: String, object: Value)] = []
    for (site, state) in sites.sorted(by: { $0.key < $1.key }) {
      let siteStatus = FleetSiteStatus(state: state, previous: working.committed[site])
      writes.append(
        (
          site,
          try siteObject(site, siteStatus, stored: working.objects[site], fleet: working.fleet)
        )
      )
    }
    let written = try await writeSites(writes)
    working.fleet = try await writeStatus(status, over: working)
    working.status = status
    for site in dropped.sorted() {
      guard let object = working.objects[site] else { continue }
      try await objects.deleteSite(named: object.name)
      working.objects[site] = nil
      working.committed[site] = nil
    }
    for (site, state) in sites {
      working.committed[site] = state
      if let object = written[site] {
        working.objects[site] = SiteObject(
          name: object[path: ["metadata", "name"]]?.stringValue ?? "",
          resourceVersion: object[path: ["metadata", "resourceVersion"]]?.stringValue)
      }
    }
    working.record = record
    cache.withLock { [working] in $0 = working }
  }

  /// Notes a change of the reconcile's part of the status for the next write, for callers that
  /// cannot wait (the driver's observations).
  public func note(_ change: @escaping @Sendable (inout FleetStatus) -> Void) {
    notes.withLock { $0.append(change) }
  }

  /// The noted changes, applied to `status` and forgotten.
  private func applyNotes(to status: inout FleetStatus) {
    for change in notes.withLock({ notes in
      defer { notes = [] }
      return notes
    }) {
      change(&status)
    }
  }

  /// Changes the reconcile's part of the status (conditions, fetched revision, ...) and writes
  /// it with the rollout state as stored.
  public func updateStatus(_ change: (inout FleetStatus) -> Void) async throws {
    let before = try await loadedCache()
    var status = before.status
    applyNotes(to: &status)
    change(&status)
    guard status != before.status else { return }
    let fleet = try await writeStatus(status, over: before)
    cache.withLock {
      $0?.fleet = fleet
      $0?.status = status
    }
  }

  private func loadedCache() async throws -> Cache {
    if let cached = cache.withLock({ $0 }) { return cached }
    _ = try await load()
    guard let cached = cache.withLock({ $0 }) else {
      throw FleetStateStoreError.noFleet(fleetDescription)
    }
    return cached
  }

  private func takeCache() async throws -> Cache {
    if let cached = cache.withLock({ $0.take() }) { return cached }
    _ = try await load()
    guard let cached = cache.withLock({ $0.take() }) else {
      throw FleetStateStoreError.noFleet(fleetDescription)
    }
    return cached
  }

  private func siteObject(
    _ site: String, _ status: FleetSiteStatus, stored: SiteObject?, fleet: Value
  ) throws -> Value {
    let name =
      stored?.name
      ?? FleetResourceNames.siteObjectName(fleet: objects.fleetName, site: site)
    var labels: Value = [FleetResourceNames.fleetLabel: .string(objects.fleetName)]
    if let wave = status.state.wave, let label = FleetResourceNames.labelValue(wave) {
      labels[FleetResourceNames.waveLabel] = .string(label)
    }
    var metadata: Value = [
      "name": .string(name), "namespace": .string(objects.namespace), "labels": labels,
    ]
    if let uid = fleet[path: ["metadata", "uid"]]?.stringValue {
      metadata["ownerReferences"] = [
        [
          "apiVersion": .string(FleetResourceNames.apiVersion),
          "kind": .string(FleetResourceNames.fleetKind), "name": .string(objects.fleetName),
          "uid": .string(uid), "controller": true,
        ]
      ]
    }
    if let resourceVersion = stored?.resourceVersion {
      metadata["resourceVersion"] = .string(resourceVersion)
    }
    return [
      "apiVersion": .string(FleetResourceNames.apiVersion),
      "kind": .string(FleetResourceNames.siteKind), "metadata": metadata,
      "spec": ["fleet": .string(objects.fleetName), "site": .string(site)],
      "status": try StateJSON.value(status),
    ]
  }

  /// Writes the sites, `writeConcurrency` at a time; the objects as stored, by site.
  private func writeSites(_ writes: [(site: String, object: Value)]) async throws -> [String: Value]
  {
    var written: [String: Value] = [:]
    try await withThrowingTaskGroup(of: (String, Value).self) { group in
      var pending = writes[...]
      func launch() {
        guard let (site, object) = pending.popFirst() else { return }
        group.addTask { (site, try await self.writeSite(object)) }
      }
      for _ in 0..<writeConcurrency { launch() }
      while let (site, object) = try await group.next() {
        written[site] = object
        launch()
      }
    }
    return written
  }

  private func writeSite(_ object: Value) async throws -> Value {
    let name = object[path: ["metadata", "name"]]?.stringValue ?? "?"
    do {
      if object[path: ["metadata", "resourceVersion"]] == nil {
        return try await objects.createSite(object)
      }
      return try await objects.replaceSite(object)
    } catch {
      switch error {
      case .conflict:
        throw FleetStateStoreError.changedElsewhere(
          "FleetSite \(objects.namespace)/\(name) was written by someone else "
            + "(another wavesync controller?)")
      case .unknownKind: throw FleetStateStoreError.notInstalled(error.description)
      default: throw error
      }
    }
  }

  /// Writes the status over the `Fleet` as `before` knew it. An operator may have changed the
  /// spec since: that is retried on the newer object, as long as no one else wrote the state.
  private func writeStatus(_ status: FleetStatus, over before: Cache) async throws -> Value {
    var fleet = before.fleet
    fleet["status"] = try StateJSON.value(status)
    for _ in 0..<5 {
      do {
        return try await objects.replaceFleetStatus(fleet)
      } catch {
        guard case .conflict = error else { throw error }
      }
      guard let latest = try await objects.fleet() else {
        throw FleetStateStoreError.noFleet(fleetDescription)
      }
      let stored = try latest["status"].map { try StateJSON.decode(FleetStatus.self, from: $0) }
      guard (stored?.stateSequence ?? 0) == before.status.stateSequence else {
        throw FleetStateStoreError.changedElsewhere(
          "the rollout state of \(fleetDescription) was written by someone else "
            + "(another wavesync controller?)")
      }
      fleet = latest
      fleet["status"] = try StateJSON.value(status)
    }
    throw FleetStateStoreError.changedElsewhere(
      "\(fleetDescription) kept changing while its status was written")
  }
}

public enum FleetStateStoreError: Error, Sendable, CustomStringConvertible {
  case noFleet(String)
  case unreadable(String)
  case changedElsewhere(String)
  case notInstalled(String)

  public var description: String {
    switch self {
    case .noFleet(let fleet): "\(fleet) does not exist"
    case .unreadable(let what): "the stored rollout state is unreadable: \(what)"
    case .changedElsewhere(let what): what
    case .notInstalled(let what): "Wavesync's resources are not installed: \(what)"
    }
  }
}
