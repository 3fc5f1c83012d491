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
  /// second writer that did not see the latest record fails instead of overwriting it; the
  /// FleetSites go with their Fleet.
  @Test func theFleetStoreRoundTripsTheRecordAndRefusesAStaleWriter() async throws {
    let client = try fleet.client(for: RolloutFleet.regional)
    let name = uniqueName("store")
    let namespace = FleetResourceNames.defaultNamespace
    let missing = FleetStateStore(client: client, namespace: namespace, fleet: name)
    await #expect(throws: FleetStateStoreError.self) { _ = try await missing.load() }
    try await FleetSetup.ensureFleet(
      client: client, namespace: namespace, name: name, url: "https://git.example/fleet.git",
      ref: nil, siteSelector: nil)
    let first = FleetStateStore(client: client, namespace: namespace, fleet: name)
    #expect(try await first.load() == nil)

    let engine = RolloutEngine(policy: .default)
    let sites = [Site(name: "s-1", labels: [:]), Site(name: "S_2 odd name", labels: [:])]
    let (state, _) = engine.start(
      revision: "0123456789abcdef0123456789abcdef01234567", lastGoodRevision: nil, sites: sites,
      at: Date(timeIntervalSince1970: 1_764_000_000))
    let record = RolloutRecord(
      current: state, currentTrigger: .newCommit, behindSites: ["s-3"], rolloutNumber: 1)
    try await first.save(record)

    let second = FleetStateStore(client: client, namespace: namespace, fleet: name)
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
    await #expect(throws: FleetStateStoreError.self) { try await second.save(stale) }
    #expect(
      try await FleetStateStore(client: client, namespace: namespace, fleet: name).load() == next)

    // A store that reloads may write again.
    _ = try await second.load()
    try await second.save(stale)
    #expect(try await first.load()?.queuedRevision == "feedface")

    // An operator's pause (the spec) is no conflict for the store's next write.
    let objects = KubeFleetObjects(client: client, namespace: namespace, fleetName: name)
    try await FleetControls.setPaused(true, objects: objects, client: client)
    try await FleetControls.promote(
      rollout: "abc#2", wave: "flagships", objects: objects, client: client)
    try await FleetControls.promote(
      rollout: "abc#2", wave: "flagships", objects: objects, client: client)
    let controls = try await first.controls()
    #expect(controls.paused)
    #expect(controls.promotions == ["abc#2/flagships"])
    var paused = stale
    paused.current?.paused = true
    try await first.save(paused)
    #expect(try await second.load() == paused)

    // The FleetSites: one per site, named and labelled for kubectl, owned by the Fleet.
    let fleetSites = try await objects.sites()
    #expect(fleetSites.count == 3)
    let odd = try #require(fleetSites.first { $0[path: ["spec", "site"]] == "S_2 odd name" })
    let oddName = try #require(odd[path: ["metadata", "name"]]?.stringValue)
    #expect(oddName.hasPrefix("\(name).site-"))
    #expect(odd[path: ["metadata", "labels", "wavesync.io/wave"]] == "all")
    // One site at a time (the default policy): the other is applying.
    #expect(odd[path: ["status", "phase"]] == "Pending")

    // Deleting the Fleet takes its FleetSites with it (the garbage collector).
    _ = try await client.delete(
      ObjectReference(
        apiVersion: FleetResourceNames.apiVersion, kind: "Fleet", namespace: namespace, name: name))
    try await eventually("the FleetSites of \(name) are collected") {
      try await objects.sites().isEmpty
    }
  }
}
