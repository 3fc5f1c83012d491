import Foundation
import Model
import Rollout
import Testing

private func engine(_ unreachable: RolloutPolicy.UnreachableSites) -> RolloutEngine {
  RolloutEngine(
    policy: policy(
      wave("w", max: .count(2), threshold: .count(2), timeout: 60), unreachable: unreachable))
}

/// w-1 is applied and verifying; w-2's apply never answers.
private func hanging(_ engine: RolloutEngine) -> RolloutState {
  var (state, _) = engine.start(
    revision: "new", lastGoodRevision: "old", sites: sites("w", 2), at: t(0))
  (state, _) = engine.reduce(state, .applied(site: "w-1", at: t(1)))
  (state, _) = engine.reduce(
    state, .health(site: "w-1", status: .inProgress, at: t(2), detail: "1 of 2 replicas ready"))
  return state
}

@Suite("Rollout engine: the health timeout")
struct HealthTimeoutTests {
  @Test func anUnansweredApplyIsSkippedUnderTheSkipPolicy() {
    let engine = engine(.skip)
    let (state, _) = engine.reduce(hanging(engine), .tick(t(60)))
    #expect(
      state.phase(of: "w-2")
        == .skipped(reason: "unreachable: the apply got no answer within the health timeout of 60s")
    )
    // The site that answered but never became healthy fails, quoting its last health.
    #expect(
      state.phase(of: "w-1")
        == .failed(
          reason: "not healthy within the health timeout of 60s (last: 1 of 2 replicas ready)"))
  }

  @Test func anUnansweredApplyFailsUnderCountAsFailed() {
    let engine = engine(.countAsFailed)
    let (state, actions) = engine.reduce(hanging(engine), .tick(t(60)))
    #expect(
      state.failureReason?.contains(
        "w-2: unreachable: the apply got no answer within the health timeout of 60s") == true)
    // Two failures reach the threshold of two: the wave rolls back both sites.
    #expect(state.phase == .rollingBack(wave: 0))
    #expect(
      Set(actions) == [
        .rollback(site: "w-1", toRevision: "old"), .rollback(site: "w-2", toRevision: "old"),
      ])
  }

  @Test func beforeTheDeadlineATickOnlyChecksHealth() {
    let engine = engine(.skip)
    let start = hanging(engine)
    let (state, actions) = engine.reduce(start, .tick(t(59)))
    #expect(state.waves == start.waves)
    #expect(actions == [.checkHealth(site: "w-1")])
  }
}
