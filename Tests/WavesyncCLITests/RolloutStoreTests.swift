import Controller
import Foundation
import KubeClient
import LocalFleet
import Model
import Render
import Rollout
import Testing
import WavesyncTesting

extension RolloutCLITests {
  /// The store on the regional cluster: what one store writes another reads back exactly; a
  /// second writer that did not see the latest record fails instead of overwriting it.
  @Test func theStoreRoundTripsTheRecordAndRefusesAStaleWriter() async throws {
    let client = try fleet.client(for: RolloutFleet.regional)
    let name = uniqueName("store")
    let first = ConfigMapRolloutStore(client: client, name: name)
    #expect(try await first.load() == nil)

    let engine = RolloutEngine(policy: .default)
    let sites = [Site(name: "s-1", labels: [:]), Site(name: "s-2", labels: [:])]
    let (state, _) = engine.start(
      revision: "0123456789abcdef0123456789abcdef01234567", lastGoodRevision: nil, sites: sites,
      at: Date(timeIntervalSince1970: 1_764_000_000))
    let record = RolloutRecord(
      current: state, currentTrigger: .newCommit, behindSites: ["s-3"], rolloutNumber: 1)
    try await first.save(record)

    let second = ConfigMapRolloutStore(client: client, name: name)
    let loaded = try #require(try await second.load())
    #expect(loaded == record)
    #expect(loaded.currentRolloutID == "0123456789abcdef0123456789abcdef01234567#1")

    // Both have read it; the first writes again (milliseconds survive the trip); the second,
    // now stale, is refused.
    var next = record
    next.behindSites = []
    next.current?.clock = Date(timeIntervalSince1970: 1_764_000_001.25)
    try await first.save(next)
    var stale = record
    stale.queuedRevision = "feedface"
    await #expect(throws: RolloutStoreError.self) { try await second.save(stale) }
    #expect(try await ConfigMapRolloutStore(client: client, name: name).load() == next)

    // A store that reloads may write again.
    _ = try await second.load()
    try await second.save(stale)
    #expect(try await first.load()?.queuedRevision == "feedface")
  }

  @Test func controlsAreWrittenApartFromTheRecord() async throws {
    let client = try fleet.client(for: RolloutFleet.regional)
    let store = ConfigMapRolloutStore(client: client, name: uniqueName("controls"))
    #expect(try await store.controls() == RolloutControls())
    try await store.setPaused(true)
    try await store.promote(rollout: "abc#2", wave: "flagships")
    try await store.promote(rollout: "abc#2", wave: "flagships")
    let controls = try await store.controls()
    #expect(controls.paused)
    #expect(controls.promotions == ["abc#2/flagships"])
    #expect(controls.promotes(rollout: "abc#2", wave: "flagships"))
    #expect(!controls.promotes(rollout: "abc#3", wave: "flagships"))
    try await store.setPaused(false)
    #expect(try await store.controls().paused == false)
    // Controls never create the record.
    #expect(try await store.load() == nil)
  }
}
