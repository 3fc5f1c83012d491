/// When each site's link drops: a Poisson process per site, `dropsPerHour` being the share of
/// sites whose link drops in an hour (0.02: 2% of sites an hour).
///
/// Every site has a random stream of its own, derived from the seed and the site's index, and its
/// drop times do not depend on what the rollout does; so every strategy of a run meets the same
/// drops at the same instants.
struct LinkDrops {
  private let rate: Double
  private var next: [Double]
  private var streams: [SeededGenerator]

  init(sites: Int, dropsPerHour: Double, seed: UInt64) {
    rate = dropsPerHour / 3600
    streams = (0..<sites).map { SeededGenerator(seed: seed, stream: UInt64($0)) }
    next = Array(repeating: 0, count: sites)
  }

  /// The site's first drop strictly after `time`; nil when links never drop.
  mutating func nextDrop(of site: Int, after time: Double) -> Double? {
    guard rate > 0 else { return nil }
    while next[site] <= time {
      next[site] += streams[site].exponential(rate: rate)
    }
    return next[site]
  }
}
