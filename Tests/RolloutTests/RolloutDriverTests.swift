import Foundation
import Health
import Model
import Rollout
import Synchronization
import Testing

// MARK: Fleet and policy

/// canary-1; early-1, early-2; rest-1, rest-2, rest-3.
private let threeWaveSites = sites("canary", 1) + sites("early", 2) + sites("rest", 3)

private func threeWavePolicy(gateEarly: Bool = false, soak: Double = 0.05) -> RolloutPolicy {
  policy(
    wave("canary", soak: soak), wave("early", max: .count(2), soak: soak, gate: gateEarly),
    wave("rest", max: .percent(50)))
}

private func settings(historyLimit: Int = 10, rollbackAttempts: Int = 3)
  -> RolloutDriver.Settings
{
  RolloutDriver.Settings(
    tickInterval: .milliseconds(20), revisionPollInterval: .milliseconds(20),
    historyLimit: historyLimit, rollbackAttempts: rollbackAttempts,
    rollbackRetryDelay: .milliseconds(10))
}

/// The wave of each site, from its `wave` label.
private func waveName(_ site: String) -> String {
  String(site.prefix { $0 != "-" })
}

// MARK: Checks

/// A site was recorded as applying (or rolling back) in the stored record before every apply
/// to it began: the driver never changes a site before the change is stored.
private func checkRecordedBeforeApplied(
  _ fleet: FakeFleet, _ journal: Journal, sourceLocation: SourceLocation = #_sourceLocation
) {
  let saves = journal.saves
  for entry in fleet.log {
    guard let save = saves.last(where: { $0.sequence < entry.startedAt }),
      let state = save.record.current
    else {
      Issue.record("\(entry) began before any record was stored", sourceLocation: sourceLocation)
      continue
    }
    let phase = state.phase(of: entry.site)
    if entry.revision == state.revision, case .applying? = phase { continue }
    if entry.revision == state.lastGoodRevision, phase == .rollingBack { continue }
    let stored = phase.map { "\($0)" } ?? "nowhere"
    Issue.record(
      "\(entry) began while the stored rollout of \(state.revision) had \(entry.site) at \(stored)",
      sourceLocation: sourceLocation)
  }
}

/// Every site that is not behind runs the last good revision (the record's own promise).
private func checkFleetMatches(
  _ record: RolloutRecord, _ fleet: FakeFleet, sourceLocation: SourceLocation = #_sourceLocation
) {
  for site in fleet.sites.map(\.name) where !record.behindSites.contains(site) {
    #expect(
      fleet.revision(of: site) == record.lastGoodRevision,
      "\(site) runs \(fleet.revision(of: site) ?? "nothing"), not the last good revision",
      sourceLocation: sourceLocation)
  }
}

/// Each apply of `revision` to a site of a later wave began after at least one apply of
/// `revision` to every site of every earlier wave.
private func checkWaveOrder(
  _ log: [ApplyEntry], revision: String, waves: [[String]],
  sourceLocation: SourceLocation = #_sourceLocation
) {
  let entries = log.filter { $0.revision == revision }.sorted { $0.startedAt < $1.startedAt }
  for (position, entry) in entries.enumerated() {
    guard let index = waves.firstIndex(where: { $0.contains(entry.site) }) else { continue }
    let before = Set(entries[..<position].map(\.site))
    for earlier in waves[..<index].joined() where !before.contains(earlier) {
      Issue.record(
        "\(entry) began before \(earlier) of an earlier wave was applied",
        sourceLocation: sourceLocation)
    }
  }
}

private let threeWaves = [["canary-1"], ["early-1", "early-2"], ["rest-1", "rest-2", "rest-3"]]

// MARK: Tests

@Suite("Rollout driver")
struct RolloutDriverTests {
  /// The clock, executor and dates of this test's drivers.
  private let harness = DriverHarness()

  /// A fleet on `r1`, its record and a driver, after a good first rollout of `r1`.
  private func fleetAtR1(
    policy: RolloutPolicy = threeWavePolicy(), sites: [Site] = threeWaveSites,
    settings: RolloutDriver.Settings = settings()
  ) async throws -> (FakeFleet, MemoryStore, Journal, RolloutDriver) {
    let journal = Journal()
    let fleet = FakeFleet(sites: sites, policy: policy, journal: journal, clock: harness.clock)
    let store = MemoryStore(journal: journal)
    let driver = harness.driver(targets: fleet, store: store, settings: settings)
    let record = try await harness.complete(driver, "r1")
    try #require(record.lastGoodRevision == "r1")
    return (fleet, store, journal, driver)
  }

  /// The record of a driver stopped during the rollout of r2 (last good r1), after canary-1
  /// applied it and reported `canaryHealth`; canary-1 runs r2.
  private func recordStoppedDuringR2(
    canaryHealth: HealthStatus, _ fleet: FakeFleet, _ store: MemoryStore
  ) throws -> RolloutRecord {
    let engine = RolloutEngine(policy: threeWavePolicy(soak: 0))
    var (state, _) = engine.start(
      revision: "r2", lastGoodRevision: "r1", sites: threeWaveSites, at: harness.now())
    (state, _) = engine.reduce(state, .applied(site: "canary-1", at: harness.now()))
    (state, _) = engine.reduce(
      state, .health(site: "canary-1", status: canaryHealth, at: harness.now()))
    fleet.setRunning("canary-1", "r2")
    var seed = try #require(store.latest)
    seed.current = state
    seed.currentTrigger = .newCommit
    return seed
  }

  @Test func goodRevisionGoesThroughThreeWavesInOrder() async throws {
    let journal = Journal()
    let fleet = FakeFleet(
      sites: threeWaveSites.reversed(), policy: threeWavePolicy(), running: "r0", journal: journal,
      clock: harness.clock)
    fleet.setInProgressChecks(1)
    let store = MemoryStore(journal: journal)
    let seen = Observations()
    let driver = harness.driver(
      targets: fleet, store: store, settings: settings(), observe: { seen.append($0) })

    let record = try await harness.complete(driver, "r1")

    let log = fleet.log
    #expect(log.allSatisfy { $0.revision == "r1" && $0.outcome == .done })
    #expect(log.map(\.site).sorted() == threeWaveSites.map(\.name).sorted())
    let order = log.map { entry in threeWaves.firstIndex { $0.contains(entry.site) } ?? -1 }
    #expect(order == order.sorted(), "\(log)")
    checkWaveOrder(log, revision: "r1", waves: threeWaves)
    checkRecordedBeforeApplied(fleet, journal)
    for site in threeWaveSites { #expect(fleet.revision(of: site.name) == "r1") }

    #expect(record.current?.phase == .succeeded)
    #expect(record.lastGoodRevision == "r1")
    #expect(record.badRevisions.isEmpty && record.behindSites.isEmpty)
    #expect(record.queuedRevision == nil)
    #expect(record == store.latest)
    #expect(record.history.count == 1)
    let summary = try #require(record.history.first)
    #expect(summary.revision == "r1" && summary.outcome == .succeeded)
    #expect(summary.trigger == .newCommit && summary.previousGoodRevision == nil)
    #expect(summary.waves.map(\.name) == ["canary", "early", "rest"])
    #expect(summary.waves.map(\.healthy) == [1, 2, 3])
    #expect(
      summary.waves.map { $0.failed + $0.skipped + $0.rolledBack + $0.untouched } == [0, 0, 0])
    // The first stored record is the rollout as started, before any site was touched.
    let first = try #require(store.saved.first?.current)
    #expect(first.phase == .running(wave: 0) && first.revision == "r1")
    #expect(
      first.phase(of: "canary-1").map { if case .applying = $0 { true } else { false } } == true)
    #expect(first.phase(of: "early-1") == .pending)
    let finished = seen.all.compactMap { if case .finished(let s) = $0 { s } else { nil } }
    #expect(finished == [summary])
  }

  @Test func brokenRevisionIsRolledBackInItsFirstWaveAndNeverAgain() async throws {
    let (fleet, store, journal, driver) = try await fleetAtR1(
      policy: policy(
        wave("canary", max: .count(2)), wave("early", max: .count(2)), wave("rest")),
      sites: sites("canary", 2) + sites("early", 2) + sites("rest", 2))
    let before = fleet.log.count
    fleet.breakRevision("r2", message: "back-off 5m0s restarting failed container")

    let record = try await harness.complete(driver, "r2")

    let log = fleet.log[before...]
    let canaries: Set = ["canary-1", "canary-2"]
    #expect(Set(log.filter { $0.revision == "r2" }.map(\.site)) == canaries)
    #expect(log.filter { $0.revision == "r2" }.count == 2)
    let rollbacks = log.filter { $0.revision == "r1" }
    #expect(rollbacks.map(\.site).sorted() == canaries.sorted())
    #expect(!log.contains { waveName($0.site) != "canary" })
    for site in fleet.sites { #expect(fleet.revision(of: site.name) == "r1") }
    checkRecordedBeforeApplied(fleet, journal)

    guard case .rolledBack(let reason)? = record.current?.phase else {
      Issue.record("expected a rolled back rollout, found \(String(describing: record.current))")
      return
    }
    #expect(reason.contains("wave \"canary\" failed"))
    #expect(reason.contains("back-off 5m0s restarting failed container"))
    #expect(record.lastGoodRevision == "r1")
    #expect(record.isBad("r2"))
    #expect(record.badRevisions.first?.revision == "r2")
    #expect(record.badRevisions.first?.reason == reason)
    #expect(record.behindSites.isEmpty)
    let summary = try #require(record.history.first)
    #expect(summary.revision == "r2" && summary.outcome == .rolledBack)
    #expect(summary.reason == reason && summary.previousGoodRevision == "r1")
    #expect(summary.waves.map(\.rolledBack) == [2, 0, 0])
    #expect(summary.waves.map(\.untouched) == [0, 2, 2])
    checkFleetMatches(record, fleet)

    // Marked bad: running it again does nothing at all.
    let (saves, applies, prepares) = (store.saveAttempts, fleet.log.count, fleet.prepared.count)
    let again = try await harness.complete(driver, "r2")
    #expect(again == record)
    #expect(store.saveAttempts == saves)
    #expect(fleet.log.count == applies)
    #expect(fleet.prepared.count == prepares)
  }

  @Test func newerRevisionPassedToRunSupersedesTheActiveRollout() async throws {
    let (fleet, store, journal, _) = try await fleetAtR1()
    // A driver stopped during the second wave of r2: canary-1 runs r2, early-1 and early-2
    // are recorded as applying.
    let seed = try recordStoppedDuringR2(canaryHealth: .current, fleet, store)
    try #require(seed.current?.phase == .running(wave: 1))
    let resumed = MemoryStore(seed: seed, journal: journal)
    let driver = harness.driver(targets: fleet, store: resumed, settings: settings())
    let before = fleet.log.count

    let record = try await harness.complete(driver, "r3")

    #expect(record.history.map(\.revision) == ["r3", "r2", "r1"])
    #expect(record.history.map(\.outcome) == [.succeeded, .superseded, .succeeded])
    #expect(record.history[1].reason == "superseded by r3")
    #expect(record.lastGoodRevision == "r3")
    #expect(!record.isBad("r2"))
    for site in threeWaveSites { #expect(fleet.revision(of: site.name) == "r3") }
    let log = fleet.log[before...]
    // The superseded rollout never reached its last wave.
    #expect(!log.contains { $0.revision == "r2" && waveName($0.site) == "rest" })
    checkWaveOrder(Array(log), revision: "r3", waves: threeWaves)
    // r3 started only once r2 was stored as superseded.
    let superseded = try #require(
      resumed.saved.firstIndex { $0.current?.phase == .superseded(by: "r3") })
    let r3Start = try #require(resumed.saved.firstIndex { $0.current?.revision == "r3" })
    #expect(superseded < r3Start)
    checkRecordedBeforeApplied(fleet, journal)
  }

  /// Asks for `r3` while the stored rollout of `r2` rolls back.
  private func r3DuringTheRollbackOfR2(_ store: MemoryStore) -> @Sendable () async throws -> String?
  {
    {
      guard let current = store.latest?.current, current.revision == "r2",
        case .rollingBack = current.phase
      else { return nil }
      return "r3"
    }
  }

  @Test func newerRevisionDuringAResumedRollbackIsQueuedAndRolledOutAfterIt() async throws {
    let (fleet, store, journal, _) = try await fleetAtR1()
    // A driver stopped while rolling r2 back from canary-1.
    let seed = try recordStoppedDuringR2(canaryHealth: .failed, fleet, store)
    try #require(seed.current?.phase == .rollingBack(wave: 0))
    fleet.breakRevision("r2", message: "readiness probe failed")
    // The rollback takes a while, so the driver asks for a newer revision during it.
    fleet.setDelay(.milliseconds(300), applying: "r1", to: "canary-1")
    let resumed = MemoryStore(seed: seed, journal: journal)
    let seen = Observations()
    let driver = harness.driver(
      targets: fleet, store: resumed, settings: settings(), observe: { seen.append($0) })
    let before = fleet.log.count

    let record = try await harness.complete(
      driver, "r2", newerRevision: r3DuringTheRollbackOfR2(resumed))

    #expect(record.history.map(\.revision) == ["r3", "r2", "r1"])
    #expect(record.history.map(\.outcome) == [.succeeded, .rolledBack, .succeeded])
    #expect(record.queuedRevision == nil)
    #expect(record.lastGoodRevision == "r3")
    #expect(record.isBad("r2") && !record.isBad("r3"))
    for site in threeWaveSites { #expect(fleet.revision(of: site.name) == "r3") }
    #expect(
      resumed.saved.contains {
        $0.queuedRevision == "r3" && $0.current?.phase == .rollingBack(wave: 0)
      })
    #expect(seen.all.contains { if case .queued("r3") = $0 { true } else { false } })
    let log = Array(fleet.log[before...])
    #expect(!log.contains { $0.revision == "r2" })
    let rollback = try #require(log.lastIndex { $0.revision == "r1" })
    let firstR3 = try #require(log.firstIndex { $0.revision == "r3" })
    #expect(rollback < firstR3, "\(log)")
    checkWaveOrder(log, revision: "r3", waves: threeWaves)
    checkRecordedBeforeApplied(fleet, journal)
  }

  @Test func newerRevisionDuringARollbackIsQueuedAndRolledOutAfterIt() async throws {
    let (fleet, store, journal, driver) = try await fleetAtR1()
    let before = fleet.log.count
    fleet.breakRevision("r2", message: "readiness probe failed")
    fleet.setDelay(.milliseconds(300), applying: "r1", to: "canary-1")

    let record = try await harness.complete(
      driver, "r2", newerRevision: r3DuringTheRollbackOfR2(store))

    // Stored as queued while the rollback ran, and the rollback completed.
    #expect(
      store.saved.contains {
        $0.queuedRevision == "r3" && $0.current?.phase == .rollingBack(wave: 0)
      })
    #expect(record.isBad("r2") && !record.isBad("r3"))
    #expect(fleet.log[before...].filter { $0.revision == "r2" }.map(\.site) == ["canary-1"])
    #expect(fleet.log[before...].filter { $0.revision == "r1" }.map(\.site) == ["canary-1"])
    checkRecordedBeforeApplied(fleet, journal)
    #expect(record.history.map(\.revision) == ["r3", "r2", "r1"])
    #expect(record.queuedRevision == nil)
    #expect(record.lastGoodRevision == "r3")
    for site in threeWaveSites { #expect(fleet.revision(of: site.name) == "r3") }
  }

  @Test func newerRevisionDuringARolloutSupersedesItAndIsRolledOut() async throws {
    let (fleet, store, _, driver) = try await fleetAtR1()
    fleet.define(revision: "r2", sites: threeWaveSites, policy: threeWavePolicy(gateEarly: true))
    // r3 is committed while r2 waits at its gate.
    let newer: @Sendable () async throws -> String? = {
      store.latest?.current.map { $0.revision == "r2" && $0.phase == .waitingForPromotion(wave: 1) }
        == true ? "r3" : nil
    }

    let record = try await harness.complete(driver, "r2", newerRevision: newer)

    #expect(record.history.dropFirst().first?.revision == "r2")
    #expect(record.history.dropFirst().first?.outcome == .superseded)
    #expect(record.history.dropFirst().first?.reason == "superseded by r3")
    #expect(!fleet.log.contains { $0.revision == "r2" && waveName($0.site) != "canary" })
    #expect(record.history.map(\.revision) == ["r3", "r2", "r1"])
    #expect(record.lastGoodRevision == "r3")
    for site in threeWaveSites { #expect(fleet.revision(of: site.name) == "r3") }
  }

  @Test func revisionThatCannotBePreparedIsRejectedWithoutTouchingASite() async throws {
    let (fleet, store, _, driver) = try await fleetAtR1()
    let before = fleet.log.count
    fleet.failPrepare("r2", message: "sites/edge.yaml: unknown field \"lables\"")

    let record = try await harness.complete(driver, "r2")

    #expect(fleet.log.count == before)
    for site in threeWaveSites { #expect(fleet.revision(of: site.name) == "r1") }
    #expect(record.isBad("r2"))
    #expect(record.lastGoodRevision == "r1")
    #expect(record.current?.revision == "r1")
    let summary = try #require(record.history.first)
    #expect(summary.revision == "r2" && summary.outcome == .rejected)
    #expect(summary.reason?.contains("sites/edge.yaml: unknown field \"lables\"") == true)
    #expect(summary.previousGoodRevision == "r1" && summary.waves.isEmpty)
    #expect(record.history.count == 2)
    #expect(store.latest == record)

    let (saves, prepares) = (store.saveAttempts, fleet.prepared.count)
    #expect(try await harness.complete(driver, "r2") == record)
    #expect(store.saveAttempts == saves && fleet.prepared.count == prepares)
    #expect(fleet.log.count == before)
  }

  @Test(arguments: [1, 2, 3, 5, 8, 12])
  func driverStoppedByAFailedSaveResumesFromTheStoredRecord(failingSave: Int) async throws {
    let journal = Journal()
    let fleet = FakeFleet(
      sites: threeWaveSites, policy: threeWavePolicy(), journal: journal, clock: harness.clock)
    fleet.setDelay(.milliseconds(5))
    let first = MemoryStore(failOnSave: [failingSave], journal: journal)
    let stopped = harness.driver(targets: fleet, store: first, settings: settings())

    let outcome = try await harness.outcome(of: harness.start(stopped, "r1"))
    guard case .failure(.store(let message)) = outcome else {
      Issue.record("expected a store error, found \(String(describing: outcome))")
      return
    }
    #expect(message.contains("conflict"))
    #expect(first.saveAttempts == failingSave)
    #expect(first.saved.count == failingSave - 1)
    // The stopped driver touches nothing more.
    let appliedByFirst = fleet.log
    await harness.advance(by: .milliseconds(100))
    #expect(fleet.log == appliedByFirst)
    // Every site it touched was stored as started first.
    let stored = first.latest
    for entry in appliedByFirst {
      let phase = stored?.current?.phase(of: entry.site)
      #expect(phase != nil && phase != .pending, "\(entry) is \(String(describing: phase))")
    }

    let second = MemoryStore(seed: stored, journal: journal)
    let resumed = harness.driver(targets: fleet, store: second, settings: settings())
    let record = try await harness.complete(resumed, "r1")

    #expect(record.current?.phase == .succeeded)
    #expect(record.lastGoodRevision == "r1")
    #expect(record.history.count == 1 && record.history.first?.outcome == .succeeded)
    for site in threeWaveSites { #expect(fleet.revision(of: site.name) == "r1") }
    let log = fleet.log
    #expect(log.allSatisfy { $0.revision == "r1" })
    checkWaveOrder(log, revision: "r1", waves: threeWaves)
    checkRecordedBeforeApplied(fleet, journal)
    // Only sites stored as applying are applied again; healthy ones are left alone.
    let resumedApplies = log[appliedByFirst.count...].map(\.site)
    for site in Set(resumedApplies).intersection(appliedByFirst.map(\.site)) {
      let phase = stored?.current?.phase(of: site)
      #expect(phase.map { if case .applying = $0 { true } else { false } } == true, "\(site)")
    }
  }

  @Test func pausedRolloutAppliesNothingUntilResumed() async throws {
    let journal = Journal()
    let fleet = FakeFleet(
      sites: threeWaveSites, policy: threeWavePolicy(), journal: journal, clock: harness.clock)
    let store = MemoryStore(journal: journal)
    store.setControls { $0.paused = true }
    let run = harness.start(
      harness.driver(targets: fleet, store: store, settings: settings()), "r1")

    try await harness.advance(until: "the pause recorded") { store.latest?.current?.paused == true }
    await harness.advance(by: .milliseconds(200))
    #expect(fleet.log.isEmpty)
    #expect(store.latest?.current?.phase == .running(wave: 0))

    store.setControls { $0.paused = false }
    let record = try await harness.record(of: run)
    #expect(record.current?.phase == .succeeded)
    #expect(record.current?.paused == false)
    for site in threeWaveSites { #expect(fleet.revision(of: site.name) == "r1") }
    checkRecordedBeforeApplied(fleet, journal)
  }

  @Test func pauseDuringARolloutHoldsTheNextWave() async throws {
    let journal = Journal()
    let fleet = FakeFleet(
      sites: threeWaveSites, policy: threeWavePolicy(soak: 0.2), journal: journal,
      clock: harness.clock)
    let store = MemoryStore(journal: journal)
    fleet.onApply { entry in
      if entry.site == "canary-1" { store.setControls { $0.paused = true } }
    }
    let run = harness.start(
      harness.driver(targets: fleet, store: store, settings: settings()), "r1")

    // The canary soaks, then the next wave is entered but, paused, not started.
    try await harness.advance(until: "paused in wave 1") {
      store.latest?.current.map { $0.paused && $0.phase == .running(wave: 1) } == true
    }
    await harness.advance(by: .milliseconds(200))
    #expect(fleet.log.map(\.site) == ["canary-1"])

    store.setControls { $0.paused = false }
    let record = try await harness.record(of: run)
    #expect(record.current?.phase == .succeeded)
    for site in threeWaveSites { #expect(fleet.revision(of: site.name) == "r1") }
    checkWaveOrder(fleet.log, revision: "r1", waves: threeWaves)
    checkRecordedBeforeApplied(fleet, journal)
  }

  @Test func manualGateWaitsForThePromotionOfItsRevisionAndWave() async throws {
    let journal = Journal()
    let fleet = FakeFleet(
      sites: threeWaveSites, policy: threeWavePolicy(gateEarly: true), journal: journal,
      clock: harness.clock)
    let store = MemoryStore(journal: journal)
    let run = harness.start(
      harness.driver(targets: fleet, store: store, settings: settings()), "r1")

    try await harness.advance(until: "waiting at the gate of wave 1") {
      store.latest?.current?.phase == .waitingForPromotion(wave: 1)
    }
    await harness.advance(by: .milliseconds(150))
    // Promotions of another revision's wave or of another wave open nothing.
    let rollout = try #require(store.latest?.currentRolloutID)
    #expect(rollout == "r1#1")
    store.setControls {
      $0.promotions = [
        RolloutControls.promotion(rollout: "r0#1", wave: "early"),
        RolloutControls.promotion(rollout: rollout, wave: "rest"),
      ]
    }
    await harness.advance(by: .milliseconds(150))
    #expect(fleet.log.map(\.site) == ["canary-1"])
    #expect(store.latest?.current?.phase == .waitingForPromotion(wave: 1))

    store.setControls {
      $0.promotions.append(RolloutControls.promotion(rollout: rollout, wave: "early"))
    }
    let record = try await harness.record(of: run)
    #expect(record.current?.phase == .succeeded)
    for site in threeWaveSites { #expect(fleet.revision(of: site.name) == "r1") }
    checkWaveOrder(fleet.log, revision: "r1", waves: threeWaves)
  }

  @Test func aPromotionIsForOneRolloutNotALaterOneOfTheSameRevision() async throws {
    let fleet = FakeFleet(
      sites: threeWaveSites, policy: threeWavePolicy(gateEarly: true), clock: harness.clock)
    let store = MemoryStore()
    // Promoted ahead of time: the first rollout of r1 passes its gate.
    store.setControls {
      $0.promotions = [RolloutControls.promotion(rollout: "r1#1", wave: "early")]
    }
    let driver = harness.driver(targets: fleet, store: store, settings: settings())
    let first = try await harness.complete(driver, "r1")
    #expect(first.current?.phase == .succeeded)

    // r2 fails; an operator rolls back to r1: that rollout (#3) waits at the gate again.
    fleet.breakRevision("r2", message: "CrashLoopBackOff")
    #expect(try await harness.complete(driver, "r2").history.first?.outcome == .rolledBack)
    let applies = fleet.log.count
    let rollback = harness.start(driver, "r1", trigger: .rollback)
    try await harness.advance(until: "r1 waiting at the gate of wave 1") {
      store.latest?.current.map {
        $0.revision == "r1" && $0.phase == .waitingForPromotion(wave: 1)
      } == true
    }
    await harness.advance(by: .milliseconds(150))
    #expect(store.latest?.current?.phase == .waitingForPromotion(wave: 1))
    #expect(fleet.log[applies...].map(\.site) == ["canary-1"])
    #expect(store.latest?.currentRolloutID == "r1#3")

    store.setControls {
      $0.promotions.append(RolloutControls.promotion(rollout: "r1#3", wave: "early"))
    }
    let record = try await harness.record(of: rollback)
    #expect(record.current?.phase == .succeeded)
    #expect(record.lastGoodRevision == "r1")
    for site in threeWaveSites { #expect(fleet.revision(of: site.name) == "r1") }
  }

  @Test func aRollbackMarksWhatTheFleetRunsBadAndStopsAtAFailingWave() async throws {
    let (fleet, _, _, driver) = try await fleetAtR1()
    #expect(try await harness.complete(driver, "r2").lastGoodRevision == "r2")
    fleet.breakRevision("r3", message: "CrashLoopBackOff", sites: ["early-1"])
    let failed = try await harness.complete(driver, "r3")
    #expect(failed.history.first?.outcome == .rolledBack && failed.lastGoodRevision == "r2")
    // canary runs r3 (its wave passed), early-1 went back to r2: both are bad now.
    fleet.breakRevision("r1", message: "ImagePullBackOff", sites: ["early-2"])
    let applies = fleet.log.count

    let record = try await harness.complete(driver, "r1", trigger: .rollback)

    #expect(record.isBad("r3") && record.isBad("r2"))
    #expect(
      record.badRevisions.contains {
        $0.revision == "r2" && $0.reason.contains("rolled back to r1")
      })
    // The rollback's failing wave is not returned to r2: it stops there, and r1 is bad too.
    #expect(record.history.first?.revision == "r1")
    #expect(record.history.first?.outcome == .rolledBack)
    #expect(record.history.first?.reason?.contains("no last good revision") == true)
    #expect(record.isBad("r1"))
    #expect(!fleet.log[applies...].contains { $0.revision != "r1" })
  }

  @Test func unreachableSiteIsSkippedAndCaughtUpLater() async throws {
    let journal = Journal()
    let fleet = FakeFleet(
      sites: sites("canary", 1) + sites("edge", 3),
      policy: policy(
        wave("canary"), wave("edge", max: .count(3), timeout: 1), unreachable: .skip),
      journal: journal, clock: harness.clock)
    let store = MemoryStore(journal: journal)
    let driver = harness.driver(targets: fleet, store: store, settings: settings())
    fleet.setUnreachable("edge-2")

    let record = try await harness.complete(driver, "r1")

    #expect(record.current?.phase == .succeeded)
    guard case .skipped(let why)? = record.current?.phase(of: "edge-2") else {
      Issue.record("edge-2 is \(String(describing: record.current?.phase(of: "edge-2")))")
      return
    }
    #expect(why.hasPrefix("unreachable after"))
    #expect(record.behindSites == ["edge-2"])
    #expect(record.lastGoodRevision == "r1")
    #expect(record.history.first?.waves.map(\.skipped) == [0, 1])
    #expect(record.history.first?.waves.map(\.healthy) == [1, 2])
    #expect(fleet.revision(of: "edge-2") == nil)
    #expect(fleet.log.contains { $0.site == "edge-2" && $0.outcome != .done })
    checkFleetMatches(record, fleet)

    // Back online: running the last good revision again catches up that site alone.
    fleet.setUnreachable("edge-2", false)
    let before = fleet.log.count
    let caughtUp = try await harness.complete(driver, "r1")

    #expect(fleet.log[before...].map(\.site) == ["edge-2"])
    #expect(fleet.log[before...].map(\.revision) == ["r1"])
    #expect(caughtUp.behindSites.isEmpty)
    #expect(caughtUp.history.count == 2)
    #expect(caughtUp.history.first?.trigger == .catchUp)
    #expect(caughtUp.history.first?.outcome == .succeeded)
    #expect(caughtUp.history.first?.waves.map(\.healthy) == [0, 1])
    for site in fleet.sites { #expect(fleet.revision(of: site.name) == "r1") }
    checkRecordedBeforeApplied(fleet, journal)

    // Nothing is behind any more: a third run is a no-op.
    let saves = store.saveAttempts
    #expect(try await harness.complete(driver, "r1") == caughtUp)
    #expect(store.saveAttempts == saves)
  }

  @Test func rollbackToAnUnreachableSiteFailsAfterItsAttempts() async throws {
    let (fleet, _, journal, driver) = try await fleetAtR1(
      policy: policy(wave("canary", max: .count(2)), wave("rest", max: .count(2))),
      sites: sites("canary", 2) + sites("rest", 2),
      settings: settings(rollbackAttempts: 3))
    let before = fleet.log.count
    fleet.breakRevision("r2", message: "OOMKilled")
    fleet.setOutcome(.unreachable("no route to host"), applying: "r1", to: "canary-2")

    let record = try await harness.complete(driver, "r2")

    guard case .rolledBack(let reason)? = record.current?.phase else {
      Issue.record("expected a rolled back rollout, found \(String(describing: record.current))")
      return
    }
    #expect(reason.contains("OOMKilled"))
    #expect(reason.contains("rollback failed on canary-2"))
    #expect(!reason.contains("rollback failed on canary-1"))
    #expect(
      record.current?.phase(of: "canary-2")
        == .failed(reason: "rollback failed: no route to host (after 3 attempts)"))
    #expect(record.current?.phase(of: "canary-1") == .rolledBack)
    let log = fleet.log[before...]
    #expect(log.filter { $0.site == "canary-2" && $0.revision == "r1" }.count == 3)
    #expect(log.filter { $0.site == "canary-1" && $0.revision == "r1" }.count == 1)
    #expect(fleet.revision(of: "canary-1") == "r1")
    #expect(fleet.revision(of: "canary-2") == "r2")
    #expect(record.behindSites == ["canary-2"])
    #expect(record.isBad("r2") && record.lastGoodRevision == "r1")
    #expect(record.history.first?.waves.first?.failed == 1)
    checkFleetMatches(record, fleet)
    checkRecordedBeforeApplied(fleet, journal)

    // Once reachable, the next run of the last good revision brings it back.
    fleet.setOutcome(nil, applying: "r1", to: "canary-2")
    let caughtUp = try await harness.complete(driver, "r1")
    #expect(caughtUp.behindSites.isEmpty)
    #expect(caughtUp.history.first?.trigger == .catchUp)
    for site in fleet.sites { #expect(fleet.revision(of: site.name) == "r1") }
  }

  @Test func historyKeepsItsLimit() async throws {
    let journal = Journal()
    let fleet = FakeFleet(
      sites: sites("canary", 1) + sites("rest", 1),
      policy: policy(wave("canary"), wave("rest")), journal: journal, clock: harness.clock)
    let store = MemoryStore(journal: journal)
    let driver = harness.driver(
      targets: fleet, store: store, settings: settings(historyLimit: 2))
    for revision in ["r1", "r2", "r3"] { _ = try await harness.complete(driver, revision) }
    #expect(store.latest?.history.map(\.revision) == ["r3", "r2"])
    fleet.failPrepare("r4", message: "broken template")
    let record = try await harness.complete(driver, "r4")
    #expect(record.history.map(\.revision) == ["r4", "r3"])
    #expect(record.history.map(\.outcome) == [.rejected, .succeeded])
    #expect(store.saved.allSatisfy { $0.history.count <= 2 })
  }

  @Test func operatorRollbackMarksTheLatestRevisionBad() async throws {
    let (fleet, _, journal, driver) = try await fleetAtR1()
    _ = try await harness.complete(driver, "r2")
    for site in threeWaveSites { try #require(fleet.revision(of: site.name) == "r2") }

    let record = try await harness.complete(driver, "r1", trigger: .rollback)

    #expect(record.isBad("r2"))
    #expect(record.badRevisions.first?.reason.contains("rolled back to r1") == true)
    #expect(!record.isBad("r1"))
    #expect(record.lastGoodRevision == "r1")
    let summary = try #require(record.history.first)
    #expect(summary.revision == "r1" && summary.trigger == .rollback)
    #expect(summary.outcome == .succeeded && summary.previousGoodRevision == "r2")
    for site in threeWaveSites { #expect(fleet.revision(of: site.name) == "r1") }
    checkRecordedBeforeApplied(fleet, journal)

    // The revision rolled back from is not rolled out again.
    let applies = fleet.log.count
    #expect(try await harness.complete(driver, "r2") == record)
    #expect(fleet.log.count == applies)
  }

  @Test func activeRolloutWhoseRevisionCannotBePreparedCannotResume() async throws {
    let (fleet, store, _, _) = try await fleetAtR1()
    let engine = RolloutEngine(policy: threeWavePolicy())
    let (state, _) = engine.start(
      revision: "r2", lastGoodRevision: "r1", sites: threeWaveSites, at: harness.now())
    var seed = try #require(store.latest)
    seed.current = state
    fleet.failPrepare("r2", message: "object not found")
    let driver = harness.driver(
      targets: fleet, store: MemoryStore(seed: seed), settings: settings())
    let before = fleet.log.count
    let outcome = try await harness.outcome(of: harness.start(driver, "r2"))
    guard case .failure(.cannotResume(let revision, let reason)) = outcome else {
      Issue.record("expected cannotResume, found \(String(describing: outcome))")
      return
    }
    #expect(revision == "r2" && reason.contains("object not found"))
    #expect(fleet.log.count == before)
  }

  // MARK: Ordering, empty waves, supersession by the last good revision, cancellation

  @Test func rollbackWaitsForTheSitesInFlightApply() async throws {
    let (fleet, _, _, driver) = try await fleetAtR1(
      policy: policy(wave("canary", max: .count(2)), wave("rest")),
      sites: sites("canary", 2) + sites("rest", 1))
    // canary-1's apply of r2 is slow; canary-2 refuses r2 at once, failing the wave while
    // canary-1 is still applying.
    fleet.setDelay(.milliseconds(500), applying: "r2", to: "canary-1")
    fleet.setOutcome(
      .failed("admission webhook denied the request"), applying: "r2", to: "canary-2")

    let record = try await harness.complete(driver, "r2")

    #expect(record.current?.phase(of: "canary-1") == .rolledBack)
    #expect(record.lastGoodRevision == "r1")
    #expect(!fleet.overlapping.contains("canary-1"))
    #expect(fleet.revision(of: "canary-1") == "r1", "the late apply of r2 wins")
  }

  @Test func revisionThatSelectsNoSiteIsRecordedAsSucceeded() async throws {
    let fleet = FakeFleet(
      sites: [Site(name: "stray", labels: ["wave": "none"])], policy: policy(wave("canary")),
      clock: harness.clock)
    let store = MemoryStore()
    let driver = harness.driver(targets: fleet, store: store, settings: settings())
    let record = try await harness.complete(driver, "r1")
    #expect(record.current?.phase == .succeeded)
    #expect(record.lastGoodRevision == "r1")
    #expect(record.history.map(\.revision) == ["r1"])
  }

  @Test func supersededByTheLastGoodRevisionLeavesNoSiteOnTheSupersededOne() async throws {
    let (fleet, store, _, _) = try await fleetAtR1()
    // A driver stopped in the second wave of r2; then the branch is reset to r1.
    let seed = try recordStoppedDuringR2(canaryHealth: .current, fleet, store)
    try #require(seed.current?.phase == .running(wave: 1))
    let driver = harness.driver(
      targets: fleet, store: MemoryStore(seed: seed), settings: settings())

    let record = try await harness.complete(driver, "r1")

    #expect(record.history.dropFirst().first?.revision == "r2")
    #expect(record.history.dropFirst().first?.outcome == .superseded)
    #expect(record.lastGoodRevision == "r1")
    checkFleetMatches(record, fleet)
  }

  @Test func failureInALaterWaveLeavesTheWavesThatPassedOnTheFailedRevision() async throws {
    let (fleet, _, _, driver) = try await fleetAtR1(
      policy: policy(wave("canary"), wave("rest", max: .count(2))),
      sites: sites("canary", 1) + sites("rest", 2))
    fleet.breakRevision("r2", message: "CrashLoopBackOff", sites: ["rest-1", "rest-2"])
    let record = try await harness.complete(driver, "r2")
    #expect(record.history.first?.outcome == .rolledBack)
    #expect(fleet.revision(of: "rest-1") == "r1" && fleet.revision(of: "rest-2") == "r1")
    #expect(fleet.revision(of: "canary-1") == "r2")
    // As documented: the wave that passed keeps the failed revision; it is not behind.
    #expect(record.lastGoodRevision == "r1")
    #expect(record.behindSites.isEmpty)
  }

  @Test func cancelledRunStops() async throws {
    let fleet = FakeFleet(sites: threeWaveSites, policy: threeWavePolicy(), clock: harness.clock)
    let store = MemoryStore()
    store.setControls { $0.paused = true }
    let run = harness.start(
      harness.driver(targets: fleet, store: store, settings: settings()), "r1")
    try await harness.advance(until: "the pause recorded") { store.latest?.current?.paused == true }
    run.task.cancel()
    let outcome = try await harness.outcome(of: run)
    guard case .failure(.cancelled) = outcome else {
      Issue.record("expected .cancelled, found \(String(describing: outcome))")
      return
    }
  }

  /// A health check that finds a site's images pulled gives its uplink share back at once: with
  /// a budget for one store, the next one starts while the first is still starting its pods.
  /// Without that report the next waits until the first is healthy.
  @Test(arguments: [true, false])
  func aSiteWhoseImagesArePulledGivesItsShareBack(pulled: Bool) async throws {
    let stores = (1...2).map {
      Site(
        name: "rest-\($0)", labels: ["wave": "rest"],
        downlink: BitRate(bitsPerSecond: 20_000_000))
    }
    var onePolicy = policy(wave("rest", max: .count(2)))
    onePolicy.uplinkBudget = BitRate(bitsPerSecond: 20_000_000)
    let journal = Journal()
    let fleet = FakeFleet(
      sites: stores, policy: onePolicy, running: "r0", journal: journal, clock: harness.clock)
    fleet.setInProgressChecks(3)
    fleet.setReportsPulls(pulled)
    let store = MemoryStore(journal: journal)
    let driver = harness.driver(targets: fleet, store: store, settings: settings())
    let record = try await harness.complete(driver, "r1")

    #expect(record.current?.phase == .succeeded)
    let overlapped = store.saved.contains { saved in
      guard let state = saved.current else { return false }
      let verifying = state.waves.flatMap(\.sites).contains {
        if case .verifying = $0.phase { true } else { false }
      }
      let starting = state.waves.flatMap(\.sites).contains {
        if case .applying = $0.phase { true } else { false }
      }
      return verifying && starting
    }
    #expect(overlapped == pulled)
    let first = try #require(record.current?.waves.first?.sites.first)
    #expect((first.transferredAt != nil) == pulled)
  }
}
