public import Foundation
public import Rollout

/// A `Fleet`'s status. Its size does not depend on the number of sites: each site's state is a
/// `FleetSite` of its own (`FleetSiteStatus`); here are counts, the rollout's phase and waves,
/// and bounded lists (bad revisions, history).
public struct FleetStatus: Sendable, Hashable, Codable {
  // Written by the reconcile.
  public var observedGeneration: Int?
  public var conditions: [FleetCondition]
  /// The newest commit fetched from the source.
  public var fetchedRevision: String?
  /// When the source stopped answering; nil while it answers.
  public var gitOfflineSince: Date?
  /// Why the last look for a newer commit failed; nil after one that worked.
  public var lastPollError: String?
  /// Why the operator's controls (the spec) could not be read; new site changes are held
  /// until they can. Nil while they can.
  public var controlsError: String?
  /// The `spec.rollbackTo` already acted on.
  public var observedRollbackTo: String?

  // Written by the rollout state store (`FleetStateStore`).
  /// Numbers the store's writes: site states written for a later number are not committed yet.
  public var stateSequence: Int
  public var lastGoodRevision: String?
  public var badRevisions: [BadRevision]
  public var queuedRevision: String?
  public var history: [RolloutSummary]
  public var rolloutNumber: Int
  public var rollout: FleetRolloutStatus?
  public var sites: FleetSiteCounts

  public init(
    observedGeneration: Int? = nil, conditions: [FleetCondition] = [],
    fetchedRevision: String? = nil, gitOfflineSince: Date? = nil, lastPollError: String? = nil,
    observedRollbackTo: String? = nil, stateSequence: Int = 0, lastGoodRevision: String? = nil,
    badRevisions: [BadRevision] = [], queuedRevision: String? = nil,
    history: [RolloutSummary] = [], rolloutNumber: Int = 0, rollout: FleetRolloutStatus? = nil,
    sites: FleetSiteCounts = FleetSiteCounts()
  ) {
    self.observedGeneration = observedGeneration
    self.conditions = conditions
    self.fetchedRevision = fetchedRevision
    self.gitOfflineSince = gitOfflineSince
    self.lastPollError = lastPollError
    self.observedRollbackTo = observedRollbackTo
    self.stateSequence = stateSequence
    self.lastGoodRevision = lastGoodRevision
    self.badRevisions = badRevisions
    self.queuedRevision = queuedRevision
    self.history = history
    self.rolloutNumber = rolloutNumber
    self.rollout = rollout
    self.sites = sites
  }

  public func condition(_ type: String) -> FleetCondition? {
    conditions.first { $0.type == type }
  }

  /// Sets a condition, keeping its transition time when its status did not change.
  public mutating func set(_ condition: FleetCondition) {
    var condition = condition
    if let index = conditions.firstIndex(where: { $0.type == condition.type }) {
      if conditions[index].status == condition.status {
        condition.lastTransitionTime = conditions[index].lastTransitionTime
      }
      conditions[index] = condition
    } else {
      conditions.append(condition)
    }
  }
}

/// A condition as Kubernetes writes them (`Ready`, `Reconciling`, `Stalled`, `GitOffline`).
public struct FleetCondition: Sendable, Hashable, Codable {
  public var type: String
  /// "True", "False" or "Unknown".
  public var status: String
  public var reason: String
  public var message: String
  public var observedGeneration: Int?
  public var lastTransitionTime: Date

  public init(
    type: String, status: Bool?, reason: String, message: String, observedGeneration: Int?,
    at: Date
  ) {
    self.type = type
    self.status = status.map { $0 ? "True" : "False" } ?? "Unknown"
    self.reason = reason
    self.message = message
    self.observedGeneration = observedGeneration
    self.lastTransitionTime = at
  }
}

/// The rollout in progress, or the last one.
public struct FleetRolloutStatus: Sendable, Hashable, Codable {
  /// `<revision>#<number>`: what promotions name and what each `FleetSite` of it carries.
  public var id: String
  public var revision: String
  public var trigger: RolloutTrigger?
  /// Running, WaitingForPromotion, Soaking, RollingBack, Succeeded, RolledBack or Superseded.
  public var phase: String
  /// The wave the phase is about.
  public var wave: String?
  public var paused: Bool
  public var startedAt: Date
  /// Why it rolled back or is rolling back, or what superseded it.
  public var reason: String?
  public var soakUntil: Date?
  public var waves: [FleetWaveCounts]
  public var unassignedSites: Int
  /// The rollout engine's own state, without its sites, reloaded as it was.
  public var engine: EngineRollout
}

/// What `RolloutState` holds besides its sites.
public struct EngineRollout: Sendable, Hashable, Codable {
  public var revision: String
  public var lastGoodRevision: String?
  public var waveNames: [String]
  public var phase: RolloutState.Phase
  public var paused: Bool
  public var startedAt: Date
  public var clock: Date
  public var failureReason: String?
  public var urgentSince: Date?
}

/// How the sites of one wave stand.
public struct FleetWaveCounts: Sendable, Hashable, Codable {
  public var name: String
  public var total: Int
  public var pending: Int
  public var inProgress: Int
  public var healthy: Int
  public var failed: Int
  public var skipped: Int
  public var rolledBack: Int
}

/// How the fleet's sites stand: every site with a `FleetSite`, at the revision it was last
/// rolled out to.
public struct FleetSiteCounts: Sendable, Hashable, Codable {
  public var total: Int
  public var healthy: Int
  public var failing: Int
  public var unreachable: Int
  public var behind: Int

  public init(
    total: Int = 0, healthy: Int = 0, failing: Int = 0, unreachable: Int = 0, behind: Int = 0
  ) {
    self.total = total
    self.healthy = healthy
    self.failing = failing
    self.unreachable = unreachable
    self.behind = behind
  }
}
