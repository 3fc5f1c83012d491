import Foundation
import Model
import Rollout
import Testing

/// Sites of `wave` with a downlink of `mbps` Mbit/s.
private func stores(_ wave: String, _ count: Int, mbps: Int64 = 20) -> [Site] {
  (1...count).map {
    Site(
      name: "\(wave)-\($0)", labels: ["wave": wave],
      downlink: BitRate(bitsPerSecond: mbps * 1_000_000))
  }
}

private func prestaged(_ actions: [RolloutAction]) -> [String] {
  actions.compactMap { if case .prestage(let site, _) = $0 { site } else { nil } }
}

/// A rollout of `lab`, then `stores`, then `far` when it has sites, with pre-staging `waves`
/// ahead; every site pulls 10 MB.
private func rollout(
  lab: [Site], stores: [Site], far: [Site] = [], budgetMbps: Int64?,
  storesMax: SiteCount = .count(10), soak: Double = 0, gate: Bool = false, prestage: Bool = true,
  waves ahead: Int = 1
) -> RolloutEngine {
  let sites = lab + stores + far
  let budget = budgetMbps.map { BitRate(bitsPerSecond: $0 * 1_000_000) }
  let policy = RolloutPolicy(
    uplinkBudget: budget, unreachableSites: .countAsFailed,
    waves: [wave("lab", soak: soak), wave("stores", max: storesMax, gate: gate)]
      + (far.isEmpty ? [] : [wave("far", max: .count(10))]),
    prestage: prestage, prestageWaves: ahead)
  let payloads = Dictionary(uniqueKeysWithValues: sites.map { ($0.name, Int64(10_000_000)) })
  return RolloutEngine(
    policy: policy,
    traffic: RolloutTraffic(sites: sites, payloadBytes: payloads, uplinkBudget: budget))
}

@Suite("Pre-staging the images of the waves ahead")
struct PrestageTests {
  @Test func theNextWavePullsWhileTheFirstRuns() {
    let lab = stores("lab", 1)
    let engine = rollout(lab: lab, stores: stores("stores", 3), budgetMbps: nil)
    let (state, actions) = engine.start(
      revision: "r2", lastGoodRevision: "r1", sites: lab + stores("stores", 3), at: t(0))
    #expect(applied(actions) == ["lab-1"])
    #expect(prestaged(actions) == ["stores-1", "stores-2", "stores-3"])
    #expect(state.waves[1].sites.allSatisfy { $0.phase == .pending })
  }

  @Test func withoutTheSwitchNothingIsPrestaged() {
    let lab = stores("lab", 1)
    let (_, actions) = rollout(
      lab: lab, stores: stores("stores", 3), budgetMbps: nil, prestage: false
    ).start(revision: "r2", lastGoodRevision: "r1", sites: lab + stores("stores", 3), at: t(0))
    #expect(prestaged(actions).isEmpty)
  }

  @Test func theRunningWaveComesFirstAndPrestagedCutoversHoldNoShare() {
    // Budget 40 Mbit/s, every site 20: the lab site takes 20, one store pre-stages with the rest.
    let lab = stores("lab", 1)
    let shops = stores("stores", 3)
    let engine = rollout(lab: lab, stores: shops, budgetMbps: 40)
    var (state, actions) = engine.start(
      revision: "r2", lastGoodRevision: "r1", sites: lab + shops, at: t(0))
    #expect(applied(actions) == ["lab-1"])
    #expect(prestaged(actions) == ["stores-1"])
    // The lab site's images arrive: its share frees a second pre-stage.
    (state, actions) = engine.reduce(state, .transferred(site: "lab-1", at: t(1)))
    #expect(prestaged(actions) == ["stores-2"])
    (state, actions) = engine.reduce(state, .prestaged(site: "stores-1", at: t(2)))
    #expect(prestaged(actions) == ["stores-3"])
    (state, actions) = engine.reduce(state, .prestaged(site: "stores-2", at: t(3)))
    // The lab wave ends while stores-3 still pulls: stores-1 and -2 cut over without a share,
    // stores-3 (pulling, 20) too, as 20 fits.
    (state, actions) = engine.reduce(state, .applied(site: "lab-1", at: t(4)))
    (state, actions) = engine.reduce(state, .health(site: "lab-1", status: .current, at: t(5)))
    #expect(state.phase == .running(wave: 1))
    #expect(applied(actions) == ["stores-1", "stores-2", "stores-3"])
  }

  @Test func aFailedPrestageIsNotRetriedAndTheSitePullsAtItsCutover() {
    let lab = stores("lab", 1)
    let shops = stores("stores", 2)
    // Budget 20: one transfer at a time.
    let engine = rollout(lab: lab, stores: shops, budgetMbps: 20, soak: 60)
    var (state, actions) = engine.start(
      revision: "r2", lastGoodRevision: "r1", sites: lab + shops, at: t(0))
    #expect(prestaged(actions).isEmpty)  // the lab site holds the whole budget
    (state, actions) = engine.reduce(state, .applied(site: "lab-1", at: t(1)))
    (state, actions) = engine.reduce(state, .health(site: "lab-1", status: .current, at: t(2)))
    // Soaking: the stores pre-stage one at a time.
    #expect(prestaged(actions) == ["stores-1"])
    (state, actions) = engine.reduce(
      state, .prestageFailed(site: "stores-1", reason: "ErrImagePull", at: t(3)))
    #expect(prestaged(actions) == ["stores-2"])
    (state, actions) = engine.reduce(state, .prestaged(site: "stores-2", at: t(4)))
    #expect(prestaged(actions).isEmpty)
    // The soak ends: stores-1 (not pre-staged) takes the budget, stores-2 needs none.
    (state, actions) = engine.reduce(state, .tick(t(62)))
    #expect(Set(applied(actions)) == ["stores-1", "stores-2"])
    #expect(prestaged(actions).isEmpty)
  }

  @Test func aGatedWavePrestagesWhileItWaitsButNotWhilePaused() {
    let lab = stores("lab", 1)
    let shops = stores("stores", 2)
    let engine = rollout(lab: lab, stores: shops, budgetMbps: nil, gate: true)
    var (state, actions) = engine.start(
      revision: "r2", lastGoodRevision: "r1", sites: lab + shops, at: t(0), paused: false)
    (state, actions) = engine.reduce(state, .pause)
    #expect(state.phase == .running(wave: 0))
    // Already pulling from the start; pausing stops new ones, not these.
    #expect(state.waves[1].sites.allSatisfy { $0.prestage == .pulling(since: t(0)) })
    let paused = rollout(lab: lab, stores: shops, budgetMbps: nil, gate: true)
    let (_, none) = paused.start(
      revision: "r2", lastGoodRevision: "r1", sites: lab + shops, at: t(0), paused: true)
    #expect(prestaged(none).isEmpty)
    (state, actions) = engine.reduce(state, .resume(at: t(1)))
    (state, actions) = engine.reduce(state, .applied(site: "lab-1", at: t(2)))
    (state, actions) = engine.reduce(state, .health(site: "lab-1", status: .current, at: t(3)))
    #expect(state.phase == .waitingForPromotion(wave: 1))
    #expect(applied(actions).isEmpty)
  }

  @Test func wavesAheadPrestageNearestFirst() {
    let (lab, shops, far) = (stores("lab", 1), stores("stores", 2), stores("far", 2))
    let everyone = lab + shops + far
    let (_, two) = rollout(lab: lab, stores: shops, far: far, budgetMbps: nil, waves: 2).start(
      revision: "r2", lastGoodRevision: "r1", sites: everyone, at: t(0))
    #expect(applied(two) == ["lab-1"])
    #expect(prestaged(two) == ["stores-1", "stores-2", "far-1", "far-2"])
    let (_, one) = rollout(lab: lab, stores: shops, far: far, budgetMbps: nil).start(
      revision: "r2", lastGoodRevision: "r1", sites: everyone, at: t(0))
    #expect(prestaged(one) == ["stores-1", "stores-2"])
  }

  @Test func aFartherWaveLeavesRoomForTheLargestShareANearerOneStillNeeds() {
    // Budget 140 Mbit/s: the lab site cuts over (20), stores-1 pre-stages (100); stores-2 (100)
    // does not fit. The far wave's thin sites (2 each) would fit the 20 left, but would then
    // keep stores-2 out: they wait until no store is left to pre-stage.
    let lab = stores("lab", 1)
    let shops = stores("stores", 2, mbps: 100)
    let far = stores("far", 3, mbps: 2)
    let engine = rollout(lab: lab, stores: shops, far: far, budgetMbps: 140, waves: 2)
    var (state, actions) = engine.start(
      revision: "r2", lastGoodRevision: "r1", sites: lab + shops + far, at: t(0))
    #expect(applied(actions) == ["lab-1"])
    #expect(prestaged(actions) == ["stores-1"])
    (state, actions) = engine.reduce(state, .prestaged(site: "stores-1", at: t(1)))
    #expect(prestaged(actions) == ["stores-2", "far-1", "far-2", "far-3"])
  }

  @Test func aWindowOpeningDuringTheSoakWakesTheEngineToPrestage() {
    // t(0) is 15:06:40 UTC; the store's window opens daily at 16:00 UTC (t(3200)), while the lab
    // wave soaks for two hours.
    let lab = stores("lab", 1)
    let store = Site(
      name: "stores-1", labels: ["wave": "stores"],
      downlink: BitRate(bitsPerSecond: 20_000_000),
      maintenanceWindows: [
        MaintenanceWindow(
          days: MaintenanceWindow.Day.allCases, startMinute: 16 * 60, durationSeconds: 3600)
      ])
    let engine = rollout(lab: lab, stores: [store], budgetMbps: nil, soak: 7200)
    var (state, actions) = engine.start(
      revision: "r2", lastGoodRevision: "r1", sites: lab + [store], at: t(0))
    #expect(prestaged(actions).isEmpty)
    #expect(state.waves[1].sites[0].windowOpensAt == t(3200))
    (state, actions) = engine.reduce(state, .applied(site: "lab-1", at: t(5)))
    (state, actions) = engine.reduce(state, .health(site: "lab-1", status: .current, at: t(10)))
    #expect(state.phase == .soaking(wave: 0, until: t(7210)))
    #expect(engine.nextWakeup(state) == t(3200))
    (state, actions) = engine.reduce(state, .tick(t(3200)))
    #expect(prestaged(actions) == ["stores-1"])
    #expect(engine.nextWakeup(state) == t(7210))
  }

  /// Random three-wave rollouts pre-staging one to three waves ahead: the shares of sites
  /// transferring (in flight, or pre-staging in any wave) never exceed the budget.
  @Test(arguments: 0..<30) func sharesStayWithinTheBudget(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let rates: [Int64] = [2, 20, 100]
    let lab = (1...Int.random(in: 1...6, using: &rng)).map {
      Site(
        name: "lab-\($0)", labels: ["wave": "lab"],
        downlink: BitRate(bitsPerSecond: rates.randomElement(using: &rng)! * 1_000_000))
    }
    let shops = (1...Int.random(in: 1...20, using: &rng)).map {
      Site(
        name: "stores-\($0)", labels: ["wave": "stores"],
        downlink: BitRate(bitsPerSecond: rates.randomElement(using: &rng)! * 1_000_000))
    }
    let far = (1...Int.random(in: 1...10, using: &rng)).map {
      Site(
        name: "far-\($0)", labels: ["wave": "far"],
        downlink: BitRate(bitsPerSecond: rates.randomElement(using: &rng)! * 1_000_000))
    }
    let budgetMbps = [50, 120, 400].randomElement(using: &rng)!
    let engine = rollout(
      lab: lab, stores: shops, far: far, budgetMbps: Int64(budgetMbps),
      storesMax: .count(Int.random(in: 1...8, using: &rng)), soak: 30,
      waves: Int.random(in: 1...3, using: &rng))
    var (state, _) = engine.start(
      revision: "r2", lastGoodRevision: "r1", sites: lab + shops + far, at: t(0))
    for step in 1...300 {
      let now = t(Double(step) * 5)
      let sites = state.waves.flatMap(\.sites)
      let pulling = sites.filter {
        if case .pulling = $0.prestage, $0.phase == .pending { true } else { false }
      }
      let busy = sites.filter(\.phase.isInFlight)
      let event: RolloutEvent
      switch Int.random(in: 0..<6, using: &rng) {
      case 0 where !pulling.isEmpty:
        event = .prestaged(site: pulling.randomElement(using: &rng)!.name, at: now)
      case 1 where !pulling.isEmpty:
        event = .prestageFailed(
          site: pulling.randomElement(using: &rng)!.name, reason: "x", at: now)
      case 2 where !busy.isEmpty:
        event = .transferred(site: busy.randomElement(using: &rng)!.name, at: now)
      case 3 where !busy.isEmpty:
        event = .applied(site: busy.randomElement(using: &rng)!.name, at: now)
      case 4 where !busy.isEmpty:
        event = .health(site: busy.randomElement(using: &rng)!.name, status: .current, at: now)
      default:
        event = .tick(now)
      }
      (state, _) = engine.reduce(state, event)
      var held = 0.0
      for site in state.waves.flatMap(\.sites) {
        let pulled = if case .pulled = site.prestage { true } else { false }
        if site.phase.isInFlight && site.transferredAt == nil && !pulled {
          held += engine.traffic.reservedRate(of: site.name)
        } else if site.phase == .pending, case .pulling = site.prestage {
          held += engine.traffic.reservedRate(of: site.name)
        }
      }
      #expect(held <= Double(budgetMbps) * 125_000 * (1 + 1e-9), "seed \(seed) step \(step)")
      if state.phase.isFinished { break }
    }
  }
}
