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
// the driver stops it (after in-flight site operations return); running it again resumes. A revision that cannot be rendered is refused before
// any site is touched and marked bad. Every tick the driver reads the operator's controls
// (pause, resume, promote) and, every `revisionPollInterval`, asks for a newer revision.
public import Foundation

/// Runs rollouts to completion, persisting every step (see the top of this file).
public struct RolloutDriver: Sendable {
  public struct Settings: Sendable {
    /// How often timeouts, retries, health and the operator's controls are looked at.
    public var tickInterval: Duration
    /// How often `newerRevision` is asked.
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
  private let now: @Sendable () -> Date
  private let observe: @Sendable (RolloutObservation) -> Void

  public init(
    targets: any RolloutTargets, store: any RolloutStore, settings: Settings = Settings(),
    now: @escaping @Sendable () -> Date = { Date() },
    observe: @escaping @Sendable (RolloutObservation) -> Void = { _ in }
  ) {
    self.targets = targets
    self.store = store
    self.settings = settings
    self.now = now
    self.observe = observe
  }

  /// Rolls `revision` out — after finishing (or superseding) a rollout already in progress —
  /// and returns the record once no rollout is left to run. With `trigger` `.rollback`, what
  /// the fleet runs (the last rollout's revision and the last good one) is marked bad and
  /// `revision` goes to every site, with no automatic rollback of its own.
  public func run(
    revision: String, trigger: RolloutTrigger = .newCommit,
    newerRevision: (@Sendable () async -> String?)? = nil
  ) async throws(RolloutDriverError) -> RolloutRecord {
    var record = try await load()
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
    var started = false
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
        if !started { observe(.resumed(active)) }
        started = false
        try await drive(
          &record, actions: Self.resumeActions(active), supersedeWith: supersedeWith,
          newerRevision: newerRevision)
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
      started = try await start(next.revision, trigger: next.trigger, &record)
    }
  }

  // MARK: Starting

  /// Starts a rollout of `revision` in the record and stores it; its first actions are taken
  /// from the record by `drive`. Returns whether a rollout is now in progress.
  private func start(
    _ revision: String, trigger: RolloutTrigger, _ record: inout RolloutRecord
  ) async throws(RolloutDriverError) -> Bool {
    if trigger != .rollback, let bad = record.badRevisions.first(where: { $0.revision == revision })
    {
      observe(
        .nothingToDo(
          "revision \(shortRevision(revision)) is marked bad (\(bad.reason)); "
            + "waiting for a newer commit"))
      return false
    }
    // After a superseded rollout some sites run the superseded revision: everyone gets this one.
    let supersededBefore = if case .superseded = record.current?.phase { true } else { false }
    let catchUp =
      trigger == .newCommit && revision == record.lastGoodRevision && !supersededBefore
    if catchUp && record.behindSites.isEmpty {
      observe(.nothingToDo("every site is at \(shortRevision(revision)) already"))
      return false
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
      return false
    }
    let sites =
      catchUp ? prepared.sites.filter { record.behindSites.contains($0.name) } : prepared.sites
    let controls = try? await store.controls()
    let engine = RolloutEngine(policy: prepared.policy)
    // A rollback's failing wave stops where it is: the revision it would return to is the one
    // the operator rolled back from.
    let (state, _) = engine.start(
      revision: revision, lastGoodRevision: trigger == .rollback ? nil : record.lastGoodRevision,
      sites: sites, at: now(), paused: controls?.paused ?? false)
    record.current = state
    record.currentTrigger = catchUp ? .catchUp : trigger
    record.rolloutNumber += 1
    // A rollout with nothing to do (no site in any wave) is over as it starts.
    if state.phase.isFinished { record.finish(at: now(), historyLimit: settings.historyLimit) }
    try await save(record)
    observe(.started(state, trigger: record.currentTrigger ?? trigger))
    if state.phase.isFinished, let summary = record.history.first { observe(.finished(summary)) }
    return !state.phase.isFinished
  }

  /// What a resumed rollout must do again: apply sites recorded as applying, roll back sites
  /// recorded as rolling back (verifying sites are checked on the next tick).
  static func resumeActions(_ state: RolloutState) -> [RolloutAction] {
    guard let wave = state.currentWave else { return [] }
    return state.waves[wave].sites.compactMap { site in
      switch site.phase {
      case .applying: .apply(site: site.name, revision: state.revision)
      case .rollingBack: state.lastGoodRevision.map { .rollback(site: site.name, toRevision: $0) }
      default: nil
      }
    }
  }

  // MARK: Driving

  private enum Input: Sendable {
    case event(RolloutEvent)
    case applyFinished(site: String, RolloutEvent)
    case healthChecked(site: String, RolloutEvent)
    case tick
  }

  /// Runs the record's current rollout until it finishes, storing each step before acting on it.
  private func drive(
    _ record: inout RolloutRecord, actions initial: [RolloutAction], supersedeWith: String?,
    newerRevision: (@Sendable () async -> String?)?
  ) async throws(RolloutDriverError) {
    guard var state = record.current else { return }
    let prepared: PreparedRevision
    do {
      prepared = try await targets.prepare(revision: state.revision)
    } catch {
      throw .cannotResume(revision: state.revision, reason: "\(error)")
    }
    let engine = RolloutEngine(policy: prepared.policy)
    var working = record
    let outcome: Result<Void, RolloutDriverError> = await withTaskGroup(of: Input.self) { group in
      var checking: Set<String> = []
      var applying: Set<String> = []
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
          case .checkHealth(let site):
            guard checking.insert(site).inserted else { continue }
            let revision = state.revision
            group.addTask { .healthChecked(site: site, await self.checkHealth(site, revision)) }
          }
        }
      }
      func scheduleTick() {
        group.addTask {
          try? await Task.sleep(for: self.settings.tickInterval)
          return .tick
        }
      }
      launch(initial)
      scheduleTick()
      var pendingEvents: [RolloutEvent] = supersedeWith.map { [.newRevision($0, at: now())] } ?? []
      var lastPoll = ContinuousClock.now
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
          case .healthChecked(let site, let event):
            checking.remove(site)
            pendingEvents.append(event)
          case .tick:
            pendingEvents += await controlEvents(for: state, rollout: working.currentRolloutID)
            if let newerRevision, ContinuousClock.now - lastPoll >= settings.revisionPollInterval {
              lastPoll = ContinuousClock.now
              if let newer = await newerRevision(), newer != state.revision,
                newer != working.queuedRevision, !working.isBad(newer)
              {
                pendingEvents.append(.newRevision(newer, at: now()))
              }
            }
            pendingEvents.append(.tick(now()))
            scheduleTick()
          }
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
    try outcome.get()
  }

  /// Pause, resume and promotions the operator asked for that the state does not reflect yet.
  private func controlEvents(for state: RolloutState, rollout: String?) async -> [RolloutEvent] {
    guard let controls = try? await store.controls() else { return [] }
    var events: [RolloutEvent] = []
    if controls.paused && !state.paused { events.append(.pause) }
    if !controls.paused && state.paused { events.append(.resume(at: now())) }
    if case .waitingForPromotion(let wave) = state.phase, let rollout,
      controls.promotes(rollout: rollout, wave: state.waves[wave].name)
    {
      events.append(.promote(wave: state.waves[wave].name))
    }
    return events
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

  private func rollBack(_ site: String, to revision: String) async -> RolloutEvent {
    var delay = settings.rollbackRetryDelay
    var reason = ""
    for attempt in 1...max(settings.rollbackAttempts, 1) {
      switch await targets.apply(revision: revision, to: site) {
      case .done: return .rolledBack(site: site, at: now())
      case .unreachable(let why), .failed(let why): reason = why
      }
      guard attempt < settings.rollbackAttempts, !Task.isCancelled else { break }
      try? await Task.sleep(for: delay)
      delay = min(delay * 2, .seconds(60))
    }
    return .rollbackFailed(
      site: site, reason: "\(reason) (after \(max(settings.rollbackAttempts, 1)) attempts)",
      at: now())
  }

  private func checkHealth(_ site: String, _ revision: String) async -> RolloutEvent {
    switch await targets.health(of: site, at: revision) {
    case .health(let health):
      .health(site: site, status: health.status, at: now(), detail: health.description)
    case .unreachable:
      .unreachable(site: site, at: now())
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
}

extension RolloutEvent {
  fileprivate var isNewRevision: Bool {
    if case .newRevision = self { true } else { false }
  }
}
