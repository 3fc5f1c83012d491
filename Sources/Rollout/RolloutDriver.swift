// The rollout driver: runs `RolloutEngine` against the fleet.
//
// The engine decides, the driver acts. For every event the driver reduces the state, stores the
// record (`RolloutStore`) and only then performs the actions (`RolloutTargets`): a site is never
// changed before the change is recorded, so a driver killed at any point resumes from the
// record — sites recorded as applying are applied again (the same revision: server-side apply
// makes that harmless), sites rolling back are rolled back again, verifying sites are checked
// again, and no site of a later wave is touched before its wave starts.
//
// Around the engine the driver keeps the fleet's memory in `RolloutRecord`: the last good
// revision (the target of rollbacks), revisions that failed (never rolled out again; a newer
// commit is), sites left behind (caught up by the next rollout of the last good revision), a
// revision that arrived during a rollback (started once the rollback completes), and a bounded
// history of finished rollouts.
//
// A site's rollback starts once its apply in flight (if any) returned, so the bad revision
// never lands after the good one. Rollbacks are retried with a doubling delay; a site whose
// rollback still fails is reported in the rollout's reason and kept as behind. A rollout whose
// waves select no site is recorded as succeeded at once. After a superseded rollout, the next
// one goes to every site, even when it is the last good revision. Cancelling the task running
// the driver stops it (after in-flight site operations and reads return); running it again
// resumes. A revision that cannot be rendered is refused before any site is touched and marked
// bad.
//
// Time. Every wait (the tick, the delay between rollback attempts, the interval between polls)
// is a sleep on the driver's `clock`, so tests run it on a clock they move themselves; the
// instants in events and in the record come from `now`, which should follow the same clock.
//
// Reads beside the event loop. Reading the operator's controls (pause, resume, promote, urgent)
// and asking `newerRevision` for a newer commit never hold up the driver's events: each is a task
// of its own that reads and hands the driver its result, one read of each kind at a time. Controls
// are read on every tick (a tick while a read is still out starts none); `newerRevision` is
// asked `revisionPollInterval` after the previous answer (the first time one interval after the
// rollout starts or resumes).
//
// Fail safe. Controls that cannot be read mean hold, never proceed: a rollout that starts while
// they are unreadable starts paused, and a failed read during a rollout pauses it (the engine's
// pause: no new site change starts, in-flight ones finish, rollbacks proceed) until a read
// succeeds; from then on the operator's controls decide again, so it resumes only if they are
// not paused. A poll that fails changes nothing in the rollout, and is not swallowed either:
// both are reported through `observe` when they start failing (or fail differently) and once
// they work again, for the controller to show in status.
public import Foundation

/// Runs rollouts to completion, persisting every step (see the top of this file).
public struct RolloutDriver: Sendable {
  public struct Settings: Sendable {
    /// How often timeouts, retries, health and the operator's controls are looked at.
    public var tickInterval: Duration
    /// How long after its previous answer `newerRevision` is asked again.
    public var revisionPollInterval: Duration
    /// Finished rollouts kept in the record.
    public var historyLimit: Int
    /// Attempts to roll one site back before giving up on it.
    public var rollbackAttempts: Int
    /// Wait before the second rollback attempt; doubled after each, at most a minute.
    public var rollbackRetryDelay: Duration

    public init(
      tickInterval: Duration = .seconds(2), revisionPollInterval: Duration = .seconds(60),
      historyLimit: Int = 10, rollbackAttempts: Int = 5, rollbackRetryDelay: Duration = .seconds(5)
    ) {
      self.tickInterval = tickInterval
      self.revisionPollInterval = revisionPollInterval
      self.historyLimit = historyLimit
      self.rollbackAttempts = rollbackAttempts
      self.rollbackRetryDelay = rollbackRetryDelay
    }
  }

  public let targets: any RolloutTargets
  public let store: any RolloutStore
  public let settings: Settings
  /// What every wait of the driver sleeps on.
  public let clock: any Clock<Duration>
  private let now: @Sendable () -> Date
  private let observe: @Sendable (RolloutObservation) -> Void

  /// `now` gives the instants of events and of the record; it should follow `clock`.
  public init(
    targets: any RolloutTargets, store: any RolloutStore, settings: Settings = Settings(),
    clock: any Clock<Duration> = ContinuousClock(),
    now: @escaping @Sendable () -> Date = { Date() },
    observe: @escaping @Sendable (RolloutObservation) -> Void = { _ in }
  ) {
    self.targets = targets
    self.store = store
    self.settings = settings
    self.clock = clock
    self.now = now
    self.observe = observe
  }

  /// Rolls `revision` out — after finishing (or superseding) a rollout already in progress —
  /// and returns the record once no rollout is left to run. With `trigger` `.rollback`, what
  /// the fleet runs (the last rollout's revision and the last good one) is marked bad and
  /// `revision` goes to every site, with no automatic rollback of its own. During a rollout,
  /// `newerRevision` is asked for a newer commit to supersede it (nil: none); when it throws,
  /// the failure is reported (`.pollFailed`) and the rollout goes on.
  public func run(
    revision: String, trigger: RolloutTrigger = .newCommit,
    newerRevision: (@Sendable () async throws -> String?)? = nil
  ) async throws(RolloutDriverError) -> RolloutRecord {
    var record = try await load()
    var sources = SourceFailures()
    var request: (revision: String, trigger: RolloutTrigger)? = (revision, trigger)
    if trigger == .rollback {
      // What the fleet runs now, the last rollout's revision and the last good one, is bad.
      let current = [record.current?.revision, record.lastGoodRevision].compactMap { $0 }
      for bad in Set(current) where bad != revision && !record.isBad(bad) {
        record.markBad(
          bad, reason: "an operator rolled back to \(shortRevision(revision))", at: now())
      }
      try await save(record)
    }
    // The engine of a rollout `start` just made: `drive` goes on with it rather than preparing
    // and estimating the revision again.
    var started: RolloutEngine? = nil
    while true {
      if let active = record.active {
        var supersedeWith: String? = nil
        if let pending = request, pending.revision != active.revision,
          pending.trigger == .rollback || !record.isBad(pending.revision)
        {
          supersedeWith = pending.revision
        } else if request?.revision == active.revision {
          request = nil
        }
        // A rollout just started has stored its first actions as applying sites, like one
        // interrupted there: both go on from the record.
        if started == nil { observe(.resumed(active)) }
        let engine = started
        started = nil
        try await drive(
          &record, engine: engine, actions: Self.resumeActions(active),
          supersedeWith: supersedeWith, newerRevision: newerRevision, sources: &sources)
        if case .superseded(let newer) = record.current?.phase {
          if request?.revision != newer { request = (newer, .newCommit) }
        } else if let queued = record.queuedRevision {
          record.queuedRevision = nil
          try await save(record)
          if request?.revision != queued { request = (queued, .newCommit) }
        }
        continue
      }
      guard let next = request else { return record }
      request = nil
      started = try await start(next.revision, trigger: next.trigger, &record, sources: &sources)
    }
  }

  // MARK: Starting

  /// Starts a rollout of `revision` in the record and stores it; its first actions are taken
  /// from the record by `drive`. Returns the rollout's engine when a rollout is now in progress.
  private func start(
    _ revision: String, trigger: RolloutTrigger, _ record: inout RolloutRecord,
    sources: inout SourceFailures
  ) async throws(RolloutDriverError) -> RolloutEngine? {
    if trigger != .rollback, let bad = record.badRevisions.first(where: { $0.revision == revision })
    {
      observe(
        .nothingToDo(
          "revision \(shortRevision(revision)) is marked bad (\(bad.reason)); "
            + "waiting for a newer commit"))
      return nil
    }
    // After a superseded rollout some sites run the superseded revision: everyone gets this one.
    let supersededBefore = if case .superseded = record.current?.phase { true } else { false }
    let catchUp =
      trigger == .newCommit && revision == record.lastGoodRevision && !supersededBefore
    if catchUp && record.behindSites.isEmpty {
      observe(.nothingToDo("every site is at \(shortRevision(revision)) already"))
      return nil
    }
    let prepared: PreparedRevision
    do {
      prepared = try await targets.prepare(revision: revision)
    } catch {
      let reason = "revision \(shortRevision(revision)) cannot be rolled out: \(error)"
      record.markBad(revision, reason: reason, at: now())
      record.history.insert(
        .rejected(
          revision: revision, previousGood: record.lastGoodRevision, trigger: trigger,
          reason: reason, at: now()), at: 0)
      record.history = Array(record.history.prefix(max(settings.historyLimit, 1)))
      try await save(record)
      observe(.rejected(revision: revision, reason: reason))
      return nil
    }
    let sites =
      catchUp ? prepared.sites.filter { record.behindSites.contains($0.name) } : prepared.sites
    // Unreadable controls hold the rollout from its start.
    let controls = noteControls(await Self.outcome { try await store.controls() }, &sources)
    let engine = await engine(prepared, trigger: trigger, record: record)
    // A rollback's failing wave stops where it is: the revision it would return to is the one
    // the operator rolled back from.
    let (state, _) = engine.start(
      revision: revision, lastGoodRevision: trigger == .rollback ? nil : record.lastGoodRevision,
      sites: sites, at: now(), paused: controls?.paused ?? true)
    record.current = state
    record.currentTrigger = catchUp ? .catchUp : trigger
    record.rolloutNumber += 1
    // A rollout with nothing to do (no site in any wave) is over as it starts.
    if state.phase.isFinished { record.finish(at: now(), historyLimit: settings.historyLimit) }
    try await save(record)
    observe(.started(state, trigger: record.currentTrigger ?? trigger))
    if state.phase.isFinished, let summary = record.history.first { observe(.finished(summary)) }
    return state.phase.isFinished ? nil : engine
  }

  /// The engine of a rollout of `prepared`: its payloads estimated against the record's last
  /// good revision, all of it for the sites left behind (the same when the rollout starts and
  /// when it resumes), and a rollback
  /// ignoring maintenance windows, like an urgent revision.
  private func engine(
    _ prepared: PreparedRevision, trigger: RolloutTrigger, record: RolloutRecord
  ) async -> RolloutEngine {
    var prepared = prepared
    let estimates = await targets.payloads(
      of: prepared.revision, replacing: record.lastGoodRevision, behind: Set(record.behindSites))
    prepared.payloadBytes = estimates.bytes
    if let reason = estimates.unknown.sorted(by: { $0.key < $1.key }).first?.value {
      observe(.payloadsUnknown(sites: estimates.unknown.count, reason: reason))
    }
    if trigger == .rollback { prepared.urgent = true }
    return RolloutEngine(policy: prepared.policy, traffic: prepared.traffic)
  }

  /// What a resumed rollout must do again: apply sites recorded as applying, roll back sites
  /// recorded as rolling back (verifying sites are checked on the next tick).
  static func resumeActions(_ state: RolloutState) -> [RolloutAction] {
    guard let wave = state.currentWave else { return [] }
    let again: [RolloutAction] = state.waves[wave].sites.compactMap { site in
      switch site.phase {
      case .applying: .apply(site: site.name, revision: state.revision)
      case .rollingBack: state.lastGoodRevision.map { .rollback(site: site.name, toRevision: $0) }
      default: nil
      }
    }
    // Pre-staging that was under way when the driver stopped (this wave's or one ahead).
    let prestaging = state.waves[wave...].flatMap(\.sites).compactMap {
      site -> RolloutAction? in
      guard site.phase == .pending, case .pulling = site.prestage else { return nil }
      return .prestage(site: site.name, revision: state.revision)
    }
    return again + prestaging
  }

  // MARK: Driving

  private enum Input: Sendable {
    case event(RolloutEvent)
    case applyFinished(site: String, RolloutEvent)
    case healthChecked(site: String, [RolloutEvent])
    case tick
    case controls(Result<RolloutControls, any Error>)
    case polled(Result<String?, any Error>)
    /// A wait cut short because the driver is stopping.
    case stopping
  }

  /// Runs the record's current rollout until it finishes, storing each step before acting on it.
  /// `engine`: the one `start` made for this rollout; nil for a rollout resumed from the record.
  private func drive(
    _ record: inout RolloutRecord, engine started: RolloutEngine?, actions initial: [RolloutAction],
    supersedeWith: String?, newerRevision: (@Sendable () async throws -> String?)?,
    sources: inout SourceFailures
  ) async throws(RolloutDriverError) {
    guard var state = record.current else { return }
    let engine: RolloutEngine
    if let started {
      engine = started
    } else {
      let prepared: PreparedRevision
      do {
        prepared = try await targets.prepare(revision: state.revision)
      } catch {
        throw .cannotResume(revision: state.revision, reason: "\(error)")
      }
      engine = await self.engine(
        prepared, trigger: record.currentTrigger ?? .newCommit, record: record)
    }
    var working = record
    var failures = sources
    let outcome: Result<Void, RolloutDriverError> = await withTaskGroup(of: Input.self) { group in
      var checking: Set<String> = []
      var applying: Set<String> = []
      var readingControls = false
      // A site's rollback waits for its apply in flight, which would otherwise land after it.
      var rollbacksAfterApply: [String: String] = [:]
      func rollBack(_ site: String, to revision: String) {
        group.addTask { .event(await self.rollBack(site, to: revision)) }
      }
      func launch(_ actions: [RolloutAction]) {
        for action in actions {
          switch action {
          case .apply(let site, let revision):
            applying.insert(site)
            group.addTask { .applyFinished(site: site, await self.apply(revision, to: site)) }
          case .rollback(let site, let revision):
            if applying.contains(site) {
              rollbacksAfterApply[site] = revision
            } else {
              rollBack(site, to: revision)
            }
          case .prestage(let site, let revision):
            let bytes = engine.traffic.payload(of: site)
            group.addTask { .event(await self.prestage(revision, to: site, payloadBytes: bytes)) }
          case .checkHealth(let site):
            guard checking.insert(site).inserted else { continue }
            let revision = state.revision
            group.addTask { .healthChecked(site: site, await self.checkHealth(site, revision)) }
          }
        }
      }
      func scheduleTick() {
        group.addTask {
          guard await self.wait(self.settings.tickInterval) else { return .stopping }
          return .tick
        }
      }
      func readControls() {
        guard !readingControls else { return }
        readingControls = true
        group.addTask { .controls(await Self.outcome { try await self.store.controls() }) }
      }
      func schedulePoll() {
        guard let newerRevision else { return }
        group.addTask {
          guard await self.wait(self.settings.revisionPollInterval) else { return .stopping }
          return .polled(await Self.outcome { try await newerRevision() })
        }
      }
      launch(initial)
      scheduleTick()
      schedulePoll()
      var pendingEvents: [RolloutEvent] = supersedeWith.map { [.newRevision($0, at: now())] } ?? []
      while !state.phase.isFinished {
        if Task.isCancelled {
          group.cancelAll()
          return .failure(.cancelled)
        }
        if pendingEvents.isEmpty {
          guard let input = await group.next() else { break }
          switch input {
          case .event(let event):
            pendingEvents.append(event)
          case .applyFinished(let site, let event):
            applying.remove(site)
            if let revision = rollbacksAfterApply.removeValue(forKey: site) {
              rollBack(site, to: revision)
            }
            pendingEvents.append(event)
          case .healthChecked(let site, let events):
            checking.remove(site)
            pendingEvents += events
          case .tick:
            pendingEvents.append(.tick(now()))
            readControls()
            scheduleTick()
          case .controls(let result):
            readingControls = false
            let controls = noteControls(result, &failures)
            pendingEvents += controlEvents(
              controls, for: state, rollout: working.currentRolloutID)
          case .polled(let result):
            if let newer = notePoll(result, &failures), newer != state.revision,
              newer != working.queuedRevision, !working.isBad(newer)
            {
              pendingEvents.append(.newRevision(newer, at: now()))
            }
            schedulePoll()
          case .stopping:
            break
          }
          continue
        }
        let event = pendingEvents.removeFirst()
        let before = state
        let (after, actions) = engine.reduce(state, event)
        state = after
        if case .newRevision(let newer, _) = event, case .rollingBack = after.phase {
          working.queuedRevision = newer
          observe(.queued(revision: newer))
        }
        guard Self.differs(before, after) || !actions.isEmpty || event.isNewRevision else {
          continue
        }
        working.current = state
        if state.phase.isFinished { working.finish(at: now(), historyLimit: settings.historyLimit) }
        do {
          try await store.save(working)
        } catch {
          group.cancelAll()
          return .failure(.store("\(error)"))
        }
        observe(.changed(from: before, to: state))
        if let summary = working.history.first, state.phase.isFinished {
          observe(.finished(summary))
        }
        launch(actions)
      }
      group.cancelAll()
      return .success(())
    }
    record = working
    sources = failures
    try outcome.get()
  }

  /// Pause, resume and promotions the operator asked for that the state does not reflect yet;
  /// without readable `controls`, a pause.
  private func controlEvents(
    _ controls: RolloutControls?, for state: RolloutState, rollout: String?
  ) -> [RolloutEvent] {
    guard let controls else { return state.paused ? [] : [.pause] }
    var events: [RolloutEvent] = []
    if controls.paused && !state.paused { events.append(.pause) }
    if !controls.paused && state.paused { events.append(.resume(at: now())) }
    if case .waitingForPromotion(let wave) = state.phase, let rollout,
      controls.promotes(rollout: rollout, wave: state.waves[wave].name)
    {
      events.append(.promote(wave: state.waves[wave].name))
    }
    if state.urgentSince == nil, controls.isUrgent(state.revision) {
      events.append(.markedUrgent(at: now()))
    }
    return events
  }

  // MARK: Reads beside the rollout

  /// The last failure of each read, so a failure is reported when it starts or changes and its
  /// end once.
  private struct SourceFailures {
    var controls: String?
    var poll: String?
  }

  /// The operator's controls, or nil when they could not be read; reports a change.
  private func noteControls(
    _ result: Result<RolloutControls, any Error>, _ failures: inout SourceFailures
  ) -> RolloutControls? {
    note(
      result, lastFailure: &failures.controls, failed: RolloutObservation.controlsUnreadable,
      recovered: .controlsReadable)
  }

  /// The revision a poll found, if any; reports a change.
  private func notePoll(
    _ result: Result<String?, any Error>, _ failures: inout SourceFailures
  ) -> String? {
    note(
      result, lastFailure: &failures.poll, failed: RolloutObservation.pollFailed,
      recovered: .pollRecovered) ?? nil
  }

  /// What a read gave, or nil when it failed; reports a failure when it starts or changes, and
  /// `recovered` at the first success after one.
  private func note<Value>(
    _ result: Result<Value, any Error>, lastFailure: inout String?,
    failed: (String) -> RolloutObservation, recovered: RolloutObservation
  ) -> Value? {
    switch result {
    case .success(let value):
      if lastFailure != nil {
        lastFailure = nil
        observe(recovered)
      }
      return value
    case .failure(let error):
      let reason = "\(error)"
      if lastFailure != reason {
        lastFailure = reason
        observe(failed(reason))
      }
      return nil
    }
  }

  /// Sleeps `duration` on the driver's clock; false when cut short by cancellation.
  private func wait(_ duration: Duration) async -> Bool {
    do {
      try await clock.sleep(for: duration)
      return true
    } catch {
      return false
    }
  }

  private static func outcome<Value>(
    _ read: () async throws -> Value
  ) async -> Result<Value, any Error> {
    do {
      return .success(try await read())
    } catch {
      return .failure(error)
    }
  }

  /// Whether anything but the clock changed: ticks that change nothing are not stored.
  private static func differs(_ a: RolloutState, _ b: RolloutState) -> Bool {
    var a = a
    a.clock = b.clock
    return a != b
  }

  // MARK: Actions

  private func apply(_ revision: String, to site: String) async -> RolloutEvent {
    switch await targets.apply(revision: revision, to: site) {
    case .done: .applied(site: site, at: now())
    case .unreachable: .unreachable(site: site, at: now())
    case .failed(let reason): .applyFailed(site: site, reason: reason, at: now())
    }
  }

  private func prestage(_ revision: String, to site: String, payloadBytes: Int64?) async
    -> RolloutEvent
  {
    switch await targets.prestage(revision: revision, to: site, payloadBytes: payloadBytes) {
    case .done: .prestaged(site: site, at: now())
    case .unreachable(let why), .failed(let why):
      .prestageFailed(site: site, reason: why, at: now())
    }
  }

  private func rollBack(_ site: String, to revision: String) async -> RolloutEvent {
    var delay = settings.rollbackRetryDelay
    var reason = ""
    for attempt in 1...max(settings.rollbackAttempts, 1) {
      switch await targets.apply(revision: revision, to: site) {
      case .done: return .rolledBack(site: site, at: now())
      case .unreachable(let why), .failed(let why): reason = why
      }
      guard attempt < settings.rollbackAttempts, await wait(delay) else { break }
      delay = min(delay * 2, .seconds(60))
    }
    return .rollbackFailed(
      site: site, reason: "\(reason) (after \(max(settings.rollbackAttempts, 1)) attempts)",
      at: now())
  }

  /// The health check's events: the health, after `.transferred` when the site's images are
  /// pulled (the real fleet's only way to tell a pull has ended).
  private func checkHealth(_ site: String, _ revision: String) async -> [RolloutEvent] {
    switch await targets.health(of: site, at: revision) {
    case .health(let health, let pulled):
      let at = now()
      return (pulled ? [.transferred(site: site, at: at)] : [])
        + [.health(site: site, status: health.status, at: at, detail: health.description)]
    case .unreachable:
      return [.unreachable(site: site, at: now())]
    }
  }

  // MARK: Store

  private func load() async throws(RolloutDriverError) -> RolloutRecord {
    do {
      return try await store.load() ?? RolloutRecord()
    } catch {
      throw .store("\(error)")
    }
  }

  private func save(_ record: RolloutRecord) async throws(RolloutDriverError) {
    do {
      try await store.save(record)
    } catch {
      throw .store("\(error)")
    }
  }
}

/// Why the driver stopped before its rollouts finished. The record stays as stored: running the
/// driver again resumes.
public enum RolloutDriverError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The rollout state could not be read or written.
  case store(String)
  /// The revision of the rollout in progress can no longer be read or rendered.
  case cannotResume(revision: String, reason: String)
  /// The task running the driver was cancelled (the controller is stopping).
  case cancelled

  public var description: String {
    switch self {
    case .store(let reason): "cannot read or store the rollout state: \(reason)"
    case .cannotResume(let revision, let reason):
      "cannot resume the rollout of \(revision): \(reason)"
    case .cancelled: "stopped before the rollout finished; run again to resume it"
    }
  }
}

/// What the driver reports as it goes, for progress output.
public enum RolloutObservation: Sendable {
  case started(RolloutState, trigger: RolloutTrigger)
  case resumed(RolloutState)
  case changed(from: RolloutState, to: RolloutState)
  case finished(RolloutSummary)
  case rejected(revision: String, reason: String)
  case queued(revision: String)
  case nothingToDo(String)
  /// The operator's controls cannot be read (the reason): the rollout holds until they can.
  /// Reported when reads start failing and when the reason changes.
  case controlsUnreadable(String)
  /// The controls are read again after `controlsUnreadable`: they decide again.
  case controlsReadable
  /// Asking for a newer revision failed (the reason); the rollout goes on. Reported when polls
  /// start failing and when the reason changes.
  case pollFailed(String)
  /// A poll answered again after `pollFailed`.
  case pollRecovered
  /// The payloads of `sites` sites could not be sized (one of the reasons): they are scheduled
  /// as the longest transfers.
  case payloadsUnknown(sites: Int, reason: String)
}

extension RolloutEvent {
  fileprivate var isNewRevision: Bool {
    if case .newRevision = self { true } else { false }
  }
}
