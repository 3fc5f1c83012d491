/// Something that happened to a site in the simulation, reported to the strategy.
enum SiteHappening: Sendable, Hashable {
  /// The site's manifests are applied; its image transfer starts.
  case applied(Int)
  /// The site's payload has arrived; it activates the revision.
  case transferred(Int)
  /// The site runs the revision and reports healthy.
  case healthy(Int)
  /// The site pulled its payload ahead of its apply.
  case prestaged(Int)
}

/// What a strategy asks the simulated fleet to do.
enum SiteCommand: Sendable, Hashable {
  case apply(Int)
  /// Pull the payload now; the apply comes later and then only activates.
  case prestage(Int)
}

/// A way of rolling a revision out: told what happens to sites, it says which to start.
/// Times are seconds since the rollout started.
protocol RolloutStrategy {
  mutating func begin(at time: Double) -> [SiteCommand]
  mutating func handle(_ happening: SiteHappening, at time: Double) -> [SiteCommand]
  /// Called at `nextWakeup()` (or later), for what is due by the clock alone.
  mutating func wake(at time: Double) -> [SiteCommand]
  /// The earliest time at which `wake` could start something or end the rollout.
  func nextWakeup() -> Double?
  var isFinished: Bool { get }
}
