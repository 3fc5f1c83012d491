import Foundation
import Model
import Rollout
import Testing

// The engine keeps counts of each wave's sites (failed, settled, in flight, shares held, where
// the first pending site is) as they change, rather than counting again on every event. These
// tests hold it to the state it derives them from: a rollout reduced in place must act exactly
// as the same rollout reloaded from JSON before every event, whose counts start afresh.
@Suite("Rollout engine: in-place state and reloaded state agree")
struct EngineInPlaceTests {
  /// Two or three waves of stores on mixed links, some with a closed window, with pre-staging.
  static func randomRollout(_ rng: inout SplitMix64) -> (RolloutEngine, [Site]) {
    let rates: [Int64?] = [2, 20, 100, nil]
    let names = ["lab", "early", "rest"].prefix(Int.random(in: 2...3, using: &rng))
    let evening = window(MaintenanceWindow.Day.allCases, 20, hours: 1)
    var sites: [Site] = []
    for name in names {
      for index in 1...Int.random(in: 1...12, using: &rng) {
        let windows = Int.random(in: 0..<6, using: &rng) == 0 ? [evening] : []
        sites.append(
          Site(
            name: "\(name)-\(index)", labels: ["wave": name], timezone: "UTC",
            downlink: rates.randomElement(using: &rng)!.map {
              BitRate(bitsPerSecond: $0 * 1_000_000)
            }, maintenanceWindows: windows))
      }
    }
    var payloads: [String: Int64] = [:]
    for site in sites where Int.random(in: 0..<6, using: &rng) > 0 {
      payloads[site.name] = [0, 5_000_000, 80_000_000].randomElement(using: &rng)!
    }
    let budget = [nil, 40, 150, 1000].randomElement(using: &rng)!.map {
      BitRate(bitsPerSecond: Int64($0) * 1_000_000)
    }
    let policy = RolloutPolicy(
      uplinkBudget: budget, unreachableSites: Bool.random(using: &rng) ? .skip : .countAsFailed,
      waves: names.map { name in
        wave(
          name, max: .count(Int.random(in: 1...6, using: &rng)),
          threshold: .count(Int.random(in: 1...3, using: &rng)),
          soak: [0, 30].randomElement(using: &rng)!, timeout: 120,
          gate: Int.random(in: 0..<4, using: &rng) == 0)
      },
      prestage: Bool.random(using: &rng), prestageWaves: Int.random(in: 1...3, using: &rng))
    let traffic = RolloutTraffic(
      sites: sites, payloadBytes: payloads, uplinkBudget: budget,
      urgent: Int.random(in: 0..<5, using: &rng) == 0)
    return (RolloutEngine(policy: policy, traffic: traffic), sites)
  }

  static func randomEvent(
    _ rng: inout SplitMix64, _ state: RolloutState, names: [String], now: Date
  ) -> RolloutEvent {
    let sites = state.waves.flatMap(\.sites)
    let busy = sites.filter { $0.phase.isInFlight || $0.phase == .rollingBack }.map(\.name)
    let pulling = sites.filter { if case .pulling = $0.prestage { true } else { false } }
      .map(\.name)
    let anyone = busy.randomElement(using: &rng) ?? names.randomElement(using: &rng)!
    switch Int.random(in: 0..<14, using: &rng) {
    case 0: return .applied(site: anyone, at: now)
    case 1: return .health(site: anyone, status: .current, at: now)
    case 2: return .health(site: anyone, status: .failed, at: now, detail: "crash loop")
    case 3: return .unreachable(site: anyone, at: now)
    case 4: return .transferred(site: anyone, at: now)
    case 5: return .rolledBack(site: anyone, at: now)
    case 6: return .prestaged(site: pulling.randomElement(using: &rng) ?? anyone, at: now)
    case 7:
      return .prestageFailed(
        site: pulling.randomElement(using: &rng) ?? anyone, reason: "x", at: now)
    case 8: return .promote(wave: state.waves.randomElement(using: &rng)?.name ?? "lab")
    case 9: return Bool.random(using: &rng) ? .pause : .resume(at: now)
    case 10: return .applyFailed(site: anyone, reason: "conflict", at: now)
    case 11 where Int.random(in: 0..<8, using: &rng) == 0: return .markedUrgent(at: now)
    default: return .tick(now)
    }
  }

  @Test(arguments: 0..<60) func aStateReducedInPlaceActsAsOneReloadedEachStep(seed: UInt64)
    throws
  {
    var rng = SplitMix64(seed: seed)
    let (engine, sites) = Self.randomRollout(&rng)
    // 19:00 UTC: the evening windows open an hour into the run.
    let origin = Date(timeIntervalSince1970: 1_750_014_000)
    var (inPlace, _) = engine.start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: origin)
    var reloaded = inPlace
    let names = sites.map(\.name)
    for step in 1...400 {
      let now = origin.addingTimeInterval(Double(step) * 20)
      let event = Self.randomEvent(&rng, inPlace, names: names, now: now)
      let actions = engine.reduce(&inPlace, event)
      reloaded = try JSONDecoder().decode(
        RolloutState.self, from: JSONEncoder().encode(reloaded))
      let again: [RolloutAction]
      (reloaded, again) = engine.reduce(reloaded, event)
      #expect(actions == again, "seed \(seed) step \(step): \(event)")
      #expect(inPlace == reloaded, "seed \(seed) step \(step): \(event)")
      #expect(
        engine.nextWakeup(inPlace) == engine.nextWakeup(reloaded), "seed \(seed) step \(step)")
      if inPlace.phase.isFinished { break }
    }
  }

  /// Replacing a wave's sites from outside the engine drops what it derived from them.
  @Test func sitesSetFromOutsideAreCountedAfresh() {
    let stores = sites("all", 4)
    let engine = RolloutEngine(policy: policy(wave("all", max: .count(2))))
    var (state, actions) = engine.start(
      revision: "r2", lastGoodRevision: "r1", sites: stores, at: t(0))
    #expect(applied(actions) == ["all-1", "all-2"])
    // all-1 is made healthy by hand: the engine must see a free slot and start all-3.
    state.waves[0].sites[0].phase = .healthy(at: t(1))
    actions = engine.reduce(&state, .tick(t(2)))
    #expect(applied(actions) == ["all-3"])
  }
}
