import Foundation
import Model
import Rollout
import Testing

/// Drives an engine and checks the concurrency limit after every step.
private struct Harness {
  let engine: RolloutEngine
  var state: RolloutState
  var log: [RolloutAction]
  var last: [RolloutAction]

  init(
    _ policy: RolloutPolicy, _ sites: [Site], revision: String = "new", lastGood: String? = "old",
    at: Date = t(0)
  ) {
    engine = RolloutEngine(policy: policy)
    (state, last) = engine.start(
      revision: revision, lastGoodRevision: lastGood, sites: sites, at: at)
    log = last
    checkConcurrency()
  }

  @discardableResult
  mutating func send(_ event: RolloutEvent) -> [RolloutAction] {
    (state, last) = engine.reduce(state, event)
    log += last
    checkConcurrency()
    return last
  }

  /// Applies and makes healthy every site whose `.apply` is outstanding, until none is.
  mutating func healAll(at: Date) {
    while true {
      let busy = state.waves.flatMap(\.sites).filter {
        if case .applying = $0.phase { true } else { false }
      }
      guard let site = busy.first else { return }
      send(.applied(site: site.name, at: at))
      send(.health(site: site.name, status: .current, at: at))
    }
  }

  func checkConcurrency() {
    for (index, wave) in state.waves.enumerated() {
      let slots = max(1, engine.policy.waves[index].maxConcurrent.resolved(total: wave.sites.count))
      #expect(wave.sites.count(where: \.phase.isInFlight) <= slots)
    }
  }
}

@Suite("Rollout engine")
struct RolloutEngineTests {
  @Test func goodRevisionGoesThroughThreeWavesInOrder() {
    let fleet = sites("canary", 1) + sites("early", 4) + sites("rest", 6)
    var h = Harness(
      policy(wave("canary"), wave("early", max: .count(2)), wave("rest", max: .percent(50))),
      fleet.reversed().sorted { $0.name < $1.name })
    #expect(applied(h.last) == ["canary-1"])
    #expect(h.state.phase == .running(wave: 0))
    h.send(.applied(site: "canary-1", at: t(5)))
    #expect(h.last == [.checkHealth(site: "canary-1")])
    #expect(h.state.phase(of: "canary-1") == .verifying(since: t(5)))
    h.send(.health(site: "canary-1", status: .inProgress, at: t(6)))
    #expect(h.last.isEmpty)
    h.send(.health(site: "canary-1", status: .current, at: t(7)))
    #expect(h.state.phase == .running(wave: 1))
    #expect(applied(h.last) == ["early-1", "early-2"])
    h.send(.applied(site: "early-2", at: t(8)))
    h.send(.health(site: "early-2", status: .current, at: t(9)))
    #expect(applied(h.last) == ["early-3"])
    h.healAll(at: t(10))
    #expect(h.state.phase == .succeeded)
    #expect(h.state.lastGoodRevision == "new")
    #expect(
      applied(h.log) == [
        "canary-1", "early-1", "early-2", "early-3", "early-4", "rest-1", "rest-2", "rest-3",
        "rest-4", "rest-5", "rest-6",
      ])
    #expect(h.log.allSatisfy { if case .apply(_, let r) = $0 { r == "new" } else { true } })
    // Finished: nothing changes.
    let done = h.state
    #expect(h.send(.tick(t(1000))).isEmpty)
    #expect(h.send(.newRevision("newer", at: t(1001))).isEmpty)
    #expect(h.state == done)
  }

  @Test func soakHoldsTheNextWaveUntilItEnds() {
    var h = Harness(
      policy(wave("canary", soak: 300), wave("rest")), sites("canary", 1) + sites("rest", 1))
    h.send(.applied(site: "canary-1", at: t(5)))
    h.send(.health(site: "canary-1", status: .current, at: t(10)))
    #expect(h.state.phase == .soaking(wave: 0, until: t(310)))
    #expect(h.last.isEmpty)
    #expect(applied(h.send(.tick(t(309)))).isEmpty)
    #expect(applied(h.send(.pause)).isEmpty)
    #expect(applied(h.send(.resume(at: t(309.5)))).isEmpty)
    #expect(applied(h.send(.tick(t(310)))) == ["rest-1"])
    #expect(h.state.phase == .running(wave: 1))
  }

  @Test func manualGateWaitsForItsOwnPromotion() {
    var h = Harness(
      policy(wave("canary"), wave("stores", gate: true)), sites("canary", 1) + sites("stores", 2))
    h.healAll(at: t(1))
    #expect(h.state.phase == .waitingForPromotion(wave: 1))
    #expect(h.send(.tick(t(5000))).isEmpty)
    #expect(h.send(.promote(wave: "canary")).isEmpty)
    #expect(h.send(.promote(wave: "elsewhere")).isEmpty)
    #expect(h.state.phase == .waitingForPromotion(wave: 1))
    #expect(h.send(.promote(wave: "stores")) == [.apply(site: "stores-1", revision: "new")])
    // Its timestamp is the latest instant seen.
    #expect(h.state.phase(of: "stores-1") == .applying(since: t(5000)))
    h.healAll(at: t(5001))
    #expect(h.state.phase == .succeeded)
  }

  @Test func aFirstWaveWithAGateWaitsFromTheStart() {
    let h = Harness(policy(wave("canary", gate: true)), sites("canary", 1))
    #expect(h.state.phase == .waitingForPromotion(wave: 0))
    #expect(h.log.isEmpty)
  }

  @Test func failingCanaryRollsBackExactlyTheSitesThatReceivedTheRevision() {
    var h = Harness(
      policy(wave("canary", max: .count(2)), wave("rest", max: .count(10))),
      sites("canary", 4) + sites("rest", 3))
    #expect(applied(h.last) == ["canary-1", "canary-2"])
    h.send(.applied(site: "canary-1", at: t(1)))
    h.send(.health(site: "canary-1", status: .current, at: t(2)))
    #expect(applied(h.last) == ["canary-3"])
    h.send(.applied(site: "canary-2", at: t(3)))
    let actions = h.send(.health(site: "canary-2", status: .failed, at: t(4)))
    #expect(h.state.phase == .rollingBack(wave: 0))
    #expect(
      actions
        == ["canary-1", "canary-2", "canary-3"].map { .rollback(site: $0, toRevision: "old") })
    #expect(h.state.phase(of: "canary-4") == .pending)
    // In-flight events no longer matter; rollbacks complete one by one.
    #expect(h.send(.applied(site: "canary-3", at: t(5))).isEmpty)
    #expect(h.send(.tick(t(6))).isEmpty)
    h.send(.rolledBack(site: "canary-1", at: t(7)))
    h.send(.rolledBack(site: "canary-4", at: t(7)))  // never received it: ignored
    h.send(.rolledBack(site: "canary-2", at: t(8)))
    #expect(h.state.phase == .rollingBack(wave: 0))
    #expect(h.send(.newRevision("newer", at: t(8))).isEmpty)
    #expect(h.state.phase == .rollingBack(wave: 0))
    h.send(.rolledBack(site: "canary-3", at: t(9)))
    guard case .rolledBack(let reason) = h.state.phase else {
      Issue.record("expected rolledBack, found \(h.state.phase)")
      return
    }
    #expect(reason.contains("canary-2: health check reported Failed"))
    #expect(h.state.phase(of: "canary-3") == .rolledBack)
    #expect(h.state.phase(of: "canary-4") == .pending)
    #expect(h.state.lastGoodRevision == "old")
    #expect(!applied(h.log).contains { $0.hasPrefix("rest") })
    #expect(h.state.waves[1].sites.allSatisfy { $0.phase == .pending })
  }

  @Test func thresholdAsACount() {
    var h = Harness(
      policy(wave("w", max: .count(4), threshold: .count(2)), wave("next")),
      sites("w", 4) + sites("next", 1))
    h.send(.applyFailed(site: "w-1", reason: "admission webhook denied", at: t(1)))
    #expect(h.state.phase == .running(wave: 0))
    h.send(.applied(site: "w-2", at: t(2)))
    h.send(.health(site: "w-2", status: .failed, at: t(3)))
    #expect(h.state.phase == .rollingBack(wave: 0))
    #expect(Set(rolledBackSites(h.last)) == ["w-1", "w-2", "w-3", "w-4"])
  }

  @Test func failuresBelowTheThresholdAreTolerated() {
    var h = Harness(
      policy(wave("w", max: .count(4), threshold: .count(2)), wave("next")),
      sites("w", 4) + sites("next", 1))
    h.send(.applyFailed(site: "w-1", reason: "boom", at: t(1)))
    h.healAll(at: t(2))
    #expect(h.state.phase == .succeeded)
    #expect(h.state.phase(of: "w-1") == .failed(reason: "boom"))
  }

  @Test func thresholdAsAPercentRoundsUp() {
    // 25% of 10 sites is 3 sites.
    var h = Harness(policy(wave("w", max: .count(10), threshold: .percent(25))), sites("w", 10))
    h.send(.applyFailed(site: "w-1", reason: "x", at: t(1)))
    h.send(.applyFailed(site: "w-2", reason: "x", at: t(1)))
    #expect(h.state.phase == .running(wave: 0))
    h.send(.applyFailed(site: "w-3", reason: "x", at: t(1)))
    #expect(h.state.phase == .rollingBack(wave: 0))
  }

  @Test func thresholdOfZeroStopsAtTheFirstFailure() {
    var h = Harness(policy(wave("w", max: .count(3), threshold: .count(0))), sites("w", 3))
    h.send(.applyFailed(site: "w-2", reason: "x", at: t(1)))
    #expect(h.state.phase == .rollingBack(wave: 0))
  }

  @Test func healthTimeoutFailsSlowSites() {
    var h = Harness(policy(wave("w", max: .count(2), timeout: 100)), sites("w", 2))
    h.send(.applied(site: "w-1", at: t(10)))
    #expect(h.send(.tick(t(99))) == [.checkHealth(site: "w-1")])
    #expect(h.state.phase == .running(wave: 0))
    h.send(.tick(t(100)))
    #expect(h.state.phase == .rollingBack(wave: 0))
    #expect(h.state.failureReason?.contains("health timeout of 100s") == true)
    #expect(Set(rolledBackSites(h.last)) == ["w-1", "w-2"])
  }

  @Test func backoffDoublesUpToAMinute() {
    #expect((1...6).map { RolloutEngine.backoff(attempts: $0) } == [10, 20, 40, 60, 60, 60])
  }

  /// Unreachable at every attempt: retries at +10, +20, +40, +60, +60 s after each failure,
  /// until the health timeout (300 s) since the first attempt.
  private func unreachableForever(_ mode: RolloutPolicy.UnreachableSites) -> Harness {
    var h = Harness(
      policy(wave("w", max: .count(1), threshold: .count(1), timeout: 300), unreachable: mode),
      sites("w", 2))
    var now = 0.0
    var retries: [Double] = []
    for _ in 0..<7 {
      h.send(.unreachable(site: "w-1", at: t(now)))
      let wait = RolloutEngine.backoff(attempts: h.state.waves[0].sites[0].attempts)
      if now + wait >= 300 { break }
      #expect(applied(h.send(.tick(t(now + wait - 1)))).isEmpty)
      #expect(applied(h.send(.tick(t(now + wait)))) == ["w-1"])
      now += wait
      retries.append(now)
    }
    #expect(retries == [10, 30, 70, 130, 190, 250])
    #expect(h.state.phase(of: "w-1") == .unreachable(attempts: 7, since: t(0)))
    #expect(applied(h.send(.tick(t(299)))).isEmpty)
    h.send(.tick(t(300)))
    return h
  }

  @Test func unreachableCountsAsFailed() {
    let h = unreachableForever(.countAsFailed)
    #expect(h.state.phase == .rollingBack(wave: 0))
    #expect(h.last == [.rollback(site: "w-1", toRevision: "old")])
  }

  @Test func unreachableIsSkipped() {
    var h = unreachableForever(.skip)
    #expect(h.state.phase == .running(wave: 0))
    #expect(h.state.phase(of: "w-1") == .skipped(reason: "unreachable after 7 attempts in 300s"))
    #expect(applied(h.last) == ["w-2"])
    h.healAll(at: t(301))
    #expect(h.state.phase == .succeeded)
  }

  @Test func unreachableSiteThatComesBackProceeds() {
    var h = Harness(policy(wave("w")), sites("w", 1))
    h.send(.unreachable(site: "w-1", at: t(0)))
    h.send(.tick(t(10)))
    h.send(.applied(site: "w-1", at: t(11)))
    h.send(.health(site: "w-1", status: .current, at: t(12)))
    #expect(h.state.phase == .succeeded)
  }

  @Test func pauseHoldsNewAppliesAndResumeReleasesThem() {
    var h = Harness(policy(wave("w"), wave("v")), sites("w", 3) + sites("v", 1))
    h.send(.pause)
    #expect(h.state.paused)
    // The in-flight site still progresses.
    h.send(.applied(site: "w-1", at: t(1)))
    #expect(h.last == [.checkHealth(site: "w-1")])
    #expect(h.send(.health(site: "w-1", status: .current, at: t(2))).isEmpty)
    #expect(h.state.phase(of: "w-1") == .healthy(at: t(2)))
    #expect(h.send(.tick(t(3))).isEmpty)
    #expect(h.send(.resume(at: t(4))) == [.apply(site: "w-2", revision: "new")])
    #expect(h.state.phase(of: "w-2") == .applying(since: t(4)))
    // Retries of unreachable sites wait too.
    h.send(.unreachable(site: "w-2", at: t(5)))
    h.send(.pause)
    #expect(applied(h.send(.tick(t(100)))).isEmpty)
    #expect(applied(h.send(.resume(at: t(101)))) == ["w-2"])
  }

  @Test func newRevisionSupersedes() {
    var h = Harness(policy(wave("w", max: .count(2))), sites("w", 3))
    h.send(.applied(site: "w-1", at: t(1)))
    #expect(h.send(.newRevision("newer", at: t(2))).isEmpty)
    #expect(h.state.phase == .superseded(by: "newer"))
    let done = h.state
    #expect(h.send(.health(site: "w-1", status: .current, at: t(3))).isEmpty)
    #expect(h.send(.resume(at: t(4))).isEmpty)
    #expect(h.state == done)
  }

  @Test func newRevisionSupersedesSoakingAndWaiting() {
    var soaking = Harness(policy(wave("w", soak: 60), wave("v")), sites("w", 1) + sites("v", 1))
    soaking.healAll(at: t(1))
    soaking.send(.newRevision("x", at: t(2)))
    #expect(soaking.state.phase == .superseded(by: "x"))
    var waiting = Harness(policy(wave("w"), wave("v", gate: true)), sites("w", 1) + sites("v", 1))
    waiting.healAll(at: t(1))
    waiting.send(.pause)
    waiting.send(.newRevision("y", at: t(2)))
    #expect(waiting.state.phase == .superseded(by: "y"))
    #expect(waiting.send(.promote(wave: "v")).isEmpty)
  }

  @Test func firstRolloutHasNothingToRollBackTo() {
    var h = Harness(policy(wave("w"), wave("v")), sites("w", 2) + sites("v", 1), lastGood: nil)
    let actions = h.send(.applyFailed(site: "w-1", reason: "bad manifest", at: t(1)))
    #expect(actions.isEmpty)
    guard case .rolledBack(let reason) = h.state.phase else {
      Issue.record("expected rolledBack, found \(h.state.phase)")
      return
    }
    #expect(reason.contains("no last good revision"))
    #expect(reason.contains("bad manifest"))
    #expect(h.state.lastGoodRevision == nil)
  }

  @Test func unknownAndOutOfWaveSitesAreIgnored() {
    var h = Harness(
      policy(wave("w"), wave("v")),
      sites("w", 2) + sites("v", 1) + [Site(name: "stray", labels: ["wave": "none"])])
    #expect(h.state.unassignedSites == ["stray"])
    let before = h.state
    for event: RolloutEvent in [
      .applied(site: "ghost", at: t(0)), .applied(site: "v-1", at: t(0)),
      .health(site: "stray", status: .current, at: t(0)), .rolledBack(site: "w-1", at: t(0)),
      .applyFailed(site: "v-1", reason: "x", at: t(0)), .unreachable(site: "ghost", at: t(0)),
      .health(site: "w-2", status: .current, at: t(0)), .promote(wave: "v"),
    ] {
      #expect(h.send(event).isEmpty)
    }
    #expect(h.state == before)
    h.healAll(at: t(1))
    #expect(h.state.phase == .succeeded)
    #expect(!h.log.contains { "\($0)".contains("stray") })
  }

  @Test func emptyWavesCompleteAtOnce() {
    var h = Harness(
      policy(wave("empty", soak: 100, gate: true), wave("w"), wave("none", gate: true)),
      sites("w", 1))
    #expect(h.state.phase == .running(wave: 1))
    #expect(applied(h.last) == ["w-1"])
    h.healAll(at: t(1))
    #expect(h.state.phase == .succeeded)
    let nothing = Harness(policy(wave("w")), [])
    #expect(nothing.state.phase == .succeeded)
    #expect(nothing.state.lastGoodRevision == "new")
  }

  @Test func midRolloutStateRoundTripsThroughJSON() throws {
    var h = Harness(
      policy(wave("w", max: .count(5), threshold: .count(5)), wave("v")),
      sites("w", 6) + sites("v", 1) + [Site(name: "stray", labels: [:])])
    h.send(.applied(site: "w-1", at: t(1)))
    h.send(.applied(site: "w-2", at: t(1)))
    h.send(.health(site: "w-2", status: .current, at: t(2)))
    h.send(.applyFailed(site: "w-3", reason: "quota \"exceeded\"", at: t(3)))
    h.send(.unreachable(site: "w-4", at: t(4)))
    h.send(.pause)
    let data = try JSONEncoder().encode(h.state)
    let decoded = try JSONDecoder().decode(RolloutState.self, from: data)
    #expect(decoded == h.state)
    #expect(decoded.paused)
    #expect(decoded.unassignedSites == ["stray"])
    // The decoded state continues exactly like the original.
    let events: [RolloutEvent] = [
      .resume(at: t(20)), .health(site: "w-1", status: .current, at: t(21)), .tick(t(30)),
    ]
    var a = h.state
    var b = decoded
    for event in events {
      let (na, actionsA) = h.engine.reduce(a, event)
      let (nb, actionsB) = h.engine.reduce(b, event)
      #expect(na == nb)
      #expect(actionsA == actionsB)
      (a, b) = (na, nb)
    }
    let soaking = RolloutState.Phase.soaking(wave: 2, until: t(9))
    let phaseData = try JSONEncoder().encode(soaking)
    #expect(try JSONDecoder().decode(RolloutState.Phase.self, from: phaseData) == soaking)
  }
}
