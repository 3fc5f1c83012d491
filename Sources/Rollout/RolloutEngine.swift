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
//   change something, a window's opening among them (a waiting site's, or one to pre-stage).
//   `.markedUrgent` (the operator listed the revision after its rollout started) makes it
//   urgent from then on (`urgentSince`).
// - Closing windows first: a store that misses its window waits a day for the next one, and the
//   wave with it. So, with windows and not urgent, a pending site whose window is open but closes
//   before the sites ahead of it in start order could have started (their payloads over the
//   budget, or their transfer times over the wave's slots) starts before them, soonest closing
//   first, with the same fit rules; the longest-first order stays for the rest.
//
// Pre-staging (`policy.prestage`). While a wave runs or soaks, the sites of the next
// `policy.prestageWaves` waves (1: the next wave only) pull the revision's images ahead of their
// cutover (`.prestage`); while a wave waits at its manual gate, its own sites do, with the waves
// after it (that many waves in all). A pending site is pre-staged once, when its payload is not
// known to be 0, while its window is open (unless urgent), at most its wave's `maxConcurrent` at
// a time, and only with what the running wave leaves of the uplink budget: the running wave's
// cutovers come first, then the nearest wave. A farther wave also leaves room for the largest
// share a nearer wave's site yet to be pre-staged needs: its thin, long pulls would otherwise
// take every gap the budget opens and keep a nearer wave's fat-link sites out. A pre-staging
// site holds its share until `.prestaged` or `.prestageFailed`; a pre-staged site holds none at
// its cutover. A failed pre-stage is not retried: the site pulls at its cutover, as without
// pre-staging. Nothing is pre-staged while paused or rolling back.
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
  /// Pre-staging the site's images finished.
  case prestaged(site: String, at: Date)
  /// Pre-staging the site's images failed; it pulls them at its cutover.
  case prestageFailed(site: String, reason: String, at: Date)
  /// Rolling the site back failed for good (the caller retried as long as it would).
  case rollbackFailed(site: String, reason: String, at: Date)
  /// The revision was marked urgent after the rollout started (the operator listed it).
  case markedUrgent(at: Date)
}

/// Something the caller must do for the rollout.
public enum RolloutAction: Sendable, Hashable {
  case apply(site: String, revision: String)
  case rollback(site: String, toRevision: String)
  case checkHealth(site: String)
  /// Make the site pull the revision's images without changing what runs.
  case prestage(site: String, revision: String)
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
    var state = state
    let actions = reduce(&state, event)
    return (state, actions)
  }

  /// `reduce`, changing `state` in place: a caller that keeps no copy of the state (a
  /// simulation, a projection) pays only for what the event changed.
  public func reduce(_ state: inout RolloutState, _ event: RolloutEvent) -> [RolloutAction] {
    guard !state.phase.isFinished else { return [] }
    var actions: [RolloutAction] = []
    if let at = event.at, at > state.clock { state.clock = at }
    switch event {
    case .pause:
      state.paused = true
    case .resume(let now):
      state.paused = false
      if case .running(let wave) = state.phase { retry(wave: wave, now: now, &state, &actions) }
    case .markedUrgent(let at):
      guard state.urgentSince == nil else { return [] }
      state.urgentSince = at
      // No site waits for a window any more: none says it does.
      for wave in state.storedWaves.indices {
        for index in state.storedWaves[wave].storedSites.indices
        where state.storedWaves[wave].storedSites[index].windowOpensAt != nil {
          update(wave, index, &state) { $0.windowOpensAt = nil }
        }
      }
    case .newRevision(let newer, _):
      if case .rollingBack = state.phase { return [] }
      state.phase = .superseded(by: newer)
      return []
    case .promote(let name):
      guard case .waitingForPromotion(let wave) = state.phase, state.storedWaves[wave].name == name
      else { return [] }
      state.phase = .running(wave: wave)
    case .rolledBack(let site, _), .rollbackFailed(let site, _, _):
      guard case .rollingBack(let wave) = state.phase,
        let index = index(of: site, in: wave, &state),
        state.storedWaves[wave].storedSites[index].phase == .rollingBack
      else { return [] }
      update(wave, index, &state) { site in
        if case .rollbackFailed(_, let reason, _) = event {
          site.phase = .failed(reason: "rollback failed: " + reason)
        } else {
          site.phase = .rolledBack
        }
      }
    case .tick(let now):
      if case .running(let wave) = state.phase {
        tick(wave: wave, now: now, &state, &actions)
        retry(wave: wave, now: now, &state, &actions)
      }
      if case .soaking(let wave, let until) = state.phase, now < until {
        for site in state.storedWaves[wave].storedSites where site.phase.isHealthy {
          actions.append(.checkHealth(site: site.name))
        }
      }
    case .health(let site, .failed, let at, let detail):
      if case .soaking(let wave, _) = state.phase,
        let index = index(of: site, in: wave, &state),
        state.storedWaves[wave].storedSites[index].phase.isHealthy
      {
        let why = detail.isEmpty ? "health check reported Failed" : detail
        update(wave, index, &state) { $0.phase = .failed(reason: "failed while soaking: " + why) }
      } else if case .running(let wave) = state.phase,
        let index = index(of: site, in: wave, &state)
      {
        siteEvent(event, wave: wave, index: index, at: at, &state, &actions)
      } else {
        return []
      }
    case .transferred(let site, let at):
      guard case .running(let wave) = state.phase,
        let index = index(of: site, in: wave, &state),
        state.storedWaves[wave].storedSites[index].phase.isInFlight,
        state.storedWaves[wave].storedSites[index].transferredAt == nil
      else { return [] }
      update(wave, index, &state) { $0.transferredAt = at }
    case .prestaged(let site, let at), .prestageFailed(let site, _, let at):
      guard let (wave, index) = prestageTarget(site, in: &state),
        case .pulling = state.storedWaves[wave].storedSites[index].prestage
      else { return [] }
      update(wave, index, &state) { site in
        if case .prestageFailed(_, let reason, _) = event {
          site.prestage = .failed(reason: reason)
        } else {
          site.prestage = .pulled(at: at)
        }
      }
    case .applied(let site, let at), .applyFailed(let site, _, let at),
      .unreachable(let site, let at), .health(let site, _, let at, _):
      guard case .running(let wave) = state.phase,
        let index = index(of: site, in: wave, &state)
      else { return [] }
      siteEvent(event, wave: wave, index: index, at: at, &state, &actions)
    }
    advance(&state, &actions)
    return actions
  }

  // MARK: Sites

  /// The position of `site` in wave `wave`, nil when it is elsewhere or unknown.
  private func index(of site: String, in wave: Int, _ state: inout RolloutState) -> Int? {
    guard let location = state.locate(site), location.wave == wave else { return nil }
    return location.index
  }

  /// Whether windows hold none of the rollout's sites: an urgent revision, from the start or
  /// since it was marked.
  private func isUrgent(_ state: RolloutState) -> Bool {
    traffic.urgent || state.urgentSince != nil
  }

  /// Makes sure wave `wave` has a tally for this engine's traffic.
  private func tally(_ wave: Int, _ state: inout RolloutState) {
    if let tally = state.storedWaves[wave].tally.value, tally.traffic === traffic.identity {
      return
    }
    let sites = state.storedWaves[wave].storedSites
    state.storedWaves[wave].tally.value = WaveTally(
      sites: sites, shares: sites.map { traffic.reservedRate(of: $0.name) },
      payloads: sites.map { Double(traffic.payload(of: $0.name) ?? 0) },
      transferSeconds: sites.map { traffic.expectedTransferSeconds(of: $0.name) },
      traffic: traffic.identity)
  }

  /// Changes one site in place, keeping its wave's tally.
  private func update(
    _ wave: Int, _ index: Int, _ state: inout RolloutState, _ change: (inout SiteState) -> Void
  ) {
    tally(wave, &state)
    state.storedWaves[wave].update(index, change)
  }

  private func siteEvent(
    _ event: RolloutEvent, wave: Int, index: Int, at: Date, _ state: inout RolloutState,
    _ actions: inout [RolloutAction]
  ) {
    var site = state.storedWaves[wave].storedSites[index]
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
    update(wave, index, &state) { $0 = site }
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

  /// The positions of the wave's sites in flight, in wave order.
  private func inFlight(_ wave: Int, _ state: inout RolloutState) -> [Int] {
    tally(wave, &state)
    return state.storedWaves[wave].tally.value?.inFlight.sorted() ?? []
  }

  private func tick(
    wave: Int, now: Date, _ state: inout RolloutState, _ actions: inout [RolloutAction]
  ) {
    let timeout = policy.waves[wave].healthTimeoutSeconds
    for index in inFlight(wave, &state) {
      var site = state.storedWaves[wave].storedSites[index]
      let pastDeadline = site.firstAttemptAt.map { now >= $0.addingTimeInterval(timeout) } ?? false
      switch site.phase {
      case .applying:
        // An apply still unanswered at the deadline: the site is as good as unreachable
        // (a link that drops packets hangs rather than refuses).
        guard pastDeadline else { continue }
        site.attempts += 1
        giveUpOnUnreachable(
          &site, wave: wave,
          reason: "unreachable: the apply got no answer within the health timeout of "
            + Self.seconds(timeout))
      case .verifying:
        guard pastDeadline else {
          actions.append(.checkHealth(site: site.name))
          continue
        }
        site.phase = .failed(
          reason: "not healthy within the health timeout of \(Self.seconds(timeout))"
            + (site.lastHealth.map { " (last: \($0))" } ?? ""))
      case .unreachable:
        guard pastDeadline else { continue }
        giveUpOnUnreachable(&site, wave: wave)
      default:
        continue
      }
      update(wave, index, &state) { $0 = site }
    }
  }

  /// Applies again the unreachable sites whose backoff is over (unless paused).
  private func retry(
    wave: Int, now: Date, _ state: inout RolloutState, _ actions: inout [RolloutAction]
  ) {
    guard !state.paused else { return }
    for index in inFlight(wave, &state) {
      let site = state.storedWaves[wave].storedSites[index]
      guard case .unreachable = site.phase, let retryAt = site.retryAt, now >= retryAt else {
        continue
      }
      update(wave, index, &state) { site in
        site.phase = .applying(since: now)
        site.retryAt = nil
      }
      actions.append(.apply(site: site.name, revision: state.revision))
    }
  }

  /// The earliest instant at which a tick could change `state`: a soak's end, an unreachable
  /// site's retry, a health deadline, or a waiting site's window opening (while not paused). Nil
  /// when only events can move the rollout. A caller that skips time (a simulation) ticks here.
  public func nextWakeup(_ state: RolloutState) -> Date? {
    switch state.phase {
    case .soaking(let wave, let until):
      return [until, prestageWindowOpening(from: wave + 1, state)].compactMap { $0 }.min()
    case .waitingForPromotion(let wave):
      return prestageWindowOpening(from: wave, state)
    case .running(let wave):
      let timeout = policy.waves[wave].healthTimeoutSeconds
      var earliest: Date? = nil
      func consider(_ instant: Date?) {
        guard let instant else { return }
        earliest = min(earliest ?? instant, instant)
      }
      let sites = state.storedWaves[wave].storedSites
      let tally = state.storedWaves[wave].tally.value
      let inFlight = tally.map { Array($0.inFlight) } ?? Array(sites.indices)
      for index in inFlight {
        let site = sites[index]
        switch site.phase {
        case .applying, .verifying:
          consider(site.firstAttemptAt?.addingTimeInterval(timeout))
        case .unreachable:
          consider(site.firstAttemptAt?.addingTimeInterval(timeout))
          if !state.paused { consider(site.retryAt) }
        default:
          break
        }
      }
      // A site waiting for its window says when it opens. A pending site that says nothing
      // waits for a slot or a share, which only an event frees: no calendar to read here.
      guard !state.paused, traffic.hasWindows, !isUrgent(state) else { return earliest }
      for site in sites[(tally?.firstPending ?? 0)...] where site.phase == .pending {
        if let opens = site.windowOpensAt, opens > state.clock { consider(opens) }
      }
      consider(prestageWindowOpening(from: wave + 1, state))
      return earliest
    default:
      return nil
    }
  }

  /// The earliest recorded window opening of a site yet to be pre-staged in the waves that
  /// pre-stage from `first` on: pre-staging may start then.
  private func prestageWindowOpening(from first: Int, _ state: RolloutState) -> Date? {
    guard policy.prestage, !state.paused, traffic.hasWindows, !isUrgent(state) else { return nil }
    var earliest: Date? = nil
    for wave in prestagedWaves(from: first, state) {
      let sites = state.storedWaves[wave].storedSites
      for site in sites[(state.storedWaves[wave].tally.value?.firstUnprestaged ?? 0)...]
      where site.phase == .pending && site.prestage == nil {
        if let opens = site.windowOpensAt, opens > state.clock {
          earliest = min(earliest ?? opens, opens)
        }
      }
    }
    return earliest
  }

  // MARK: Waves

  /// Moves the rollout forward as far as the state allows, emitting what is due.
  private func advance(_ state: inout RolloutState, _ actions: inout [RolloutAction]) {
    while true {
      switch state.phase {
      case .running(let wave):
        tally(wave, &state)
        let total = state.storedWaves[wave].storedSites.count
        let policyWave = policy.waves[wave]
        let threshold = max(1, policyWave.failureThreshold.resolved(total: total))
        if (state.storedWaves[wave].tally.value?.failed ?? 0) >= threshold {
          rollBack(wave: wave, &state, &actions)
          return
        }
        if state.storedWaves[wave].tally.value?.settled == total {
          if policyWave.soakSeconds > 0 && total > 0 {
            state.phase = .soaking(
              wave: wave, until: state.clock.addingTimeInterval(policyWave.soakSeconds))
            continue
          }
          enter(wave: wave + 1, &state)
          continue
        }
        guard !state.paused else { return }
        let reserved = startSites(wave: wave, &state, &actions)
        prestageAhead(from: wave + 1, besides: reserved, &state, &actions)
        return
      case .soaking(let wave, let until):
        tally(wave, &state)
        let total = state.storedWaves[wave].storedSites.count
        let threshold = max(1, policy.waves[wave].failureThreshold.resolved(total: total))
        if (state.storedWaves[wave].tally.value?.failed ?? 0) >= threshold {
          rollBack(wave: wave, &state, &actions)
          return
        }
        guard state.clock >= until else {
          prestageAhead(from: wave + 1, besides: 0, &state, &actions)
          return
        }
        enter(wave: wave + 1, &state)
      case .rollingBack(let wave):
        let sites = state.storedWaves[wave].storedSites
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
      case .waitingForPromotion(let wave):
        prestageAhead(from: wave, besides: 0, &state, &actions)
        return
      case .succeeded, .rolledBack, .superseded:
        return
      }
    }
  }

  /// Starts the running wave's pending sites that slots, shares and windows allow (see "Sites"
  /// and "Traffic" above) and returns the shares its sites then hold.
  private func startSites(
    wave: Int, _ state: inout RolloutState, _ actions: inout [RolloutAction]
  ) -> Double {
    // The next wave's sites pre-staging hold their shares too: a transfer under way cannot be
    // paused for the running wave.
    let budget = traffic.uplinkBytesPerSecond
    let nextPulling =
      budget == nil
      ? 0 : prestagedWaves(from: wave + 1, state).reduce(0) { $0 + pullingShare(of: $1, &state) }
    // Read, not kept: a copy of the tally held across `update` would make it copy its set.
    var (shares, smallestShareFrom, startingWithoutShare) = ([Double](), [Double](), 0)
    var (reserved, inFlight, index) = (0.0, 0, 0)
    if let tally = state.storedWaves[wave].tally.value {
      (shares, smallestShareFrom) = (tally.shares, tally.smallestShareFrom)
      startingWithoutShare = tally.startingWithoutShare
      (reserved, inFlight, index) = (tally.reserved, tally.inFlight.count, tally.firstPending)
    }
    let total = state.storedWaves[wave].storedSites.count
    let slots = max(1, policy.waves[wave].maxConcurrent.resolved(total: total))

    /// Starts the pending site at `position` if its window is open and its share fits.
    func start(_ position: Int) {
      let site = state.storedWaves[wave].storedSites[position]
      if !isUrgent(state) {
        if let opens = site.windowOpensAt, opens > state.clock { return }
        if case .closed(let opens) = window(wave, position, &state) {
          // Waiting for its window: say when it opens (status shows it), once per opening.
          if (site.windowOpensAt ?? .distantPast) <= state.clock {
            update(wave, position, &state) { $0.windowOpensAt = opens }
          }
          return
        }
      }
      if let budget {
        // Pre-staged or pre-staging: its images are there or their share is counted.
        let share =
          site.prestage == nil || site.prestage?.isFailed == true ? shares[position] : 0
        // First fit: a site that does not fit waits; a later, thinner one may go.
        guard reserved + nextPulling + share <= budget * (1 + 1e-9) else { return }
        reserved += share
      }
      let now = state.clock
      update(wave, position, &state) { site in
        site.phase = .applying(since: now)
        site.windowOpensAt = nil
        site.firstAttemptAt = now
      }
      actions.append(.apply(site: site.name, revision: state.revision))
      inFlight += 1
    }

    // Only when some site could start: the pass reads every pending site.
    let someSiteFits =
      index < total
      && (budget.map { reserved + nextPulling + smallestShareFrom[index] <= $0 * (1 + 1e-9) }
        ?? true)
    if inFlight < slots && (someSiteFits || startingWithoutShare > 0) {
      for position in closingSoon(wave: wave, from: index, slots: slots, &state) {
        guard inFlight < slots else { break }
        start(position)
      }
    }
    while inFlight < slots && index < total {
      defer { index += 1 }
      guard state.storedWaves[wave].storedSites[index].phase == .pending else { continue }
      if let budget, startingWithoutShare == 0,
        reserved + nextPulling + smallestShareFrom[index] > budget * (1 + 1e-9)
      {
        break  // No site from here on fits what is left of the budget.
      }
      start(index)
    }
    return reserved
  }

  /// The pending sites of `wave` (from position `first` on) whose window closes before the
  /// sites ahead of them in start order could have started (their payloads over the budget, or
  /// their transfer times over the wave's slots), soonest closing first; empty without windows
  /// or when the revision is urgent. A site that misses its window waits a day for the next.
  private func closingSoon(
    wave: Int, from first: Int, slots: Int, _ state: inout RolloutState
  ) -> [Int] {
    guard traffic.hasWindows, !isUrgent(state) else { return [] }
    tally(wave, &state)
    guard
      let (payloads, transferSeconds) = state.storedWaves[wave].tally.value.map({
        ($0.payloads, $0.transferSeconds)
      })
    else { return [] }
    var answers = takeWindowAnswers(wave, &state)
    defer { state.storedWaves[wave].windows.value = answers }
    let (budget, clock) = (traffic.uplinkBytesPerSecond, state.clock)
    var (aheadBytes, aheadSeconds) = (0.0, 0.0)
    var soon: [(closes: Date, position: Int)] = []
    for position in first..<state.storedWaves[wave].storedSites.count {
      guard case .pending = state.storedWaves[wave].storedSites[position].phase,
        (state.storedWaves[wave].storedSites[position].windowOpensAt ?? .distantPast) <= clock
      else { continue }
      let site = state.storedWaves[wave].storedSites[position].name
      guard case .open(let closes) = window(of: site, at: position, &answers, clock) else {
        continue
      }
      let wait = max(budget.map { aheadBytes / $0 } ?? 0, aheadSeconds / Double(slots))
      if closes < clock.addingTimeInterval(wait) { soon.append((closes, position)) }
      switch state.storedWaves[wave].storedSites[position].prestage {
      case nil, .failed: aheadBytes += payloads[position]
      case .pulling, .pulled: break
      }
      aheadSeconds += transferSeconds[position]
    }
    return soon.sorted { ($0.closes, $0.position) < ($1.closes, $1.position) }.map(\.position)
  }

  /// What the windows of the site at `position` of `wave` say now.
  private func window(_ wave: Int, _ position: Int, _ state: inout RolloutState) -> SiteWindow {
    var answers = takeWindowAnswers(wave, &state)
    defer { state.storedWaves[wave].windows.value = answers }
    let site = state.storedWaves[wave].storedSites[position].name
    return window(of: site, at: position, &answers, state.clock)
  }

  /// What `site`'s windows say at `clock`: the answer recorded at `position` while it holds,
  /// else the calendar's, recorded.
  private func window(
    of site: String, at position: Int, _ answers: inout WindowAnswers, _ clock: Date
  ) -> SiteWindow {
    if let known = answers.answers[position], known.holds(at: clock) { return known }
    let answer = traffic.window(of: site, at: clock)
    answers.answers[position] = answer
    return answer
  }

  /// The wave's recorded window answers, taken out of the state (so recording more copies
  /// nothing; the caller puts them back), fresh when missing or for another traffic.
  private func takeWindowAnswers(_ wave: Int, _ state: inout RolloutState) -> WindowAnswers {
    let count = state.storedWaves[wave].storedSites.count
    defer { state.storedWaves[wave].windows.value = nil }
    if let answers = state.storedWaves[wave].windows.value, answers.traffic === traffic.identity,
      answers.answers.count == count
    {
      return answers
    }
    return WindowAnswers(
      traffic: traffic.identity, answers: Array(repeating: nil, count: count))
  }

  /// The waves whose sites pre-stage while wave `first - 1` runs or soaks (or `first` waits at
  /// its gate): `first` and as many after it as the policy says.
  private func prestagedWaves(from first: Int, _ state: RolloutState) -> Range<Int> {
    let end = min(state.storedWaves.count, first + max(1, policy.prestageWaves))
    return first..<max(first, end)
  }

  /// Starts pre-staging the pending sites of the waves from `first` on, nearest wave first, with
  /// what `reserved` bytes per second of sites already transferring leave of the budget.
  private func prestageAhead(
    from first: Int, besides reserved: Double, _ state: inout RolloutState,
    _ actions: inout [RolloutAction]
  ) {
    guard policy.prestage, !state.paused else { return }
    var reserved = reserved
    let waves = prestagedWaves(from: first, state)
    for target in waves { reserved += pullingShare(of: target, &state) }
    // A farther wave leaves room for the largest share a nearer wave's site still needs to
    // pre-stage: its thin, long pulls would otherwise fill every gap and hold the nearer back.
    var room = 0.0
    for target in waves {
      reserved = prestage(wave: target, besides: reserved, keeping: room, &state, &actions)
      room = max(room, largestShareToPrestage(in: target, &state))
    }
  }

  /// Starts pre-staging pending sites of wave `target` (see "Pre-staging" above), with what
  /// `reserved` bytes per second of sites transferring (pre-staging ones included) and `room`
  /// kept for nearer waves leave of the budget; returns the shares then held.
  private func prestage(
    wave target: Int, besides reserved: Double, keeping room: Double,
    _ state: inout RolloutState, _ actions: inout [RolloutAction]
  ) -> Double {
    tally(target, &state)
    let budget = traffic.uplinkBytesPerSecond
    var (shares, smallestShareFrom) = ([Double](), [Double]())
    var (reserved, pulling, index) = (reserved, 0, 0)
    if let tally = state.storedWaves[target].tally.value {
      (shares, smallestShareFrom) = (tally.shares, tally.smallestShareFrom)
      (pulling, index) = (tally.prestaging, tally.firstUnprestaged)
    }
    let total = state.storedWaves[target].storedSites.count
    let slots = max(1, policy.waves[target].maxConcurrent.resolved(total: total))
    while pulling < slots && index < total {
      let site = state.storedWaves[target].storedSites[index]
      defer { index += 1 }
      guard site.phase == .pending, site.prestage == nil else { continue }
      if let budget, reserved + room + smallestShareFrom[index] > budget * (1 + 1e-9) {
        break  // No site from here on fits what is left of the budget.
      }
      guard traffic.payload(of: site.name) != 0 else { continue }
      if !isUrgent(state), traffic.hasWindows {
        if let opens = site.windowOpensAt, opens > state.clock { continue }
        if case .closed(let opens) = window(target, index, &state) {
          // Say when it opens (status shows it, and nextWakeup wakes the caller then).
          if (site.windowOpensAt ?? .distantPast) <= state.clock {
            update(target, index, &state) { $0.windowOpensAt = opens }
          }
          continue
        }
      }
      let share = shares[index]
      if let budget, reserved + room + share > budget * (1 + 1e-9) { continue }
      reserved += share
      pulling += 1
      let now = state.clock
      update(target, index, &state) { $0.prestage = .pulling(since: now) }
      actions.append(.prestage(site: site.name, revision: state.revision))
    }
    return reserved
  }

  /// The largest share a site of `wave` yet to be pre-staged may take (from the first such
  /// site on, so at least that).
  private func largestShareToPrestage(in wave: Int, _ state: inout RolloutState) -> Double {
    tally(wave, &state)
    guard let tally = state.storedWaves[wave].tally.value,
      tally.firstUnprestaged < tally.largestShareFrom.count
    else { return 0 }
    return tally.largestShareFrom[tally.firstUnprestaged]
  }

  /// The shares held by the pending sites of `wave` that are pre-staging.
  private func pullingShare(of wave: Int, _ state: inout RolloutState) -> Double {
    guard policy.prestage, wave < state.storedWaves.count else { return 0 }
    tally(wave, &state)
    return state.storedWaves[wave].tally.value?.prestagingShare ?? 0
  }

  /// The wave and index of `site` if it is one pre-staging may concern: in the current wave or
  /// one that pre-stages while it runs.
  private func prestageTarget(_ site: String, in state: inout RolloutState) -> (Int, Int)? {
    guard let current = state.currentWave, let location = state.locate(site),
      location.wave == current || prestagedWaves(from: current + 1, state).contains(location.wave)
    else { return nil }
    return (location.wave, location.index)
  }

  /// Enters wave `wave` (or succeeds after the last): waits at a manual gate of a wave with
  /// sites, else runs it.
  private func enter(wave: Int, _ state: inout RolloutState) {
    guard wave < state.storedWaves.count else {
      state.phase = .succeeded
      state.lastGoodRevision = state.revision
      return
    }
    let gated = policy.waves[wave].manualGate && !state.storedWaves[wave].storedSites.isEmpty
    state.phase = gated ? .waitingForPromotion(wave: wave) : .running(wave: wave)
  }

  private func rollBack(
    wave: Int, _ state: inout RolloutState, _ actions: inout [RolloutAction]
  ) {
    let sites = state.storedWaves[wave].storedSites
    let name = state.storedWaves[wave].name
    let reasons = sites.compactMap { site in
      if case .failed(let reason) = site.phase { "\(site.name): \(reason)" } else { nil }
    }
    let reason =
      "wave \"\(name)\" failed (\(reasons.count) of \(sites.count) sites): "
      + reasons.joined(separator: "; ")
    guard let lastGood = state.lastGoodRevision else {
      state.phase = .rolledBack(reason: reason + "; no last good revision to roll back to")
      return
    }
    state.failureReason = reason
    state.phase = .rollingBack(wave: wave)
    for index in sites.indices {
      switch sites[index].phase {
      case .applying, .verifying, .unreachable, .healthy, .failed:
        update(wave, index, &state) { site in
          site.phase = .rollingBack
          site.retryAt = nil
        }
        actions.append(.rollback(site: sites[index].name, toRevision: lastGood))
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
      .rolledBack(_, let at), .rollbackFailed(_, _, let at), .transferred(_, let at),
      .prestaged(_, let at), .prestageFailed(_, _, let at), .markedUrgent(let at):
      at
    case .promote, .pause: nil
    }
  }
}
