import Model
import Testing

@testable import FleetSimulation

/// A fleet small enough to simulate in a test, with the standard mix and drops on.
private func settings(sites: Int = 1_000, drops: Double = 0.02, windows: Bool = false)
  -> FleetSimulation.Settings
{
  FleetSimulation.Settings(sites: sites, seed: 7, dropsPerHour: drops, windows: windows)
}

@Suite struct FleetSimulationTests {
  @Test func wavesyncNeverAsksMoreOfTheUplinkThanItsBudget() throws {
    let report = try FleetSimulation.run(settings(), strategies: [.wavesync])
    let wavesync = try #require(report.results.first)
    #expect(wavesync.finished)
    #expect(wavesync.healthySites == 1_000)
    #expect(wavesync.capViolationSeconds == 0)
    #expect(wavesync.peakDemand <= BitRate(bitsPerSecond: 1_000_000_000))
  }

  /// Pre-staging pulls the next wave's images during a soak: the rollout ends sooner, above the
  /// pre-staging bound, still within the uplink, and moves the same bytes.
  @Test func prestagingShortensTheRolloutWithinTheBudget() throws {
    var staged = settings(sites: 300, drops: 0)
    staged.prestage = true
    let with = try #require(FleetSimulation.run(staged, strategies: [.wavesync]).results.first)
    let report = try FleetSimulation.run(settings(sites: 300, drops: 0), strategies: [.wavesync])
    let without = try #require(report.results.first)
    #expect(with.finished && with.healthySites == 300)
    #expect(with.makespanSeconds < without.makespanSeconds)
    #expect(with.makespanSeconds >= report.prestagedBound.seconds)
    #expect(with.capViolationSeconds == 0)
    #expect(with.byteEfficiency == 1)
  }

  /// Pre-staging every wave ahead keeps the soaks' uplink busy with later waves' pulls: sooner
  /// still than the next wave alone, within the budget, the same bytes.
  @Test func prestagingTheWavesAheadEndsSoonerStill() throws {
    var next = settings(drops: 0)
    next.prestage = true
    var all = next
    all.prestageWaves = 3
    let report = try FleetSimulation.run(all, strategies: [.wavesync])
    let ahead = try #require(report.results.first)
    let one = try #require(FleetSimulation.run(next, strategies: [.wavesync]).results.first)
    #expect(ahead.finished && ahead.healthySites == 1_000)
    #expect(ahead.makespanSeconds < one.makespanSeconds)
    #expect(ahead.makespanSeconds >= report.prestagedBound.seconds)
    #expect(ahead.capViolationSeconds == 0)
    #expect(ahead.byteEfficiency == 1)
  }

  /// The bound with the caps' term holds for the strategies that keep to the caps; without it,
  /// for all (all-at-once and fixed batches ignore the caps).
  @Test(arguments: [false, true])
  func theLowerBoundIsBelowEveryStrategysMakespan(windows: Bool) throws {
    let settings = settings(windows: windows)
    let report = try FleetSimulation.run(settings)
    let mix = FleetMix.generate(sites: settings.sites, seed: settings.seed, windows: windows)
    let physics = FleetSimulation.physics(settings)
    let uncapped =
      windows
      ? LowerBounds.windowAware(mix, physics, start: settings.start, capped: false)
      : LowerBounds.waves(mix, physics, capped: false)
    #expect(report.lowerBound.kind == (windows ? .windowAware : .waves))
    #expect(uncapped > 0 && uncapped <= report.lowerBound.seconds)
    #expect(report.results.count == 4)
    // With windows a wave can end exactly at the bound (its last site opens and runs alone):
    // allow for the rounding of sums of seconds, a microsecond.
    let rounding = 1e-6
    for result in report.results {
      let name = result.strategy.name
      #expect(result.finished, "\(name)")
      #expect(result.healthySites == 1_000, "\(name)")
      #expect(result.makespanSeconds >= uncapped - rounding, "\(name)")
      #expect(result.makespanSeconds >= report.prestagedBound.seconds, "\(name)")
      if result.strategy == .wavesync || result.strategy == .baseline(.longestTransferFirst) {
        #expect(result.makespanSeconds >= report.lowerBound.seconds - rounding, "\(name)")
      }
    }
  }

  @Test func theSameSeedGivesTheSameFiguresAndAnotherSeedOthers() throws {
    let first = try FleetSimulation.run(settings(sites: 500))
    let again = try FleetSimulation.run(settings(sites: 500))
    var other = settings(sites: 500)
    other.seed = 8
    let different = try FleetSimulation.run(other)
    #expect(first == again)
    #expect(first.minimalBytes != different.minimalBytes)
  }

  @Test func withoutDropsEveryStrategySendsExactlyTheMinimalBytes() throws {
    let report = try FleetSimulation.run(settings(sites: 1_000, drops: 0))
    for result in report.results {
      #expect(result.drops == 0, "\(result.strategy.name)")
      #expect(result.byteEfficiency == 1, "\(result.strategy.name)")
    }
  }

  @Test func droppedTransfersRestartAndTheirBytesCount() throws {
    let report = try FleetSimulation.run(settings(sites: 1_000, drops: 0.5))
    for result in report.results {
      #expect(result.drops > 0, "\(result.strategy.name)")
      #expect(result.byteEfficiency > 1, "\(result.strategy.name)")
      #expect(result.healthySites == 1_000, "\(result.strategy.name)")
    }
  }

  @Test func theStandardMixHasItsWavesLinksAndPayloads() {
    let mix = FleetMix.generate(sites: 10_000, seed: 1)
    #expect(mix.waveSites.map(\.count) == [100, 500, 1_500, 7_900])
    #expect((0..<4).map { mix.cap(ofWave: $0) } == [50, 125, 300, 790])
    let slow = mix.sites.filter { $0.linkBytesPerSecond == 250_000 }.count
    let fast = mix.sites.filter { $0.linkBytesPerSecond == 12_500_000 }.count
    #expect((2_800...3_200).contains(slow))
    #expect((1_800...2_200).contains(fast))
    // The Debian base and the runtimes rebuilt on it are pulled once per site, not once per app.
    #expect(
      ImageCatalog.standardProfiles.map(\.payloadBytes) == [157, 285, 534].map { $0 * 1_000_000 })
  }
}

@Suite struct SharedUplinkTests {
  /// 10 B/s shared by a 2 B/s site with 20 bytes and a fast site with 40: max-min fairness gives
  /// them 2 and 8 B/s; the fast one ends at 5 s, then the slow one, at its own rate, at 10 s.
  @Test func aSlowLinkKeepsItsRateAndLeavesTheRestToTheOthers() throws {
    var uplink = SharedUplink(uplinkBytesPerSecond: 10, sites: 2)
    uplink.start(0, bytes: 20, capacity: 2)
    uplink.start(1, bytes: 40, capacity: 100)
    let nextFirst = uplink.nextFinish()
    let first = try #require(nextFirst)
    #expect(first.site == 1 && first.time == 5)
    uplink.advance(to: 5)
    uplink.finish(1)
    let nextSecond = uplink.nextFinish()
    let second = try #require(nextSecond)
    #expect(second.site == 0 && second.time == 10)
    uplink.advance(to: 10)
    uplink.finish(0)
    let none = uplink.nextFinish()
    #expect(none == nil)
    // Demand was 102 B/s against 10 for the first 5 s, then 2.
    #expect(uplink.overBudgetSeconds == 5)
    #expect(uplink.peakSent == 10)
  }

  @Test func aDroppedTransferReportsTheBytesItHadAndStartsOver() throws {
    var uplink = SharedUplink(uplinkBytesPerSecond: 10, sites: 1)
    uplink.start(0, bytes: 30, capacity: 5)
    uplink.advance(to: 4)
    #expect(uplink.drop(0) == 20)
    uplink.start(0, bytes: 30, capacity: 5)
    let next = uplink.nextFinish()
    let finish = try #require(next)
    #expect(finish.time == 10)
    #expect(uplink.overBudgetSeconds == 0)
  }
}
