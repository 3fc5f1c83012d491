import Foundation
import Model
import Rollout
import Testing

private func shop(
  _ name: String, wave: String = "all", mbps: Int64, _ windows: [MaintenanceWindow] = []
)
  -> Site
{
  Site(
    name: name, labels: ["wave": wave], downlink: BitRate(bitsPerSecond: mbps * 1_000_000),
    maintenanceWindows: windows)
}

private func budgeted(_ mbps: Int64?, _ waves: RolloutPolicy.Wave..., prestage: Bool = false)
  -> RolloutPolicy
{
  RolloutPolicy(
    uplinkBudget: mbps.map { BitRate(bitsPerSecond: $0 * 1_000_000) },
    unreachableSites: .countAsFailed, waves: waves, prestage: prestage)
}

@Suite("Rollout projection (wavesync plan's schedule)")
struct RolloutProjectionTests {
  @Test func theBudgetPacesTheWaveAndTheBoundIsMet() throws {
    // Four 25 MB payloads at 20 Mbit/s (10 s each) under a 40 Mbit/s budget: two at a time.
    let sites = (1...4).map { shop("s\($0)", mbps: 20) }
    let payloads = Dictionary(uniqueKeysWithValues: sites.map { ($0.name, Int64(25_000_000)) })
    let projection = RolloutProjection.project(
      policy: budgeted(40, wave("all", max: .count(10))), sites: sites, payloadBytes: payloads,
      start: t(0))
    #expect(projection.sites.map(\.start) == [t(0), t(0), t(10), t(10)])
    #expect(projection.sites.map(\.end) == [t(10), t(10), t(20), t(20)])
    let wave = try #require(projection.waves.first)
    // max(100 MB ÷ 5 MB/s, 10 s, 40 s ÷ 10) = 20 s: the plan is as fast as anything could be.
    #expect(wave.lowerBoundSeconds == 20)
    #expect(wave.end == t(20))
    #expect(projection.end == t(20))
  }

  @Test func aClosedWindowDelaysItsSiteOnly() {
    // The window opens at 01:00 UTC, the projection starts at 00:00.
    let midnight = utc("2025-06-10T00:00:00Z")
    let late = shop("late", mbps: 100, [window(MaintenanceWindow.Day.allCases, 1, hours: 1)])
    let sites = [late, shop("now", mbps: 100)]
    let projection = RolloutProjection.project(
      policy: budgeted(nil, wave("all", max: .count(5))), sites: sites,
      payloadBytes: ["late": 1_250_000, "now": 1_250_000], start: midnight)
    let times = Dictionary(uniqueKeysWithValues: projection.sites.map { ($0.site, $0) })
    #expect(times["now"]?.start == midnight)
    #expect(times["late"]?.start == utc("2025-06-10T01:00:00Z"))
    #expect(times["late"]?.end == utc("2025-06-10T01:00:00Z").addingTimeInterval(0.1))
  }

  @Test func prestagedImagesMakeTheLastCutoverInstant() throws {
    // 10 s transfers; the first wave soaks 60 s, long enough to pre-stage the second.
    let sites = [shop("a", wave: "first", mbps: 20), shop("b", wave: "second", mbps: 20)]
    let payloads: [String: Int64] = ["a": 25_000_000, "b": 25_000_000]
    let waves = [wave("first", soak: 60), wave("second")]
    var with = budgeted(nil)
    with.waves = waves
    with.prestage = true
    var without = with
    without.prestage = false
    let staged = RolloutProjection.project(
      policy: with, sites: sites, payloadBytes: payloads, start: t(0))
    let plain = RolloutProjection.project(
      policy: without, sites: sites, payloadBytes: payloads, start: t(0))
    #expect(staged.end == t(70))
    #expect(plain.end == t(80))
  }

  @Test func aTransferLongerThanItsHealthTimeoutIsFlagged() {
    // 500 MB at 2 Mbit/s is 2,000 s; the wave allows 600.
    let sites = [shop("satellite", mbps: 2), shop("fibre", mbps: 100)]
    let projection = RolloutProjection.project(
      policy: budgeted(nil, wave("all", max: .count(2), timeout: 600)), sites: sites,
      payloadBytes: ["satellite": 500_000_000, "fibre": 500_000_000], start: t(0))
    #expect(projection.sites.map(\.exceedsHealthTimeout) == [true, false])
    #expect(projection.sites.first?.end == t(2000))
  }
}
