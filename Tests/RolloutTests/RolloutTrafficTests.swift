import Foundation
import Model
import Rollout
import Testing

/// A site of wave `wave` with a downlink in Mbit/s and optional windows.
private func store(
  _ name: String, wave: String = "all", mbps: Int64? = nil, zone: String? = nil,
  _ windows: [MaintenanceWindow] = []
) -> Site {
  Site(
    name: name, labels: ["wave": wave], timezone: zone,
    downlink: mbps.map { BitRate(bitsPerSecond: $0 * 1_000_000) }, maintenanceWindows: windows)
}

private func mbit(_ value: Int64) -> BitRate { BitRate(bitsPerSecond: value * 1_000_000) }

private func engine(
  _ sites: [Site], payloads: [String: Int64], budget: BitRate?, max: SiteCount = .count(100),
  timeout: Double = 600, urgent: Bool = false
) -> RolloutEngine {
  var policy = policy(wave("all", max: max, timeout: timeout))
  policy.uplinkBudget = budget
  return RolloutEngine(
    policy: policy,
    traffic: RolloutTraffic(
      sites: sites, payloadBytes: payloads, uplinkBudget: budget, urgent: urgent))
}

@Suite("Rollout traffic: order, uplink budget, windows")
struct RolloutTrafficTests {
  @Test func longestTransfersStartFirstAndUnknownPayloadsBeforeThem() {
    let sites = [
      store("fibre", mbps: 100), store("satellite", mbps: 2), store("dsl", mbps: 20),
      store("unknown", mbps: 100), store("dsl-twin", mbps: 20),
    ]
    let payloads: [String: Int64] = [
      "fibre": 500_000_000, "satellite": 50_000_000, "dsl": 100_000_000, "dsl-twin": 100_000_000,
    ]
    // 50 MB at 2 Mbit/s = 200 s; 100 MB at 20 = 40 s; 500 MB at 100 = 40 s: ties keep site order.
    let (state, actions) = engine(sites, payloads: payloads, budget: nil, max: .count(1)).start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: t(0))
    #expect(
      state.waves[0].sites.map(\.name) == ["unknown", "satellite", "fibre", "dsl", "dsl-twin"])
    #expect(applied(actions) == ["unknown"])
  }

  @Test func sitesStartOnlyWhileTheirSharesFitTheBudgetFirstFit() {
    // Budget 50 Mbit/s: two 20s fit (40), the 100 would not, a 2 does (42), the other 20 not.
    let sites = [
      store("a", mbps: 20), store("b", mbps: 20), store("big", mbps: 100), store("thin", mbps: 2),
      store("c", mbps: 20),
    ]
    let payloads = Dictionary(uniqueKeysWithValues: sites.map { ($0.name, Int64(1_000_000)) })
    let rollout = engine(sites, payloads: payloads, budget: mbit(50))
    var (state, actions) = rollout.start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: t(0))
    // Order by time: thin (4 s), then the 20s (0.4 s), then big (0.08 s at its share).
    #expect(state.waves[0].sites.map(\.name) == ["thin", "a", "b", "c", "big"])
    #expect(applied(actions) == ["thin", "a", "b"])
    // a's payload arrives: its 20 Mbit/s go back, c fits (42), big still waits.
    (state, actions) = rollout.reduce(state, .transferred(site: "a", at: t(1)))
    #expect(applied(actions) == ["c"])
    // A site that settles gives its share back too: b healthy → 22 in flight, big (50) waits;
    (state, actions) = rollout.reduce(state, .applied(site: "b", at: t(2)))
    (state, actions) = rollout.reduce(state, .health(site: "b", status: .current, at: t(3)))
    #expect(applied(actions).isEmpty)
    // once thin and c are done, big's 50 (its 100 capped at the budget) fits alone.
    for name in ["thin", "c"] {
      (state, actions) = rollout.reduce(state, .transferred(site: name, at: t(4)))
    }
    #expect(applied(actions) == ["big"])
  }

  @Test func aSiteWithAnUnknownLinkRateTransfersAlone() {
    let sites = [store("mystery"), store("a", mbps: 20)]
    // At the whole budget, mystery's gigabyte takes 80 s, a's megabyte 0.4 s: mystery goes first.
    let payloads: [String: Int64] = ["mystery": 1_000_000_000, "a": 1_000_000]
    let rollout = engine(sites, payloads: payloads, budget: mbit(100))
    let (state, actions) = rollout.start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: t(0))
    #expect(applied(actions) == ["mystery"])
    let (_, next) = rollout.reduce(state, .transferred(site: "mystery", at: t(1)))
    #expect(applied(next) == ["a"])
  }

  @Test func nothingToPullHoldsNoShare() {
    let sites = [store("a", mbps: 100), store("b", mbps: 100), store("c", mbps: 100)]
    let payloads: [String: Int64] = ["a": 0, "b": 0, "c": 5_000]
    let (_, actions) = engine(sites, payloads: payloads, budget: mbit(100)).start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: t(0))
    #expect(Set(applied(actions)) == ["a", "b", "c"])
  }

  /// Random fleets, budgets and events: the shares of the sites in flight never exceed the budget,
  /// and a wave never has more sites in flight than its cap.
  @Test(arguments: 0..<40) func theSharesInFlightNeverExceedTheBudget(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let rates: [Int64?] = [2, 20, 100, nil]
    let sites = (0..<Int.random(in: 1...30, using: &rng)).map {
      store("s\($0)", mbps: rates.randomElement(using: &rng)!)
    }
    var payloads: [String: Int64] = [:]
    for site in sites where Int.random(in: 0..<5, using: &rng) > 0 {
      payloads[site.name] = Int64.random(in: 0...2_000_000_000, using: &rng)
    }
    let budget = mbit([10, 50, 200, 1000].randomElement(using: &rng)!)
    let cap = Int.random(in: 1...10, using: &rng)
    let rollout = engine(sites, payloads: payloads, budget: budget, max: .count(cap))
    let traffic = rollout.traffic
    var (state, _) = rollout.start(revision: "r2", lastGoodRevision: "r1", sites: sites, at: t(0))
    var started: Set<String> = []
    for step in 1...400 {
      let now = t(Double(step))
      let busy = state.waves[0].sites.filter(\.phase.isInFlight).map(\.name)
      let event: RolloutEvent
      if let name = busy.randomElement(using: &rng) {
        switch Int.random(in: 0..<5, using: &rng) {
        case 0: event = .transferred(site: name, at: now)
        case 1: event = .applied(site: name, at: now)
        case 2: event = .health(site: name, status: .current, at: now)
        case 3: event = .unreachable(site: name, at: now)
        default: event = .tick(now.addingTimeInterval(Double(Int.random(in: 0...90, using: &rng))))
        }
      } else {
        event = .tick(now)
      }
      var actions: [RolloutAction]
      (state, actions) = rollout.reduce(state, event)
      started.formUnion(applied(actions))
      let inFlight = state.waves[0].sites.filter(\.phase.isInFlight)
      let held = inFlight.filter { $0.transferredAt == nil }.map {
        traffic.reservedRate(of: $0.name)
      }.reduce(0, +)
      #expect(held <= Double(budget.bitsPerSecond) / 8 * (1 + 1e-9), "seed \(seed) step \(step)")
      #expect(inFlight.count <= cap)
      if state.phase.isFinished { break }
    }
    #expect(!started.isEmpty)
  }

  @Test func aSiteWaitsForItsWindowWithoutFailingOrHoldingTheWaveBack() {
    // Paris, Tuesday 2025-06-10 at 12:00 UTC (14:00 local); the store's window is 22:00-02:00.
    let noon = utc("2025-06-10T12:00:00Z")
    let nightly = window(MaintenanceWindow.Day.allCases, 22, hours: 4)
    let sites = [store("night", zone: "Europe/Paris", [nightly]), store("day")]
    let rollout = engine(sites, payloads: [:], budget: nil, max: .count(5), timeout: 600)
    var (state, actions) = rollout.start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: noon)
    #expect(applied(actions) == ["day"])
    #expect(state.phase(of: "night") == .pending)
    // The state says when its window opens (status shows it): 22:00 Paris, 20:00 UTC.
    #expect(
      state.waves[0].sites.first { $0.name == "night" }?.windowOpensAt
        == utc("2025-06-10T20:00:00Z"))
    // Hours pass, well beyond the health timeout: the waiting site is neither failed nor done.
    (state, actions) = rollout.reduce(state, .applied(site: "day", at: noon))
    (state, actions) = rollout.reduce(state, .health(site: "day", status: .current, at: noon))
    (state, actions) = rollout.reduce(state, .tick(utc("2025-06-10T19:00:00Z")))
    #expect(state.phase(of: "night") == .pending)
    #expect(state.phase == .running(wave: 0))
    // The engine says when to come back: 22:00 Paris is 20:00 UTC in summer.
    let opening = utc("2025-06-10T20:00:00Z")
    #expect(rollout.nextWakeup(state) == opening)
    (state, actions) = rollout.reduce(state, .tick(opening))
    #expect(applied(actions) == ["night"])
    // Its health timeout runs from then, not from the rollout's start.
    (state, actions) = rollout.reduce(state, .applied(site: "night", at: opening))
    #expect(rollout.nextWakeup(state) == opening.addingTimeInterval(600))
    // The window closes while it verifies: it finishes its update.
    (state, actions) = rollout.reduce(
      state, .health(site: "night", status: .current, at: utc("2025-06-11T00:05:00Z")))
    #expect(state.phase == .succeeded)
  }

  @Test func aSiteWhoseWindowClosesBeforeItsTurnGoesFirst() {
    // A budget of one 20 Mbit/s store at a time (2.5 MB/s). Two long transfers (150 MB, 60 s
    // each) come first in longest-first order; the short one's window closes at 12:00.
    let hourToNoon = window(MaintenanceWindow.Day.allCases, 11, hours: 1)
    let sites = [
      store("long-a", mbps: 20), store("long-b", mbps: 20),
      store("closing", mbps: 20, [hourToNoon]),
    ]
    let payloads: [String: Int64] = [
      "long-a": 150_000_000, "long-b": 150_000_000, "closing": 10_000_000,
    ]
    let rollout = engine(sites, payloads: payloads, budget: mbit(20))
    // A minute before noon the long ones would take two minutes: "closing" would miss its window
    // (and wait a day), so it goes first; the others follow as the budget frees.
    let minuteToNoon = utc("2025-06-10T11:59:00Z")
    var (state, actions) = rollout.start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: minuteToNoon)
    #expect(state.waves[0].sites.map(\.name) == ["long-a", "long-b", "closing"])
    #expect(applied(actions) == ["closing"])
    let landed = minuteToNoon.addingTimeInterval(5)
    (state, actions) = rollout.reduce(state, .applied(site: "closing", at: landed))
    (state, actions) = rollout.reduce(state, .transferred(site: "closing", at: landed))
    #expect(applied(actions) == ["long-a"])
    // With its window open for another hour it is not at risk: the longest go first.
    let elevenOClock = utc("2025-06-10T11:00:00Z")
    (_, actions) = rollout.start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: elevenOClock)
    #expect(applied(actions) == ["long-a"])
    // An urgent revision has no windows to mind: longest first.
    let urgent = engine(sites, payloads: payloads, budget: mbit(20), urgent: true)
    (_, actions) = urgent.start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: minuteToNoon)
    #expect(applied(actions) == ["long-a"])
  }

  @Test func windowsAcrossTheSpringForwardNight() {
    // Paris springs forward on Sunday 2025-03-30 at 02:00 local (01:00 UTC). A window 02:30-03:30
    // local starts inside the skipped hour: it opens at the transition, 01:00 UTC, and the
    // engine starts the store then, not an hour later or earlier.
    let sites = [store("paris", zone: "Europe/Paris", [window([.sunday], 2, 30, hours: 1)])]
    let rollout = engine(sites, payloads: [:], budget: nil)
    let before = utc("2025-03-29T23:00:00Z")
    var (state, actions) = rollout.start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: before)
    #expect(applied(actions).isEmpty)
    let transition = utc("2025-03-30T01:00:00Z")
    #expect(rollout.nextWakeup(state) == transition)
    (state, actions) = rollout.reduce(state, .tick(transition.addingTimeInterval(-1)))
    #expect(applied(actions).isEmpty)
    (state, actions) = rollout.reduce(state, .tick(transition))
    #expect(applied(actions) == ["paris"])
  }

  @Test func anUrgentRevisionIgnoresWindows() {
    let closed = window([.monday], 3, hours: 1)
    let sites = [
      store("a", zone: "Asia/Tokyo", [closed]), store("b", zone: "Europe/Paris", [closed]),
    ]
    let noon = utc("2025-06-10T12:00:00Z")
    let (_, waiting) = engine(sites, payloads: [:], budget: nil).start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: noon)
    #expect(applied(waiting).isEmpty)
    let (_, urgent) = engine(sites, payloads: [:], budget: nil, urgent: true).start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: noon)
    #expect(applied(urgent) == ["a", "b"])
  }

  @Test func aRevisionMarkedUrgentWhileItsSitesWaitGoesToThemThen() {
    let closed = window([.monday], 3, hours: 1)
    let sites = [store("a", zone: "Asia/Tokyo", [closed]), store("b")]
    let noon = utc("2025-06-10T12:00:00Z")
    let rollout = engine(sites, payloads: [:], budget: nil)
    var (state, actions) = rollout.start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: noon)
    #expect(applied(actions) == ["b"])
    #expect(state.waves[0].sites.first { $0.name == "a" }?.windowOpensAt != nil)
    #expect(rollout.nextWakeup(state) != nil)
    let marked = noon.addingTimeInterval(600)
    actions = rollout.reduce(&state, .markedUrgent(at: marked))
    #expect(applied(actions) == ["a"])
    #expect(state.urgentSince == marked)
    #expect(state.waves[0].sites.allSatisfy { $0.windowOpensAt == nil })
    // Marked once: a second mark changes nothing.
    #expect(rollout.reduce(&state, .markedUrgent(at: marked.addingTimeInterval(60))).isEmpty)
    #expect(state.urgentSince == marked)
  }

  @Test func aFailedWaveRollsBackAtOnceWhateverTheWindows() {
    // The site is applied inside its window, fails after it closed: the rollback is not held.
    let sites = [store("a", [window(MaintenanceWindow.Day.allCases, 1, hours: 1)])]
    let rollout = engine(sites, payloads: [:], budget: nil)
    let inside = utc("2025-06-10T01:30:00Z")
    var (state, actions) = rollout.start(
      revision: "r2", lastGoodRevision: "r1", sites: sites, at: inside)
    #expect(applied(actions) == ["a"])
    (state, actions) = rollout.reduce(
      state,
      .applyFailed(site: "a", reason: "refused", at: utc("2025-06-10T03:00:00Z")))
    #expect(rolledBackSites(actions) == ["a"])
  }
}
