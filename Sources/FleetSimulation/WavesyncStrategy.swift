import Foundation
import Health
import Model
import Rollout

/// Wavesync's own strategy: the real `RolloutEngine`, fed the simulated fleet's events.
///
/// A site's health check answers `Current` once the site has activated the revision and
/// `InProgress` before; the simulation reports the `Current` answer as soon as it is true (which
/// a check at that instant would see) and leaves earlier checks unanswered, which changes nothing.
struct WavesyncStrategy: RolloutStrategy {
  let engine: RolloutEngine
  let mix: FleetMix
  let start: Date
  private var state: RolloutState
  private let index: [String: Int]

  init(mix: FleetMix, policy: RolloutPolicy, start: Date) {
    self.mix = mix
    self.start = start
    engine = RolloutEngine(policy: policy)
    index = Dictionary(
      uniqueKeysWithValues: mix.sites.enumerated().map { ($0.element.site.name, $0.offset) })
    state = RolloutState(
      revision: "", lastGoodRevision: nil, waves: [], phase: .succeeded, paused: false,
      unassignedSites: [], startedAt: start, clock: start, failureReason: nil)
  }

  var isFinished: Bool { state.phase.isFinished }

  mutating func begin(at time: Double) -> [SiteCommand] {
    let (first, actions) = engine.start(
      revision: "r2", lastGoodRevision: "r1", sites: mix.sites.map(\.site), at: date(time))
    state = first
    return commands(actions)
  }

  mutating func handle(_ happening: SiteHappening, at time: Double) -> [SiteCommand] {
    switch happening {
    case .applied(let site):
      return reduce(.applied(site: name(site), at: date(time)))
    case .transferred:
      return []
    case .healthy(let site):
      return reduce(.health(site: name(site), status: .current, at: date(time)))
    }
  }

  mutating func wake(at time: Double) -> [SiteCommand] {
    reduce(.tick(date(time)))
  }

  func nextWakeup() -> Double? {
    guard case .soaking(_, let until) = state.phase else { return nil }
    return until.timeIntervalSince(start)
  }

  private mutating func reduce(_ event: RolloutEvent) -> [SiteCommand] {
    let (next, actions) = engine.reduce(state, event)
    state = next
    return commands(actions)
  }

  private func commands(_ actions: [RolloutAction]) -> [SiteCommand] {
    actions.compactMap { action in
      guard case .apply(let site, _) = action, let known = index[site] else { return nil }
      return .apply(known)
    }
  }

  private func name(_ site: Int) -> String { mix.sites[site].site.name }
  private func date(_ time: Double) -> Date { start.addingTimeInterval(time) }
}
