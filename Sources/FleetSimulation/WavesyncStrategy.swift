import Foundation
import Health
import Model
import Rollout

/// Wavesync's own strategy: the real `RolloutEngine`, fed the simulated fleet's events. The
/// engine knows each site's link and payload and the uplink budget (`RolloutTraffic`), and
/// decides when each site starts; the simulation ticks it only at its `nextWakeup`.
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
  /// The engine's `nextWakeup`, kept from the last event: the state changes only on events.
  private var wakeup: Date?

  init(mix: FleetMix, policy: RolloutPolicy, start: Date) {
    self.mix = mix
    self.start = start
    let traffic = RolloutTraffic(
      sites: mix.sites.map(\.site),
      payloadBytes: Dictionary(
        uniqueKeysWithValues: mix.sites.map { ($0.site.name, $0.payloadBytes) }),
      uplinkBudget: policy.uplinkBudget)
    engine = RolloutEngine(policy: policy, traffic: traffic)
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
    wakeup = engine.nextWakeup(state)
    return commands(actions)
  }

  mutating func handle(_ happening: SiteHappening, at time: Double) -> [SiteCommand] {
    switch happening {
    case .applied(let site):
      return reduce(.applied(site: name(site), at: date(time)))
    case .transferred(let site):
      return reduce(.transferred(site: name(site), at: date(time)))
    case .healthy(let site):
      return reduce(.health(site: name(site), status: .current, at: date(time)))
    case .prestaged(let site):
      return reduce(.prestaged(site: name(site), at: date(time)))
    }
  }

  mutating func wake(at time: Double) -> [SiteCommand] {
    let commands = reduce(.tick(date(time)))
    // A wakeup the tick did not move past would wake the loop at the same instant forever.
    if let wakeup, wakeup <= date(time) { self.wakeup = nil }
    return commands
  }

  func nextWakeup() -> Double? {
    wakeup.map { $0.timeIntervalSince(start) }
  }

  private mutating func reduce(_ event: RolloutEvent) -> [SiteCommand] {
    let actions = engine.reduce(&state, event)
    wakeup = engine.nextWakeup(state)
    return commands(actions)
  }

  private func commands(_ actions: [RolloutAction]) -> [SiteCommand] {
    actions.compactMap { action in
      switch action {
      case .apply(let site, _): index[site].map(SiteCommand.apply)
      case .prestage(let site, _): index[site].map(SiteCommand.prestage)
      default: nil
      }
    }
  }

  private func name(_ site: Int) -> String { mix.sites[site].site.name }
  private func date(_ time: Double) -> Date { start.addingTimeInterval(time) }
}
