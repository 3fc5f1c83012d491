public import Foundation

/// Everything the driver keeps across restarts: the rollout in progress (or the last one), the
/// fleet's last good revision, revisions known to be bad, sites left behind, and the history of
/// past rollouts. Stored as JSON in the Kubernetes API (see `RolloutStore`).
public struct RolloutRecord: Sendable, Hashable, Codable {
  /// The rollout in progress, or the last one once it finished.
  public var current: RolloutState?
  /// Why `current` was started.
  public var currentTrigger: RolloutTrigger?
  /// The revision of the last rollout that succeeded, which rollbacks return to; `nil` before
  /// the first success. Sites run it unless they are behind, or belong to a wave that passed
  /// before a later wave of a failed revision failed: those keep the failed revision (healthy
  /// there, and never rolled back) until the next rollout or `rollback --to`.
  public var lastGoodRevision: String?
  /// Revisions that failed a wave (or could not be rendered) or that an operator rolled back
  /// from: never rolled out again, newest first.
  public var badRevisions: [BadRevision]
  /// Sites that missed the last good revision (skipped while unreachable, or whose rollback
  /// failed): the next rollout of the last good revision catches them up.
  public var behindSites: [String]
  /// A revision that arrived while a rollback ran; started when it completes.
  public var queuedRevision: String?
  /// Finished rollouts, newest first.
  public var history: [RolloutSummary]
  /// How many rollouts were started: numbers them, so a promotion is for one rollout only.
  public var rolloutNumber: Int

  public init(
    current: RolloutState? = nil, currentTrigger: RolloutTrigger? = nil,
    lastGoodRevision: String? = nil, badRevisions: [BadRevision] = [], behindSites: [String] = [],
    queuedRevision: String? = nil, history: [RolloutSummary] = [], rolloutNumber: Int = 0
  ) {
    self.current = current
    self.currentTrigger = currentTrigger
    self.lastGoodRevision = lastGoodRevision
    self.badRevisions = badRevisions
    self.behindSites = behindSites
    self.queuedRevision = queuedRevision
    self.history = history
    self.rolloutNumber = rolloutNumber
  }

  /// How many revisions `badRevisions` remembers.
  public static let badRevisionLimit = 20

  public func isBad(_ revision: String) -> Bool {
    badRevisions.contains { $0.revision == revision }
  }

  /// `<revision>#<number>`: names the current rollout, for promotions.
  public var currentRolloutID: String? {
    current.map { "\($0.revision)#\(rolloutNumber)" }
  }

  /// The rollout in progress, if one is.
  public var active: RolloutState? {
    guard let current, !current.phase.isFinished else { return nil }
    return current
  }

  /// Records `revision` as refused before any site was touched (it cannot be rendered): marked
  /// bad, and a `rejected` entry in the history.
  public mutating func reject(
    _ revision: String, trigger: RolloutTrigger, reason: String, at: Date, historyLimit: Int
  ) {
    markBad(revision, reason: reason, at: at)
    history.insert(
      .rejected(
        revision: revision, previousGood: lastGoodRevision, trigger: trigger, reason: reason,
        at: at), at: 0)
    history = Array(history.prefix(max(historyLimit, 1)))
  }

  mutating func markBad(_ revision: String, reason: String, at: Date) {
    badRevisions.removeAll { $0.revision == revision }
    badRevisions.insert(BadRevision(revision: revision, reason: reason, at: at), at: 0)
    badRevisions = Array(badRevisions.prefix(Self.badRevisionLimit))
  }

  /// Records the outcome of `current`, which just finished, and keeps `historyLimit` entries.
  mutating func finish(at: Date, historyLimit: Int) {
    guard let state = current, state.phase.isFinished else { return }
    let trigger = currentTrigger ?? .newCommit
    let previousGood = lastGoodRevision
    let skipped = state.siteNames { if case .skipped = $0 { true } else { false } }
    switch state.phase {
    case .succeeded:
      lastGoodRevision = state.revision
      // An operator may roll back to a revision that failed once; it is good now.
      badRevisions.removeAll { $0.revision == state.revision }
      behindSites =
        trigger == .catchUp
        ? behindSites.filter { name in state.phase(of: name).map(\.isHealthy) != true } : skipped
    case .rolledBack(let reason):
      if trigger != .catchUp { markBad(state.revision, reason: reason, at: at) }
      let stuck = state.siteNames {
        if case .failed(let why) = $0 { why.hasPrefix("rollback failed") } else { false }
      }
      behindSites = Array(Set(behindSites + skipped + stuck)).sorted()
    default:
      break
    }
    history.insert(
      RolloutSummary(state, previousGood: previousGood, trigger: trigger, finishedAt: at), at: 0)
    history = Array(history.prefix(max(historyLimit, 1)))
  }
}

/// Why a rollout was started.
public enum RolloutTrigger: String, Sendable, Hashable, Codable {
  /// A commit newer than the last good revision.
  case newCommit
  /// `wavesync rollback --to`: an operator asked for an earlier revision.
  case rollback
  /// The last good revision again, for sites that missed it.
  case catchUp
}

public struct BadRevision: Sendable, Hashable, Codable {
  public var revision: String
  public var reason: String
  public var at: Date
}

/// One finished rollout, as `wavesync history` shows it.
public struct RolloutSummary: Sendable, Hashable, Codable {
  public enum Outcome: String, Sendable, Hashable, Codable {
    case succeeded, rolledBack, superseded, rejected
  }

  public var revision: String
  public var previousGoodRevision: String?
  public var trigger: RolloutTrigger
  public var outcome: Outcome
  /// Why it rolled back, was rejected, or which revision superseded it.
  public var reason: String?
  public var startedAt: Date
  public var finishedAt: Date
  /// Per wave: its name and how many of its sites ended healthy, failed, skipped, rolled back,
  /// or were never reached.
  public var waves: [WaveSummary]

  public init(
    revision: String, previousGoodRevision: String?, trigger: RolloutTrigger, outcome: Outcome,
    reason: String?, startedAt: Date, finishedAt: Date, waves: [WaveSummary]
  ) {
    self.revision = revision
    self.previousGoodRevision = previousGoodRevision
    self.trigger = trigger
    self.outcome = outcome
    self.reason = reason
    self.startedAt = startedAt
    self.finishedAt = finishedAt
    self.waves = waves
  }

  init(_ state: RolloutState, previousGood: String?, trigger: RolloutTrigger, finishedAt: Date) {
    let outcome: Outcome
    var reason: String? = nil
    switch state.phase {
    case .succeeded: outcome = .succeeded
    case .rolledBack(let why):
      outcome = .rolledBack
      reason = why
    case .superseded(let newer):
      outcome = .superseded
      reason = "superseded by \(shortRevision(newer))"
    default:
      outcome = .superseded
    }
    self.init(
      revision: state.revision, previousGoodRevision: previousGood, trigger: trigger,
      outcome: outcome, reason: reason, startedAt: state.startedAt, finishedAt: finishedAt,
      waves: state.waves.map(WaveSummary.init))
  }

  /// A revision refused before any site was touched (it could not be rendered).
  static func rejected(
    revision: String, previousGood: String?, trigger: RolloutTrigger, reason: String, at: Date
  ) -> RolloutSummary {
    RolloutSummary(
      revision: revision, previousGoodRevision: previousGood, trigger: trigger,
      outcome: .rejected, reason: reason, startedAt: at, finishedAt: at, waves: [])
  }
}

public struct WaveSummary: Sendable, Hashable, Codable {
  public var name: String
  public var healthy: Int
  public var failed: Int
  public var skipped: Int
  public var rolledBack: Int
  public var untouched: Int

  init(_ wave: WaveState) {
    name = wave.name
    (healthy, failed, skipped, rolledBack, untouched) = (0, 0, 0, 0, 0)
    for site in wave.sites {
      switch site.phase {
      case .healthy: healthy += 1
      case .failed: failed += 1
      case .skipped: skipped += 1
      case .rolledBack, .rollingBack: rolledBack += 1
      case .pending, .applying, .verifying, .unreachable: untouched += 1
      }
    }
  }
}

extension RolloutState {
  /// The sites of every wave whose phase matches.
  func siteNames(where matches: (SitePhase) -> Bool) -> [String] {
    waves.flatMap(\.sites).filter { matches($0.phase) }.map(\.name)
  }
}
