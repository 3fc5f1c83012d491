import Foundation
import Model
import Rollout
import Testing

// The reads the driver makes beside its event loop: polling Git for a newer revision and
// reading the operator's controls. Neither holds up the rollout, and neither fails open.

/// canary-1; early-1, early-2; rest-1: the canary soaks for `soak` seconds, early may be gated.
private let fleetSites = sites("canary", 1) + sites("early", 2) + sites("rest", 1)

private func gatedPolicy(gateEarly: Bool = false, soak: Double = 0.2) -> RolloutPolicy {
  policy(wave("canary", soak: soak), wave("early", max: .count(2), gate: gateEarly), wave("rest"))
}

/// Ticks every 20 ms; polls 100 ms after the previous answer.
private let settings = RolloutDriver.Settings(
  tickInterval: .milliseconds(20), revisionPollInterval: .milliseconds(100))

private let unreadable = "configmaps \"wavesync-controls\" is forbidden: User cannot get resource"
private let unreachableRemote =
  "fatal: unable to access 'https://git.example.com/fleet.git/': Could not resolve host"

@Suite("Rollout driver: reads beside the event loop")
struct DriverReadsTests {
  private let harness = DriverHarness()

  /// A fleet of `fleetSites` on `policy` and an empty store, set up by `before`, then a run of
  /// r1 on them polling `remote`.
  private func startR1(
    policy: RolloutPolicy = gatedPolicy(), remote: FakeRemote? = nil,
    seen: Observations = Observations(),
    before: (FakeFleet, MemoryStore) -> Void = { _, _ in }
  ) -> (FakeFleet, MemoryStore, BackgroundRun) {
    let journal = Journal()
    let fleet = FakeFleet(sites: fleetSites, policy: policy, journal: journal, clock: harness.clock)
    let store = MemoryStore(journal: journal)
    before(fleet, store)
    let driver = harness.driver(
      targets: fleet, store: store, settings: settings, observe: { seen.append($0) })
    return (fleet, store, harness.start(driver, "r1", newerRevision: remote?.newerRevision))
  }

  @Test func aPollThatDoesNotAnswerHoldsUpNoSite() async throws {
    let remote = FakeRemote()
    remote.gate.hold()
    let (fleet, store, run) = startR1(remote: remote)

    try await harness.advance(until: "the first poll waiting") { remote.gate.waiting == 1 }
    let readsBefore = store.controlsReads
    // Every site is applied and becomes healthy while that poll waits; it is not asked again.
    try await harness.advance(until: "the rollout succeeded") {
      store.latest?.current?.phase == .succeeded
    }
    let record = try await harness.record(of: run)
    #expect(remote.calls == 1)
    #expect(remote.gate.waiting == 0, "the poll still waiting was cancelled when the rollout ended")
    #expect(record.current?.phase == .succeeded)
    for site in fleetSites { #expect(fleet.revision(of: site.name) == "r1") }
    #expect(fleet.log.count == fleetSites.count)
    // The controls were read all along, on their own.
    #expect(store.controlsReads > readsBefore)
  }

  @Test func aPollAnsweringLateSupersedesTheRolloutAndPollingGoesOn() async throws {
    let remote = FakeRemote()
    remote.gate.hold()
    let (fleet, store, run) = startR1(policy: gatedPolicy(gateEarly: true), remote: remote)

    try await harness.advance(until: "waiting at the gate of wave 1 with the poll out") {
      store.latest?.current?.phase == .waitingForPromotion(wave: 1) && remote.gate.waiting == 1
    }
    await harness.advance(by: .seconds(1))
    #expect(remote.calls == 1, "one poll at a time")
    fleet.define(revision: "r2", sites: fleetSites, policy: gatedPolicy())
    remote.answer { "r2" }
    remote.gate.release()

    let record = try await harness.record(of: run)
    #expect(record.history.map(\.revision) == ["r2", "r1"])
    #expect(record.history.map(\.outcome) == [.succeeded, .superseded])
    for site in fleetSites { #expect(fleet.revision(of: site.name) == "r2") }
    // The rollout of r2 polled again, one interval after the answer.
    #expect(remote.calls > 1)
  }

  @Test func aControlsReadThatDoesNotAnswerHoldsUpNoEventAndIsTheOnlyOneOut() async throws {
    let (fleet, store, run) = startR1 { fleet, store in
      // Reads hang from the canary's apply on (the one as the rollout starts has answered).
      fleet.onApply { entry in
        if entry.site == "canary-1" { store.controlsGate.hold() }
      }
    }

    try await harness.advance(until: "a controls read waiting") {
      store.controlsGate.waiting == 1
    }
    let reads = store.controlsReads
    // The canary soaks and the later waves run while that read is out; ticks start no other.
    let record = try await harness.record(of: run)
    #expect(record.current?.phase == .succeeded)
    for site in fleetSites { #expect(fleet.revision(of: site.name) == "r1") }
    #expect(store.controlsReads == reads)
    #expect(store.controlsGate.waiting == 0, "the read still out was cancelled at the end")
  }

  @Test func aFailedPollIsReportedOnceAndTheRolloutGoesOn() async throws {
    let remote = FakeRemote()
    remote.fail(unreachableRemote)
    let seen = Observations()
    let (fleet, store, run) = startR1(
      policy: gatedPolicy(gateEarly: true), remote: remote, seen: seen)

    try await harness.advance(until: "three polls failed, at the gate of wave 1") {
      remote.calls >= 3 && store.latest?.current?.phase == .waitingForPromotion(wave: 1)
    }
    #expect(seen.all.compactMap(\.pollFailure) == [unreachableRemote])
    #expect(fleet.log.map(\.site) == ["canary-1"])

    fleet.define(revision: "r2", sites: fleetSites, policy: gatedPolicy())
    remote.answer { "r2" }
    remote.fail(nil)
    let record = try await harness.record(of: run)

    #expect(seen.all.compactMap(\.pollFailure) == [unreachableRemote])
    let recovered = seen.all.firstIndex { if case .pollRecovered = $0 { true } else { false } }
    let failed = seen.all.firstIndex { $0.pollFailure != nil }
    #expect(try #require(failed) < #require(recovered))
    #expect(record.history.map(\.revision) == ["r2", "r1"])
    #expect(record.history.first?.outcome == .succeeded)
  }

  @Test func aRolloutStartingWhileControlsAreUnreadableStartsPausedAndWaitsForThem()
    async throws
  {
    let seen = Observations()
    let (fleet, store, run) = startR1(seen: seen) { _, store in store.failControls(unreadable) }

    try await harness.advance(until: "the rollout stored") { store.latest?.current != nil }
    #expect(store.latest?.current?.paused == true)
    await harness.advance(by: .seconds(1))
    #expect(fleet.log.isEmpty)
    #expect(store.controlsReads == 51, "one read as the rollout starts, then one per tick")
    #expect(seen.all.compactMap(\.controlsFailure) == [unreadable])

    // Readable again, but the operator paused: still held.
    store.setControls { $0.paused = true }
    store.failControls(nil)
    await harness.advance(by: .seconds(1))
    #expect(fleet.log.isEmpty)
    #expect(store.latest?.current?.paused == true)
    #expect(seen.all.contains { if case .controlsReadable = $0 { true } else { false } })

    store.setControls { $0.paused = false }
    let record = try await harness.record(of: run)
    #expect(record.current?.phase == .succeeded && record.current?.paused == false)
    for site in fleetSites { #expect(fleet.revision(of: site.name) == "r1") }
  }

  @Test func unreadableControlsDuringARolloutHoldNewSiteChangesUntilReadable() async throws {
    let seen = Observations()
    let (fleet, store, run) = startR1(seen: seen) { fleet, store in
      // The controls become unreadable as the canary is applied, before its soak ends.
      fleet.onApply { entry in
        if entry.site == "canary-1" { store.failControls(unreadable) }
      }
    }

    try await harness.advance(until: "held in wave 1") {
      store.latest?.current.map { $0.paused && $0.phase == .running(wave: 1) } == true
    }
    await harness.advance(by: .seconds(2))
    #expect(fleet.log.map(\.site) == ["canary-1"], "no new apply while the controls throw")
    let reads = store.controlsReads
    #expect(seen.all.compactMap(\.controlsFailure) == [unreadable])

    store.failControls(nil)
    let record = try await harness.record(of: run)
    #expect(store.controlsReads > reads)
    #expect(record.current?.phase == .succeeded && record.current?.paused == false)
    for site in fleetSites { #expect(fleet.revision(of: site.name) == "r1") }
    let reports = seen.all.filter { $0.controlsFailure != nil || $0.isControlsReadable }
    #expect(reports.map(\.controlsFailure) == [unreadable, nil])
  }
}

extension RolloutObservation {
  fileprivate var pollFailure: String? {
    if case .pollFailed(let reason) = self { reason } else { nil }
  }

  fileprivate var controlsFailure: String? {
    if case .controlsUnreadable(let reason) = self { reason } else { nil }
  }

  fileprivate var isControlsReadable: Bool {
    if case .controlsReadable = self { true } else { false }
  }
}
