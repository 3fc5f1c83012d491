import Controller
import Foundation
import Health
import KubeClient
import Model
import Rollout
import Synchronization
import Testing

/// The rollout record kept as a `Fleet` and one `FleetSite` per site, with the objects in
/// memory (`MemoryFleetObjects`): exact round trips, a crash between writes, a stale writer,
/// and a 5,000-site rollout through the driver.
@Suite struct FleetStateStoreTests {
  static let revision = "0123456789abcdef0123456789abcdef01234567"
  static let older = "89abcdef0123456789abcdef0123456789abcdef"
  static let start = Date(timeIntervalSince1970: 1_764_000_000)

  static func policy(canary: Int = 2) throws -> RolloutPolicy {
    RolloutPolicy(
      uplinkBudget: nil, unreachableSites: .countAsFailed,
      waves: [
        .init(
          name: "canary", selector: try LabelSelector(parsing: "ring=canary"),
          maxConcurrent: .count(canary), failureThreshold: .count(1), soakSeconds: 0,
          healthTimeoutSeconds: 600, manualGate: false),
        .init(
          name: "rest", selector: try LabelSelector(parsing: "ring=rest"),
          maxConcurrent: .percent(25), failureThreshold: .percent(10), soakSeconds: 0,
          healthTimeoutSeconds: 600, manualGate: false),
      ])
  }

  static func sites(canary: Int, rest: Int, unassigned: Int = 0) -> [Site] {
    (0..<canary).map { Site(name: "canary-\($0)", labels: ["ring": "canary"]) }
      + (0..<rest).map { Site(name: "store-\($0)", labels: ["ring": "rest"]) }
      + (0..<unassigned).map { Site(name: "lab-\($0)", labels: [:]) }
  }

  /// A record mid-rollout: some sites applying, one healthy, a behind site, an unassigned one.
  static func midRollout() throws -> RolloutRecord {
    let engine = RolloutEngine(policy: try policy())
    var (state, _) = engine.start(
      revision: revision, lastGoodRevision: older, sites: sites(canary: 3, rest: 4, unassigned: 1),
      at: start)
    (state, _) = engine.reduce(state, .applied(site: "canary-0", at: start + 5))
    (state, _) = engine.reduce(
      state, .health(site: "canary-0", status: .current, at: start + 9, detail: "ok"))
    return RolloutRecord(
      current: state, currentTrigger: .newCommit, lastGoodRevision: older,
      badRevisions: [], behindSites: ["gone-7"], history: [], rolloutNumber: 3)
  }

  @Test func aSavedRecordLoadsBackExactly() async throws {
    let objects = MemoryFleetObjects()
    let record = try Self.midRollout()
    try await FleetStateStore(objects: objects).save(record)
    let loaded = try await FleetStateStore(objects: objects).load()
    #expect(loaded == record)
    // One object per site (and the behind site no longer in the rollout), one Fleet status.
    #expect(objects.writes.filter { $0.kind == "FleetSite" }.count == 9)
    #expect(objects.writes.filter { $0.kind == "Fleet" }.count == 1)
    let fleet = try #require(try await objects.fleet())
    let status = try StateJSON.decode(FleetStatus.self, from: try #require(fleet["status"]))
    #expect(status.rollout?.phase == "Running")
    #expect(status.rollout?.wave == "canary")
    #expect(status.rollout?.id == "\(Self.revision)#3")
    #expect(status.sites == FleetSiteCounts(total: 9, healthy: 1, behind: 1))
    let site = try #require(
      try await objects.sites().first { $0[path: ["spec", "site"]] == "canary-0" })
    #expect(site[path: ["metadata", "labels", "wavesync.io/wave"]] == "canary")
    #expect(site[path: ["metadata", "ownerReferences", "0", "uid"]] == nil)
    #expect(site[path: ["metadata", "ownerReferences"]]?[0]?["uid"] == "uid-1")
    #expect(site[path: ["status", "phase"]] == "Healthy")
    #expect(site[path: ["status", "appliedRevision"]] == .string(Self.revision))
  }

  @Test func aSaveWritesOnlyTheSitesThatChanged() async throws {
    let objects = MemoryFleetObjects()
    let store = FleetStateStore(objects: objects)
    var record = try Self.midRollout()
    try await store.save(record)
    objects.resetWrites()
    let engine = RolloutEngine(policy: try Self.policy())
    var state = try #require(record.current)
    (state, _) = engine.reduce(state, .applied(site: "canary-1", at: Self.start + 12))
    record.current = state
    try await store.save(record)
    #expect(objects.writes.map(\.name) == ["retail.canary-1", "retail"])
    #expect(try await FleetStateStore(objects: objects).load() == record)
  }

  /// A verifying site's FleetSite says what its health is waiting for, in kstatus' words.
  @Test func aVerifyingSiteShowsItsHealthSplitIntoStatusReasonAndMessage() async throws {
    let objects = MemoryFleetObjects()
    var record = try Self.midRollout()
    let engine = RolloutEngine(policy: try Self.policy())
    var state = try #require(record.current)
    (state, _) = engine.reduce(state, .applied(site: "canary-1", at: Self.start + 12))
    (state, _) = engine.reduce(
      state,
      .health(
        site: "canary-1", status: .inProgress, at: Self.start + 13,
        detail: "InProgress (ReplicasNotReady): Deployment till has 1 of 2 replicas ready"))
    record.current = state
    try await FleetStateStore(objects: objects).save(record)
    let site = try #require(
      try await objects.sites().first { $0[path: ["spec", "site"]] == "canary-1" })
    #expect(site[path: ["status", "phase"]] == "Verifying")
    #expect(site[path: ["status", "health", "status"]] == "InProgress")
    #expect(site[path: ["status", "health", "reason"]] == "ReplicasNotReady")
    #expect(
      site[path: ["status", "health", "message"]]
        == "Deployment till has 1 of 2 replicas ready")
    #expect(try await FleetStateStore(objects: objects).load() == record)
  }

  /// A save that stops after some sites were written and before the Fleet: a reload gets the
  /// record before that save, never a mix of the two.
  @Test func aSaveCutShortLoadsAsTheRecordBeforeIt() async throws {
    let objects = MemoryFleetObjects()
    let first = try Self.midRollout()
    try await FleetStateStore(objects: objects).save(first)

    // A new rollout writes every site, then the Fleet; the write after the 4th site fails.
    var second = first
    second.lastGoodRevision = Self.revision
    let engine = RolloutEngine(policy: try Self.policy())
    (second.current, _) = engine.start(
      revision: Self.older, lastGoodRevision: nil, sites: Self.sites(canary: 3, rest: 4),
      at: Self.start + 61)
    second.rolloutNumber += 1
    let store = FleetStateStore(objects: objects, writeConcurrency: 1)
    _ = try await store.load()
    objects.failWrite(number: 5)
    await #expect(throws: KubeError.self) { try await store.save(second) }
    let partly = objects.writes.filter { $0.kind == "FleetSite" }.count
    #expect(partly == 9 + 4)
    #expect(try await FleetStateStore(objects: objects).load() == first)

    // The same store saves it again (it reads the cluster anew after a failed save).
    try await store.save(second)
    #expect(try await FleetStateStore(objects: objects).load() == second)
  }

  @Test func aSecondWriterOfTheStateIsRefused() async throws {
    let objects = MemoryFleetObjects()
    let record = try Self.midRollout()
    let first = FleetStateStore(objects: objects)
    let second = FleetStateStore(objects: objects)
    _ = try await first.load()
    _ = try await second.load()
    try await first.save(record)
    var other = record
    other.rolloutNumber += 1
    await #expect(throws: FleetStateStoreError.self) { try await second.save(other) }
    #expect(try await FleetStateStore(objects: objects).load() == record)
  }

  /// An operator writing the spec (pause, promote) between two saves is no conflict.
  @Test func anOperatorsSpecChangeDoesNotStopTheStore() async throws {
    let objects = MemoryFleetObjects()
    let store = FleetStateStore(objects: objects)
    var record = try Self.midRollout()
    try await store.save(record)
    objects.changeSpec { $0["paused"] = true }
    record.current?.paused = true
    try await store.save(record)
    #expect(try await FleetStateStore(objects: objects).load() == record)
    #expect(try await store.controls().paused)
  }

  /// 5,000 sites rolled out by the driver: no object written is larger than a few KiB, and each
  /// save writes the Fleet once and only the sites whose state changed.
  @Test func fiveThousandSitesThroughTheDriver() async throws {
    let objects = MemoryFleetObjects()
    let sites = Self.sites(canary: 50, rest: 4_950)
    let store = RecordingStore(FleetStateStore(objects: objects), objects: objects)
    let targets = InstantFleet(sites: sites, policy: try Self.policy(canary: 50))
    let driver = RolloutDriver(
      targets: targets, store: store,
      settings: .init(tickInterval: .milliseconds(50), revisionPollInterval: .seconds(3_600)))
    let record = try await driver.run(revision: Self.revision)
    #expect(record.history.first?.outcome == .succeeded)

    let saves = store.saves
    #expect(saves.count > 2)
    for (index, save) in saves.enumerated() {
      #expect(save.fleetWrites == 1, "save \(index) wrote the Fleet \(save.fleetWrites) times")
      #expect(
        save.siteWrites == save.changedSites,
        "save \(index) wrote \(save.siteWrites) FleetSites for \(save.changedSites) changed sites")
    }
    #expect(saves.first?.siteWrites == 5_000)
    let writes = objects.writes
    let largestSite = writes.filter { $0.kind == "FleetSite" }.map(\.bytes).max() ?? 0
    let largestFleet = writes.filter { $0.kind == "Fleet" }.map(\.bytes).max() ?? 0
    #expect(largestSite < 4_096, "a FleetSite of \(largestSite) bytes")
    #expect(largestFleet < 16_384, "a Fleet of \(largestFleet) bytes")
    #expect(try await objects.sites().count == 5_000)
    let fleet = try #require(try await objects.fleet())
    let status = try StateJSON.decode(FleetStatus.self, from: try #require(fleet["status"]))
    #expect(status.sites == FleetSiteCounts(total: 5_000, healthy: 5_000))
    // Dates keep milliseconds in the store: compare the records as stored.
    let loaded = try #require(try await FleetStateStore(objects: objects).load())
    #expect(try StateJSON.text(loaded) == StateJSON.text(record))
  }
}

/// Every site applies at once and is healthy.
private struct InstantFleet: RolloutTargets {
  var sites: [Site]
  var policy: RolloutPolicy

  func prepare(revision: String) async throws -> PreparedRevision {
    PreparedRevision(revision: revision, sites: sites, policy: policy)
  }

  func apply(revision: String, to site: String) async -> SiteOperationOutcome { .done }

  func health(of site: String, at revision: String) async -> SiteHealthReport {
    .health(ObjectHealth(status: .current, reason: "Ready", message: "ready"))
  }
}

/// Counts, for each save, the objects written and the sites whose state changed since the
/// previous save (by comparing the records themselves, not the store's own bookkeeping).
private final class RecordingStore: RolloutStore {
  struct Save: Sendable {
    var siteWrites: Int
    var fleetWrites: Int
    var changedSites: Int
  }

  private let store: FleetStateStore
  private let objects: MemoryFleetObjects
  private let state = Mutex<(previous: RolloutRecord?, saves: [Save])>((nil, []))

  init(_ store: FleetStateStore, objects: MemoryFleetObjects) {
    self.store = store
    self.objects = objects
  }

  var saves: [Save] { state.withLock { $0.saves } }

  func load() async throws -> RolloutRecord? { try await store.load() }
  func controls() async throws -> RolloutControls { try await store.controls() }

  func save(_ record: RolloutRecord) async throws {
    let before = objects.writes.count
    try await store.save(record)
    let writes = objects.writes.dropFirst(before)
    state.withLock { state in
      state.saves.append(
        Save(
          siteWrites: writes.filter { $0.kind == "FleetSite" }.count,
          fleetWrites: writes.filter { $0.kind == "Fleet" }.count,
          changedSites: Self.changedSites(from: state.previous, to: record)))
      state.previous = record
    }
  }

  private static func changedSites(from before: RolloutRecord?, to after: RolloutRecord) -> Int {
    let (earlier, later) = (before?.current?.waves ?? [], after.current?.waves ?? [])
    // The same rollout: the waves hold the same sites in the same places.
    if before?.currentRolloutID == after.currentRolloutID, earlier.count == later.count {
      var changed = 0
      for wave in later.indices {
        let (old, new) = (earlier[wave].sites, later[wave].sites)
        guard old.count == new.count else { return -1 }
        for index in new.indices where old[index] != new[index] { changed += 1 }
      }
      return changed
    }
    func sites(_ record: RolloutRecord?) -> [String: SiteState] {
      var sites: [String: SiteState] = [:]
      for wave in record?.current?.waves ?? [] {
        for site in wave.sites { sites[site.name] = site }
      }
      return sites
    }
    let (old, new) = (sites(before), sites(after))
    let rolloutChanged = before?.currentRolloutID != after.currentRolloutID
    return new.filter { name, site in rolloutChanged || old[name] != site }.count
  }
}
