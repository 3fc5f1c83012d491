import Foundation
import Model
import Rollout
import Testing

@Suite("Rollout engine: a soaking wave stays watched")
struct SoakWatchTests {
  /// Wave `w` (two sites, both healthy at t=2) soaks for 60 s; wave `v` waits behind it.
  private func soaking(threshold: SiteCount = .count(1)) -> (RolloutEngine, RolloutState) {
    let engine = RolloutEngine(
      policy: RolloutPolicy(
        uplinkBudget: nil, unreachableSites: .countAsFailed,
        waves: [
          wave("w", max: .count(2), threshold: threshold, soak: 60), wave("v", max: .count(2)),
        ]))
    var (state, _) = engine.start(
      revision: "new", lastGoodRevision: "old", sites: sites("w", 2) + sites("v", 1), at: t(0))
    for site in ["w-1", "w-2"] {
      (state, _) = engine.reduce(state, .applied(site: site, at: t(1)))
      (state, _) = engine.reduce(state, .health(site: site, status: .current, at: t(2)))
    }
    #expect(state.phase == .soaking(wave: 0, until: t(62)))
    return (engine, state)
  }

  @Test func everyTickWhileSoakingChecksTheHealthySitesAgain() {
    let (engine, state) = soaking()
    let (after, actions) = engine.reduce(state, .tick(t(10)))
    #expect(Set(actions) == [.checkHealth(site: "w-1"), .checkHealth(site: "w-2")])
    #expect(after.phase == .soaking(wave: 0, until: t(62)))
  }

  @Test func aSiteFailingWhileSoakingRollsTheWaveBack() {
    let (engine, start) = soaking()
    var (state, actions) = engine.reduce(
      start, .health(site: "w-2", status: .failed, at: t(30), detail: "CrashLoopBackOff"))
    #expect(state.phase == .rollingBack(wave: 0))
    #expect(
      Set(actions) == [
        .rollback(site: "w-1", toRevision: "old"), .rollback(site: "w-2", toRevision: "old"),
      ])
    #expect(state.failureReason?.contains("w-2: failed while soaking: CrashLoopBackOff") == true)
    (state, _) = engine.reduce(state, .rolledBack(site: "w-1", at: t(31)))
    (state, actions) = engine.reduce(state, .rolledBack(site: "w-2", at: t(31)))
    guard case .rolledBack = state.phase else {
      Issue.record("expected rolledBack, found \(state.phase)")
      return
    }
    // The next wave never started.
    #expect(state.phase(of: "v-1") == .pending)
    #expect(actions.isEmpty)
  }

  @Test func aFailureBelowTheThresholdIsToleratedAndTheSoakEnds() {
    let (engine, start) = soaking(threshold: .count(2))
    var (state, actions) = engine.reduce(
      start, .health(site: "w-1", status: .failed, at: t(30), detail: "evicted"))
    #expect(state.phase == .soaking(wave: 0, until: t(62)))
    #expect(state.phase(of: "w-1") == .failed(reason: "failed while soaking: evicted"))
    #expect(actions.isEmpty)
    (state, actions) = engine.reduce(state, .tick(t(62)))
    #expect(state.phase == .running(wave: 1))
    #expect(actions == [.apply(site: "v-1", revision: "new")])
  }

  @Test func inProgressOrUnreachableWhileSoakingChangesNothing() {
    let (engine, start) = soaking()
    for event: RolloutEvent in [
      .health(site: "w-1", status: .inProgress, at: t(20)),
      .health(site: "w-1", status: .unknown, at: t(21)),
      .unreachable(site: "w-2", at: t(22)),
    ] {
      let (state, actions) = engine.reduce(start, event)
      #expect(state.waves == start.waves)
      #expect(state.phase == start.phase)
      #expect(actions.isEmpty)
    }
  }
}
