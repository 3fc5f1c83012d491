// The rollout state machine, as a pure reducer.
//
// `RolloutEngine.start` turns a revision, the fleet's sites and its `RolloutPolicy` into a
// `RolloutState` and the first actions; `reduce` takes a state and one event and returns the
// next state and the actions the caller must perform (apply a revision to a site, roll a site
// back, check a site's health). The engine does no I/O and reads no clock: time comes only from
// the events, and the latest instant seen is kept in `RolloutState.clock` for actions caused by
// events without one (`promote`, `pause`).
//
// Waves. The waves are `policy.assign(sites)`, in policy order; sites no wave selects are kept
// in `unassignedSites` and never touched. A wave without sites is passed over at once (no soak,
// no manual gate).
//
// Sites. In a running wave, up to `maxConcurrent` sites (resolved against the wave's size, at
// least 1) are in flight at a time — applying, verifying, or unreachable and waiting to be
// retried — and pending sites start in wave order. A site goes pending → applying (`.apply` is
// emitted) → verifying on `.applied` (`.checkHealth` is emitted, and again on every tick while
// it verifies) → healthy on health `Current`. Health `Failed` or `.applyFailed` make it failed;
// `InProgress` and `Unknown` only record their detail (`lastHealth`). The health timeout
// (`healthTimeoutSeconds` of the wave) runs from the site's first `.apply`; a verifying site
// still not healthy at a tick past it is failed, the reason quoting `lastHealth`. A site whose
// apply is still unanswered then is treated as unreachable (below): failed or skipped as the
// policy says.
//
// Traffic. Which pending site starts next is decided by the engine's `RolloutTraffic` (the
// sites' links and payloads, the region's uplink budget, urgency); `RolloutTraffic.unconstrained`
// leaves the rules above as they are. The model is the honest one for edge links: once a site
// starts pulling, its transfer runs at up to its own link rate and the controller cannot slow it
// down, so the engine decides only *when* each site starts.
// - Order: `start` sorts each wave's sites by expected transfer time (payload ÷ the rate it may
//   use), longest first, policy order on ties; an unknown payload counts as the longest. Slow,
//   large sites start first, so the wave's tail is short ones.
// - Budget: a site in flight whose payload has not arrived holds a share of the uplink budget,
//   its own downlink (the whole budget when its link rate is unknown; nothing when its payload is
//   0). A pending site starts only if its share fits in what the sites in flight leave free:
//   the sum of the shares of the sites in flight never exceeds the budget. Sites are taken first
//   fit, in order: one that does not fit waits, and a later one that fits may start. The share is
//   held until `.transferred` (the payload arrived) or until the site settles or rolls back.
// - Windows: a site with maintenance windows starts only while one is open, in its own time zone
//   (`MaintenanceCalendar`), unless the revision is urgent; a rollback always goes at once. A
//   site waiting for its window stays pending: neither failed nor done, and its health timeout
//   runs from its first apply, when it could start. A site whose window closes while it updates
//   finishes that update (retries included). `nextWakeup` tells the caller when a tick could
//   change something, a window's opening among them.
//
// Unreachable sites. `.unreachable` for an applying or verifying site counts an attempt and
// schedules a retry: `.apply` is emitted again at the first tick at least min(2^attempts × 5 s,
// 60 s) later (10 s, 20 s, 40 s, 60 s, 60 s…). Once the health timeout since the first attempt
// has passed (checked on the event and on ticks), the policy's `unreachableSites` decides:
// `countAsFailed` fails the site, `skip` skips it (a skipped site does not count against the
// threshold; it catches up in a later rollout). A late `.applied` for an unreachable site is
// accepted.
//
// Failure. When the failed sites of the wave reach `failureThreshold` (resolved against the
// wave's size, at least 1), the wave fails: the rollout goes to `.rollingBack(wave)` and emits
// `.rollback(site, toRevision: lastGoodRevision)` for every site of that wave that received the
// revision (applying, verifying, unreachable, healthy or failed — never pending or skipped
// ones). Each goes to `.rollingBack`, then `.rolledBack` on its `.rolledBack` event (or failed
// on `.rollbackFailed`, once the caller gave up retrying); when none is left rolling back, the
// rollout is `.rolledBack(reason:)`, the reason naming sites whose rollback failed. Later waves never start. Without a
// `lastGoodRevision` (the first rollout) there is nothing to roll back to: the rollout goes
// straight to `.rolledBack` with a reason that says so, and the sites keep their phases.
// Failures below the threshold are tolerated: a failed site is settled like a healthy one.
//
// Waves complete when every site is settled (healthy, skipped, or failed below the threshold).
// With `soakSeconds > 0` the rollout then soaks until `until`, left at the first event (in
// practice a tick) at or after it. While it soaks, every tick checks the health of the wave's
// healthy sites again; one reported `Failed` fails ("failed while soaking"), and when the
// failed sites reach the threshold the wave is rolled back as if it had failed while running. The next wave then waits for `.promote(wave: name)` if it
// has a manual gate (a promote naming another wave is ignored), else it runs. After the last
// wave the rollout has `.succeeded` and `lastGoodRevision` becomes `revision`.
//
// Pause. `.pause` sets `paused`: no `.apply` is emitted (neither first attempts nor retries),
// while in-flight sites keep progressing on their events, timeouts still fire, soaks still end,
// promotions are still accepted and rollbacks still proceed. `.resume(at:)` clears it and emits
// whatever is due.
//
// Supersession. `.newRevision(r)` while running, soaking or waiting for promotion (paused or
// not) ends the rollout as `.superseded(by: r)` with no further actions; the caller starts a new
// rollout for `r`, in which sites already on the old revision simply get the newer one. During a
// rollback it is ignored, so the rollback completes; the caller keeps the revision until then.
//
// Finished rollouts (succeeded, rolled back, superseded) ignore every event: same state, no
// actions. Events naming unknown sites, unassigned sites or sites outside the current wave are
// ignored too, as are events that make no sense for the site's phase (such as `.applied` for a
// healthy site).
public import Foundation
public import Health
public import Model

/// Something that happened to a rollout, as reported by the caller.
public enum RolloutEvent: Sendable, Hashable {
  case applied(site: String, at: Date)
  case applyFailed(site: String, reason: String, at: Date)
  case unreachable(site: String, at: Date)
  /// `detail` says why (the site's health message), for the record of a failed site.
  case health(site: String, status: HealthStatus, at: Date, detail: String = "")
  case tick(Date)
  case promote(wave: String)
  case pause
  case resume(at: Date)
  case newRevision(String, at: Date)
  case rolledBack(site: String, at: Date)
  /// The site's payload has arrived (its images are pulled): it gives back its share of the uplink.
  case transferred(site: String, at: Date)
  /// Rolling the site back failed for good (the caller retried as long as it would).
  case rollbackFailed(site: String, reason: String, at: Date)
}

/// Something the caller must do for the rollout.
public enum RolloutAction: Sendable, Hashable {
  case apply(site: String, revision: String)
  case rollback(site: String, toRevision: String)
  case checkHealth(site: String)
}

/// The rollout state machine (see the top of this file for its rules).
public struct RolloutEngine: Sendable {
  public let policy: RolloutPolicy
  public let traffic: RolloutTraffic

  public init(policy: RolloutPolicy, traffic: RolloutTraffic = .unconstrained) {
    self.policy = policy
    self.traffic = traffic
  }

  /// A new rollout of `revision` to `sites`, and its first actions.
  /// A rollout started `paused` emits nothing until `.resume`.
  public func start(
    revision: String, lastGoodRevision: String?, sites: [Site], at: Date, paused: Bool = false
  ) -> (RolloutState, [RolloutAction]) {
    let (waves, unassigned) = policy.assign(sites)
    var state = RolloutState(
      revision: revision, lastGoodRevision: lastGoodRevision,
      waves: waves.map { wave in
        WaveState(
          name: wave.wave.name,
          sites: traffic.ordered(wave.sites.map(\.name)).map { SiteState(name: $0) })
      },
      phase: .running(wave: 0), paused: paused, unassignedSites: unassigned.map(\.name),
      startedAt: at, clock: at, failureReason: nil)
    var actions: [RolloutAction] = []
    enter(wave: 0, &state)
    advance(&state, &actions)
    return (state, actions)
  }

  /// The state after `event`, and the actions it calls for.
  public func reduce(_ state: RolloutState, _ event: RolloutEvent) -> (
    RolloutState, [RolloutAction]
  ) {
    guard !state.phase.isFinished else { return (state, []) }
    var state = state
    var actions: [RolloutAction] = []
    if let at = event.at, at > state.clock { state.clock = at }
    switch event {
    case .pause:
      state.paused = true
    case .resume(let now):
      state.paused = false
      if case .running(let wave) = state.phase { retry(wave: wave, now: now, &state, &actions) }
    case .newRevision(let newer, _):
      if case .rollingBack = state.phase { return (state, []) }
      state.phase = .superseded(by: newer)
      return (state, [])
    case .promote(let name):
      guard case .waitingForPromotion(let wave) = state.phase, state.waves[wave].name == name
      else { return (state, []) }
      state.phase = .running(wave: wave)
    case .rolledBack(let site, _):
      guard case .rollingBack(let wave) = state.phase,
        let index = state.waves[wave].sites.firstIndex(where: { $0.name == site }),
        state.waves[wave].sites[index].phase == .rollingBack
      else { return (state, []) }
      state.waves[wave].sites[index].phase = .rolledBack
    case .rollbackFailed(let site, let reason, _):
      guard case .rollingBack(let wave) = state.phase,
        let index = state.waves[wave].sites.firstIndex(where: { $0.name == site }),
        state.waves[wave].sites[index].phase == .rollingBack
      else { return (state, []) }
      state.waves[wave].sites[index].phase = .failed(reason: "rollback failed: " + reason)
    case .tick(let now):
      if case .running(let wave) = state.phase {
        tick(wave: wave, now: now, &state, &actions)
        retry(wave: wave, now: now, &state, &actions)
      }
      if case .soaking(let wave, let until) = state.phase, now < until {
        for site in state.waves[wave].sites where site.phase.isHealthy {
          actions.append(.checkHealth(site: site.name))
        }
      }
    case .health(let site, .failed, let at, let detail):
      if case .soaking(let wave, _) = state.phase,
        let index = state.waves[wave].sites.firstIndex(where: { $0.name == site }),
        state.waves[wave].sites[index].phase.isHealthy
      {
        let why = detail.isEmpty ? "health check reported Failed" : detail
        state.waves[wave].sites[index].phase = .failed(reason: "failed while soaking: " + why)
      } else if case .running(let wave) = state.phase,
        let index = state.waves[wave].sites.firstIndex(where: { $0.name == site })
      {
        siteEvent(event, wave: wave, index: index, at: at, &state, &actions)
      } else {
        return (state, [])
      }
    case .transferred(let site, let at):
      guard case .running(let wave) = state.phase,
        let index = state.waves[wave].sites.firstIndex(where: { $0.name == site }),
        state.waves[wave].sites[index].phase.isInFlight,
        state.waves[wave].sites[index].transferredAt == nil
      else { return (state, []) }
      state.waves[wave].sites[index].transferredAt = at
    case .applied(let site, let at), .applyFailed(let site, _, let at),
      .unreachable(let site, let at), .health(let site, _, let at, _):
      guard case .running(let wave) = state.phase,
        let index = state.waves[wave].sites.firstIndex(where: { $0.name == site })
      else { return (state, []) }
      siteEvent(event, wave: wave, index: index, at: at, &state, &actions)
    }
    advance(&state, &actions)
    return (state, actions)
  }

  // MARK: Sites

  private func siteEvent(
    _ event: RolloutEvent, wave: Int, index: Int, at: Date, _ state: inout RolloutState,
    _ actions: inout [RolloutAction]
  ) {
    var site = state.waves[wave].sites[index]
    switch (event, site.phase) {
    case (.applied, .applying), (.applied, .unreachable):
      site.phase = .verifying(since: at)
      site.retryAt = nil
      actions.append(.checkHealth(site: site.name))
    case (.applyFailed(_, let reason, _), .applying),
      (.applyFailed(_, let reason, _), .unreachable):
      site.phase = .failed(reason: reason)
      site.retryAt = nil
    case (.unreachable, .applying), (.unreachable, .verifying):
      site.attempts += 1
      let first = site.firstAttemptAt ?? at
      site.phase = .unreachable(attempts: site.attempts, since: first)
      site.retryAt = at.addingTimeInterval(Self.backoff(attempts: site.attempts))
      if at >= first.addingTimeInterval(policy.waves[wave].healthTimeoutSeconds) {
        giveUpOnUnreachable(&site, wave: wave)
      }
    case (.health(_, .current, _, _), .verifying):
      site.phase = .healthy(at: at)
    case (.health(_, .failed, _, let detail), .verifying):
      site.phase = .failed(reason: detail.isEmpty ? "health check reported Failed" : detail)
    case (.health(_, .inProgress, _, let detail), .verifying),
      (.health(_, .unknown, _, let detail), .verifying):
      guard !detail.isEmpty, detail != site.lastHealth else { return }
      site.lastHealth = detail
    default:
      return
    }
    state.waves[wave].sites[index] = site
  }

  /// The wait before applying an unreachable site again: min(2^attempts × 5 s, 60 s).
  public static func backoff(attempts: Int) -> TimeInterval {
    attempts >= 4 ? 60 : min(Double(1 << max(attempts, 0)) * 5, 60)
  }

  private func giveUpOnUnreachable(_ site: inout SiteState, wave: Int, reason: String? = nil) {
    let timeout = policy.waves[wave].healthTimeoutSeconds
    let why =
      reason
      ?? "unreachable after \(site.attempts) attempt\(site.attempts == 1 ? "" : "s") in \(Self.seconds(timeout))"
    site.retryAt = nil
    switch policy.unreachableSites {
    case .countAsFailed: site.phase = .failed(reason: why)
    case .skip: site.phase = .skipped(reason: why)
    }
  }

  private func tick(
    wave: Int, now: Date, _ state: inout RolloutState, _ actions: inout [RolloutAction]
  ) {
    let timeout = policy.waves[wave].healthTimeoutSeconds
    for index in state.waves[wave].sites.indices {
      var site = state.waves[wave].sites[index]
      let pastDeadline = site.firstAttemptAt.map { now >= $0.addingTimeInterval(timeout) } ?? false
      switch site.phase {
      case .applying:
        // An apply still unanswered at the deadline: the site is as good as unreachable
        // (a link that drops packets hangs rather than refuses).
        if pastDeadline {
          site.attempts += 1
          giveUpOnUnreachable(
            &site, wave: wave,
            reason: "unreachable: the apply got no answer within the health timeout of "
              + Self.seconds(timeout))
        }
      case .verifying:
        if pastDeadline {
          site.phase = .failed(
            reason: "not healthy within the health timeout of \(Self.seconds(timeout))"
              + (site.lastHealth.map { " (last: \($0))" } ?? ""))
        } else {
          actions.append(.checkHealth(site: site.name))
        }
      case .unreachable:
        if pastDeadline { giveUpOnUnreachable(&site, wave: wave) }
      default:
        break
      }
      state.waves[wave].sites[index] = site
    }
  }

  /// Applies again the unreachable sites whose backoff is over (unless paused).
  private func retry(
    wave: Int, now: Date, _ state: inout RolloutState, _ actions: inout [RolloutAction]
  ) {
    guard !state.paused else { return }
    for index in state.waves[wave].sites.indices {
      let site = state.waves[wave].sites[index]
      guard case .unreachable = site.phase, let retryAt = site.retryAt, now >= retryAt else {
        continue
      }
      state.waves[wave].sites[index].phase = .applying(since: now)
      state.waves[wave].sites[index].retryAt = nil
      actions.append(.apply(site: site.name, revision: state.revision))
    }
  }

  /// The earliest instant at which a tick could change `state`: a soak's end, an unreachable
  /// site's retry, a health deadline, or a waiting site's window opening (while not paused). Nil
  /// when only events can move the rollout. A caller that skips time (a simulation) ticks here.
  public func nextWakeup(_ state: RolloutState) -> Date? {
    switch state.phase {
    case .soaking(_, let until):
      return until
    case .running(let wave):
      let timeout = policy.waves[wave].healthTimeoutSeconds
      var earliest: Date? = nil
      func consider(_ instant: Date?) {
        guard let instant else { return }
        earliest = min(earliest ?? instant, instant)
      }
      for site in state.waves[wave].sites {
        switch site.phase {
        case .applying, .verifying:
          consider(site.firstAttemptAt?.addingTimeInterval(timeout))
        case .unreachable:
          consider(site.firstAttemptAt?.addingTimeInterval(timeout))
          if !state.paused { consider(site.retryAt) }
        case .pending where !state.paused && !traffic.mayStart(site.name, at: state.clock):
          consider(traffic.nextStart(site.name, after: state.clock))
        default:
          break
        }
      }
      return earliest
    default:
      return nil
    }
  }

  // MARK: Waves

  /// Moves the rollout forward as far as the state allows, emitting what is due.
  private func advance(_ state: inout RolloutState, _ actions: inout [RolloutAction]) {
    while true {
      switch state.phase {
      case .running(let wave):
        let sites = state.waves[wave].sites
        let policyWave = policy.waves[wave]
        // One pass over the wave: it runs on every event, and waves hold thousands of sites.
        var failedCount = 0
        var allSettled = true
        var inFlight = 0
        let budget = traffic.uplinkBytesPerSecond
        var reserved = 0.0
        for site in sites {
          if case .failed = site.phase { failedCount += 1 }
          if !site.phase.isSettled { allSettled = false }
          if site.phase.isInFlight {
            inFlight += 1
            if budget != nil && site.transferredAt == nil {
              reserved += traffic.reservedRate(of: site.name)
            }
          }
        }
        let threshold = max(1, policyWave.failureThreshold.resolved(total: sites.count))
        if failedCount >= threshold {
          let failed = sites.filter { if case .failed = $0.phase { true } else { false } }
          rollBack(wave: wave, failed: failed, &state, &actions)
          return
        }
        if allSettled {
          if policyWave.soakSeconds > 0 && !sites.isEmpty {
            state.phase = .soaking(
              wave: wave, until: state.clock.addingTimeInterval(policyWave.soakSeconds))
            return
          }
          enter(wave: wave + 1, &state)
          continue
        }
        guard !state.paused else { return }
        let slots = max(1, policyWave.maxConcurrent.resolved(total: sites.count))
        var index = sites.startIndex
        while inFlight < slots && index < sites.endIndex {
          if case .pending = sites[index].phase,
            traffic.mayStart(sites[index].name, at: state.clock)
          {
            if let budget {
              let share = traffic.reservedRate(of: sites[index].name)
              // First fit: a site that does not fit waits; a later, thinner one may go.
              guard reserved + share <= budget * (1 + 1e-9) else {
                index += 1
                continue
              }
              reserved += share
            }
            state.waves[wave].sites[index].phase = .applying(since: state.clock)
            state.waves[wave].sites[index].firstAttemptAt = state.clock
            actions.append(.apply(site: sites[index].name, revision: state.revision))
            inFlight += 1
          }
          index += 1
        }
        return
      case .soaking(let wave, let until):
        let sites = state.waves[wave].sites
        let failed = sites.filter { if case .failed = $0.phase { true } else { false } }
        let threshold = max(1, policy.waves[wave].failureThreshold.resolved(total: sites.count))
        if failed.count >= threshold {
          rollBack(wave: wave, failed: failed, &state, &actions)
          return
        }
        guard state.clock >= until else { return }
        enter(wave: wave + 1, &state)
      case .rollingBack(let wave):
        let sites = state.waves[wave].sites
        if sites.allSatisfy({ $0.phase != .rollingBack }) {
          var reason = state.failureReason ?? "rolled back"
          let stuck = sites.filter {
            if case .failed(let why) = $0.phase { why.hasPrefix("rollback failed") } else { false }
          }
          if !stuck.isEmpty {
            reason += "; rollback failed on " + stuck.map(\.name).joined(separator: ", ")
          }
          state.phase = .rolledBack(reason: reason)
        }
        return
      case .waitingForPromotion, .succeeded, .rolledBack, .superseded:
        return
      }
    }
  }

  /// Enters wave `wave` (or succeeds after the last): waits at a manual gate of a wave with
  /// sites, else runs it.
  private func enter(wave: Int, _ state: inout RolloutState) {
    guard wave < state.waves.count else {
      state.phase = .succeeded
      state.lastGoodRevision = state.revision
      return
    }
    let gated = policy.waves[wave].manualGate && !state.waves[wave].sites.isEmpty
    state.phase = gated ? .waitingForPromotion(wave: wave) : .running(wave: wave)
  }

  private func rollBack(
    wave: Int, failed: [SiteState], _ state: inout RolloutState, _ actions: inout [RolloutAction]
  ) {
    let name = state.waves[wave].name
    let reasons = failed.map { site in
      if case .failed(let reason) = site.phase { "\(site.name): \(reason)" } else { site.name }
    }
    let reason =
      "wave \"\(name)\" failed (\(failed.count) of \(state.waves[wave].sites.count) sites): "
      + reasons.joined(separator: "; ")
    guard let lastGood = state.lastGoodRevision else {
      state.phase = .rolledBack(reason: reason + "; no last good revision to roll back to")
      return
    }
    state.failureReason = reason
    state.phase = .rollingBack(wave: wave)
    for index in state.waves[wave].sites.indices {
      let site = state.waves[wave].sites[index]
      switch site.phase {
      case .applying, .verifying, .unreachable, .healthy, .failed:
        state.waves[wave].sites[index].phase = .rollingBack
        state.waves[wave].sites[index].retryAt = nil
        actions.append(.rollback(site: site.name, toRevision: lastGood))
      default:
        break
      }
    }
  }

  private static func seconds(_ value: Double) -> String {
    value == value.rounded() ? "\(Int(value))s" : "\(value)s"
  }
}

extension RolloutEvent {
  /// The instant the event carries, if any.
  var at: Date? {
    switch self {
    case .applied(_, let at), .applyFailed(_, _, let at), .unreachable(_, let at),
      .health(_, _, let at, _), .tick(let at), .resume(let at), .newRevision(_, let at),
      .rolledBack(_, let at), .rollbackFailed(_, _, let at), .transferred(_, let at):
      at
    case .promote, .pause: nil
    }
  }
}
