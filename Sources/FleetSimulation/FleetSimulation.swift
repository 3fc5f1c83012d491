public import Foundation
public import Model
import Rollout

/// `wavesync simulate`: one region's rollout simulated under Wavesync's engine and the baselines,
/// over the same fleet, links and drops. Pure: simulated time only, no I/O.
public enum FleetSimulation {
  public struct Settings: Sendable, Hashable {
    public var sites: Int
    public var seed: UInt64
    public var uplink: BitRate
    /// The share of sites whose link drops in an hour (0.02 = 2%).
    public var dropsPerHour: Double
    public var windows: Bool
    public var batchSize: Int
    public var activationSeconds: Double
    /// Wavesync's policy pre-stages the next wave's images (the baselines never do).
    public var prestage: Bool
    /// How many waves ahead pre-stage (`rollout.prestageWaves`).
    public var prestageWaves: Int
    /// When the rollout starts (it matters only for windows): a Monday, 09:00 UTC.
    public var start: Date

    public init(
      sites: Int = 10_000, seed: UInt64 = 1,
      uplink: BitRate = BitRate(bitsPerSecond: 1_000_000_000),
      dropsPerHour: Double = 0.02, windows: Bool = false, batchSize: Int = 200,
      activationSeconds: Double = 30, prestage: Bool = false, prestageWaves: Int = 1,
      start: Date = Date(timeIntervalSince1970: 1_796_634_000)
    ) {
      self.sites = sites
      self.seed = seed
      self.uplink = uplink
      self.dropsPerHour = dropsPerHour
      self.windows = windows
      self.batchSize = batchSize
      self.activationSeconds = activationSeconds
      self.prestage = prestage
      self.prestageWaves = prestageWaves
      self.start = start
    }
  }

  public enum Strategy: Sendable, Hashable {
    case wavesync
    case baseline(Baseline)

    /// The name in reports and JSON.
    public var name: String {
      switch self {
      case .wavesync: "wavesync"
      case .baseline(.allAtOnce): "all-at-once"
      case .baseline(.fixedBatches(let size)): "batches-of-\(size)"
      case .baseline(.longestTransferFirst): "longest-transfer-first"
      }
    }
  }

  public struct Result: Sendable, Hashable {
    public var strategy: Strategy
    /// From the rollout's start until its last wave completed (or the simulation stopped).
    public var makespanSeconds: Double
    public var ratio: Double
    /// Bytes sent over the uplink (dropped transfers' bytes included) ÷ the minimal bytes.
    public var byteEfficiency: Double
    /// Seconds during which the running transfers' downlinks added up to more than the uplink.
    public var capViolationSeconds: Double
    public var peakDemand: BitRate
    public var drops: Int
    public var healthySites: Int
    public var finished: Bool
    /// Steps of the event loop.
    public var events: Int
  }

  public struct Report: Sendable, Hashable {
    public var sites: Int
    public var minimalBytes: Int64
    /// The bound the ratios use: `waves`, or `windowAware` with windows.
    public var lowerBound: LowerBound
    /// What pre-staging could reach at best, for comparison (no strategy pre-stages yet).
    public var prestagedBound: LowerBound
    public var waves: [(name: String, sites: Int, cap: Int, soakSeconds: Double)]
    public var results: [Result]

    public static func == (a: Report, b: Report) -> Bool {
      a.sites == b.sites && a.minimalBytes == b.minimalBytes && a.lowerBound == b.lowerBound
        && a.prestagedBound == b.prestagedBound && a.results == b.results
        && a.waves.map(\.name) == b.waves.map(\.name)
        && a.waves.map(\.sites) == b.waves.map(\.sites)
    }

    /// The same results measured against `bound` (the pre-staging bound, say).
    public mutating func rebase(on bound: LowerBound) {
      lowerBound = bound
      for index in results.indices {
        results[index].ratio =
          bound.seconds > 0 ? results[index].makespanSeconds / bound.seconds : 1
      }
    }

    public func hash(into hasher: inout Hasher) {
      hasher.combine(sites)
      hasher.combine(results)
    }
  }

  /// The strategies reported side by side.
  public static func strategies(batchSize: Int) -> [Strategy] {
    [
      .wavesync, .baseline(.allAtOnce), .baseline(.fixedBatches(batchSize)),
      .baseline(.longestTransferFirst),
    ]
  }

  public static func run(_ settings: Settings, strategies chosen: [Strategy]? = nil)
    throws(LabelSelectorError) -> Report
  {
    let mix = FleetMix.generate(
      sites: settings.sites, seed: settings.seed, windows: settings.windows)
    let physics = physics(settings)
    let fleet = SimulatedFleet(mix: mix, physics: physics)
    let bound =
      settings.windows
      ? LowerBound(
        kind: .windowAware,
        seconds: LowerBounds.windowAware(mix, physics, start: settings.start))
      : LowerBound(kind: .waves, seconds: LowerBounds.waves(mix, physics))
    let minimal = mix.sites.reduce(Int64(0)) { $0 + $1.payloadBytes }
    let policy = try policy(
      for: mix, uplink: settings.uplink,
      prestageWaves: settings.prestage ? settings.prestageWaves : 0)
    var results: [Result] = []
    for strategy in chosen ?? strategies(batchSize: settings.batchSize) {
      let outcome: SimulatedFleet.Outcome
      switch strategy {
      case .wavesync:
        var driven = WavesyncStrategy(mix: mix, policy: policy, start: settings.start)
        outcome = fleet.run(&driven)
      case .baseline(let baseline):
        var driven = BaselineStrategy(mix: mix, baseline: baseline, start: settings.start)
        outcome = fleet.run(&driven)
      }
      results.append(
        Result(
          strategy: strategy, makespanSeconds: outcome.makespanSeconds,
          ratio: bound.seconds > 0 ? outcome.makespanSeconds / bound.seconds : 1,
          byteEfficiency: minimal > 0 ? outcome.bytesSent / Double(minimal) : 1,
          capViolationSeconds: outcome.overBudgetSeconds,
          peakDemand: BitRate(
            bitsPerSecond: Int64((outcome.peakDemandBytesPerSecond * 8).rounded())),
          drops: outcome.drops, healthySites: outcome.healthySites, finished: outcome.finished,
          events: outcome.events))
    }
    return Report(
      sites: mix.sites.count, minimalBytes: minimal, lowerBound: bound,
      prestagedBound: LowerBound(kind: .prestaged, seconds: LowerBounds.prestaged(mix, physics)),
      waves: mix.waves.indices.map {
        (
          mix.waves[$0].name, mix.waveSites[$0].count, mix.cap(ofWave: $0),
          mix.waves[$0].soakSeconds
        )
      },
      results: results)
  }

  static func physics(_ settings: Settings) -> SimulatedFleet.Physics {
    SimulatedFleet.Physics(
      uplinkBytesPerSecond: Double(settings.uplink.bitsPerSecond) / 8,
      dropsPerHour: settings.dropsPerHour, activationSeconds: settings.activationSeconds,
      applyLatencySeconds: 1, manifestBytes: 64_000, seed: settings.seed)
  }

  /// The rollout policy Wavesync runs: the mix's waves (selected by the `wave` label), their caps
  /// and soaks, the uplink as the budget. Health timeouts are long enough for the slowest site
  /// to restart its transfer a few times: nothing in the simulation fails.
  static func policy(for mix: FleetMix, uplink: BitRate, prestageWaves: Int)
    throws(LabelSelectorError) -> RolloutPolicy
  {
    let waves = try mix.waves.map { wave throws(LabelSelectorError) in
      RolloutPolicy.Wave(
        name: wave.name,
        selector: LabelSelector([
          try LabelSelector.Requirement(key: "wave", operator: .equals, values: [wave.name])
        ]),
        maxConcurrent: .percent(wave.capShare * 100), failureThreshold: .percent(10),
        soakSeconds: wave.soakSeconds, healthTimeoutSeconds: 86_400, manualGate: false)
    }
    return RolloutPolicy(
      uplinkBudget: uplink, unreachableSites: .skip, waves: waves, prestage: prestageWaves > 0,
      prestageWaves: max(1, prestageWaves))
  }
}
