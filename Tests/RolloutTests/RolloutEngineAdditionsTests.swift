import Foundation
import Model
import Rollout
import Testing

@Suite("Rollout engine: rollback failures, paused starts, health details")
struct RolloutEngineAdditionsTests {
  /// w-1 and w-2 applied, w-1 Failed: the wave of two rolls back; `v` never starts.
  private func rollingBack() -> (RolloutEngine, RolloutState) {
    let engine = RolloutEngine(policy: policy(wave("w", max: .count(2)), wave("v")))
    var (state, _) = engine.start(
      revision: "new", lastGoodRevision: "old", sites: sites("w", 2) + sites("v", 1), at: t(0))
    var actions: [RolloutAction]
    (state, _) = engine.reduce(state, .applied(site: "w-1", at: t(1)))
    (state, _) = engine.reduce(state, .applied(site: "w-2", at: t(1)))
    (state, actions) = engine.reduce(state, .health(site: "w-1", status: .failed, at: t(2)))
    #expect(state.phase == .rollingBack(wave: 0))
    #expect(
      Set(actions) == [
        .rollback(site: "w-1", toRevision: "old"), .rollback(site: "w-2", toRevision: "old"),
      ])
    return (engine, state)
  }

  @Test func rollbackFailedFailsTheSiteAndTheReasonNamesIt() {
    let (engine, start) = rollingBack()
    var (state, actions) = engine.reduce(
      start, .rollbackFailed(site: "w-2", reason: "connection refused (after 5 attempts)", at: t(3))
    )
    #expect(actions.isEmpty)
    #expect(
      state.phase(of: "w-2")
        == .failed(reason: "rollback failed: connection refused (after 5 attempts)"))
    // Still waiting for w-1.
    #expect(state.phase == .rollingBack(wave: 0))
    (state, actions) = engine.reduce(state, .rolledBack(site: "w-1", at: t(4)))
    #expect(actions.isEmpty)
    #expect(state.phase(of: "w-1") == .rolledBack)
    guard case .rolledBack(let reason) = state.phase else {
      Issue.record("expected rolledBack, found \(state.phase)")
      return
    }
    #expect(reason.hasPrefix("wave \"w\" failed (1 of 2 sites): w-1: health check reported Failed"))
    #expect(reason.hasSuffix("; rollback failed on w-2"))
    #expect(state.lastGoodRevision == "old")
    #expect(state.waves[1].sites.allSatisfy { $0.phase == .pending })
  }

  @Test func everyRollbackFailureIsNamedInOrder() {
    let (engine, start) = rollingBack()
    var (state, _) = engine.reduce(start, .rollbackFailed(site: "w-2", reason: "x", at: t(3)))
    (state, _) = engine.reduce(state, .rollbackFailed(site: "w-1", reason: "y", at: t(3)))
    guard case .rolledBack(let reason) = state.phase else {
      Issue.record("expected rolledBack, found \(state.phase)")
      return
    }
    #expect(reason.hasSuffix("; rollback failed on w-1, w-2"))
    #expect(state.phase(of: "w-1") == .failed(reason: "rollback failed: y"))
  }

  @Test func rolledBackWithoutFailuresNamesNone() {
    let (engine, start) = rollingBack()
    var (state, _) = engine.reduce(start, .rolledBack(site: "w-2", at: t(3)))
    (state, _) = engine.reduce(state, .rolledBack(site: "w-1", at: t(3)))
    guard case .rolledBack(let reason) = state.phase else {
      Issue.record("expected rolledBack, found \(state.phase)")
      return
    }
    #expect(!reason.contains("rollback failed"))
  }

  @Test func rollbackFailedIsIgnoredOutsideARollback() {
    let (engine, start) = rollingBack()
    // A site that already rolled back, a site of another wave, an unknown site.
    let (done, _) = engine.reduce(start, .rolledBack(site: "w-2", at: t(3)))
    for event: RolloutEvent in [
      .rollbackFailed(site: "w-2", reason: "late", at: t(4)),
      .rollbackFailed(site: "v-1", reason: "x", at: t(4)),
      .rollbackFailed(site: "ghost", reason: "x", at: t(4)),
    ] {
      let (after, actions) = engine.reduce(done, event)
      #expect(actions.isEmpty)
      var expected = done
      expected.clock = t(4)
      #expect(after == expected, "\(event)")
    }
    // While running, a rollback failure for a site in flight changes nothing.
    let running = RolloutEngine(policy: policy(wave("w")))
    var (state, _) = running.start(
      revision: "new", lastGoodRevision: "old", sites: sites("w", 1), at: t(0))
    (state, _) = running.reduce(state, .applied(site: "w-1", at: t(1)))
    let (after, actions) = running.reduce(
      state, .rollbackFailed(site: "w-1", reason: "x", at: t(1)))
    #expect(after == state && actions.isEmpty)
  }

  @Test func startedPausedEmitsNothingUntilResumed() {
    let engine = RolloutEngine(
      policy: policy(wave("w", max: .count(2), timeout: 100), wave("v")))
    var (state, actions) = engine.start(
      revision: "new", lastGoodRevision: "old", sites: sites("w", 3) + sites("v", 1), at: t(0),
      paused: true)
    #expect(actions.isEmpty)
    #expect(state.paused)
    #expect(state.phase == .running(wave: 0))
    #expect(state.waves.flatMap(\.sites).allSatisfy { $0.phase == .pending })
    for event: RolloutEvent in [.tick(t(50)), .promote(wave: "v"), .pause, .tick(t(500))] {
      (state, actions) = engine.reduce(state, event)
      #expect(actions.isEmpty, "\(event)")
    }
    // Nothing timed out while it waited: the timeout runs from the first apply.
    #expect(state.waves.flatMap(\.sites).allSatisfy { $0.phase == .pending })
    (state, actions) = engine.reduce(state, .resume(at: t(600)))
    #expect(!state.paused)
    #expect(
      actions == [.apply(site: "w-1", revision: "new"), .apply(site: "w-2", revision: "new")])
    #expect(state.phase(of: "w-1") == .applying(since: t(600)))
    #expect(state.waves[0].sites[0].firstAttemptAt == t(600))
    (state, actions) = engine.reduce(state, .tick(t(650)))
    #expect(state.phase == .running(wave: 0))
  }

  @Test func startedPausedBehindAGateNeedsBothPromotionAndResume() {
    let engine = RolloutEngine(policy: policy(wave("w", gate: true)))
    var (state, actions) = engine.start(
      revision: "new", lastGoodRevision: "old", sites: sites("w", 1), at: t(0), paused: true)
    #expect(state.phase == .waitingForPromotion(wave: 0) && actions.isEmpty)
    (state, actions) = engine.reduce(state, .promote(wave: "w"))
    #expect(state.phase == .running(wave: 0) && actions.isEmpty)
    (state, actions) = engine.reduce(state, .resume(at: t(10)))
    #expect(actions == [.apply(site: "w-1", revision: "new")])
  }

  @Test func startedPausedCanBeSuperseded() {
    let engine = RolloutEngine(policy: policy(wave("w")))
    let (state, _) = engine.start(
      revision: "new", lastGoodRevision: "old", sites: sites("w", 1), at: t(0), paused: true)
    let (after, actions) = engine.reduce(state, .newRevision("newer", at: t(1)))
    #expect(after.phase == .superseded(by: "newer") && actions.isEmpty)
  }

  @Test func notPausedByDefault() {
    let engine = RolloutEngine(policy: policy(wave("w")))
    let (state, actions) = engine.start(
      revision: "new", lastGoodRevision: "old", sites: sites("w", 1), at: t(0))
    #expect(!state.paused)
    #expect(applied(actions) == ["w-1"])
  }

  @Test func healthDetailBecomesTheFailureReason() {
    let engine = RolloutEngine(policy: policy(wave("w"), wave("v")))
    var (state, _) = engine.start(
      revision: "new", lastGoodRevision: "old", sites: sites("w", 1) + sites("v", 1), at: t(0))
    (state, _) = engine.reduce(state, .applied(site: "w-1", at: t(1)))
    let detail = "Failed (CrashLoopBackOff): back-off 40s restarting failed container"
    let actions: [RolloutAction]
    (state, actions) = engine.reduce(
      state, .health(site: "w-1", status: .failed, at: t(2), detail: detail))
    #expect(state.phase(of: "w-1") == .rollingBack)
    #expect(actions == [.rollback(site: "w-1", toRevision: "old")])
    #expect(state.failureReason == "wave \"w\" failed (1 of 1 sites): w-1: " + detail)
    (state, _) = engine.reduce(state, .rolledBack(site: "w-1", at: t(3)))
    #expect(state.phase == .rolledBack(reason: "wave \"w\" failed (1 of 1 sites): w-1: " + detail))
  }

  @Test func healthDetailOfATolerableFailureIsKeptOnTheSite() {
    let engine = RolloutEngine(policy: policy(wave("w", max: .count(2), threshold: .count(2))))
    var (state, _) = engine.start(
      revision: "new", lastGoodRevision: "old", sites: sites("w", 2), at: t(0))
    (state, _) = engine.reduce(state, .applied(site: "w-1", at: t(1)))
    (state, _) = engine.reduce(
      state, .health(site: "w-1", status: .failed, at: t(2), detail: "Failed (Evicted): disk"))
    #expect(state.phase(of: "w-1") == .failed(reason: "Failed (Evicted): disk"))
    // Details of other statuses change nothing.
    (state, _) = engine.reduce(state, .applied(site: "w-2", at: t(3)))
    (state, _) = engine.reduce(
      state, .health(site: "w-2", status: .inProgress, at: t(4), detail: "InProgress (x): y"))
    #expect(state.phase(of: "w-2") == .verifying(since: t(3)))
    (state, _) = engine.reduce(
      state, .health(site: "w-2", status: .current, at: t(5), detail: "Current (Ready): ok"))
    #expect(state.phase == .succeeded)
    #expect(state.phase(of: "w-2") == .healthy(at: t(5)))
  }

  @Test func healthTimeoutQuotesTheLastHealthDetail() {
    let engine = RolloutEngine(policy: policy(wave("w", timeout: 100)))
    var (state, _) = engine.start(
      revision: "new", lastGoodRevision: "old", sites: sites("w", 1), at: t(0))
    (state, _) = engine.reduce(state, .applied(site: "w-1", at: t(1)))
    (state, _) = engine.reduce(
      state, .health(site: "w-1", status: .inProgress, at: t(2), detail: "1 of 3 updated"))
    (state, _) = engine.reduce(
      state, .health(site: "w-1", status: .unknown, at: t(3), detail: "2 of 3 updated"))
    #expect(state.waves[0].sites[0].lastHealth == "2 of 3 updated")
    (state, _) = engine.reduce(state, .tick(t(100)))
    #expect(
      state.failureReason
        == "wave \"w\" failed (1 of 1 sites): w-1: not healthy within the health timeout of 100s"
        + " (last: 2 of 3 updated)")
  }

  @Test func emptyHealthDetailKeepsTheGenericReason() {
    let engine = RolloutEngine(policy: policy(wave("w")))
    var (state, _) = engine.start(
      revision: "new", lastGoodRevision: nil, sites: sites("w", 1), at: t(0))
    (state, _) = engine.reduce(state, .applied(site: "w-1", at: t(1)))
    (state, _) = engine.reduce(state, .health(site: "w-1", status: .failed, at: t(2), detail: ""))
    #expect(state.phase(of: "w-1") == .failed(reason: "health check reported Failed"))
  }
}
