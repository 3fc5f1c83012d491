public import Foundation

/// Where one rollout of a revision stands: everything the engine needs to continue it, so it can
/// be persisted (as JSON, in a ConfigMap of the regional cluster) and reloaded after a restart.
/// The history of past rollouts is kept elsewhere.
///
/// Pausing is a separate flag (`paused`) rather than a phase: a paused rollout keeps its phase,
/// and its in-flight sites keep progressing on their events; only new `.apply` actions are held
/// back until `resume`.
public struct RolloutState: Sendable, Hashable, Codable {
  /// Where the rollout as a whole stands.
  public enum Phase: Sendable, Hashable, Codable {
    /// Sites of this wave (an index into `waves`) are being applied and verified.
    case running(wave: Int)
    /// This wave has a manual gate and waits for `.promote(wave:)` before it starts.
    case waitingForPromotion(wave: Int)
    /// This wave completed; the next one starts at the first tick at or after `until`.
    case soaking(wave: Int, until: Date)
    /// This wave failed; its sites that received the revision are being rolled back.
    case rollingBack(wave: Int)
    /// Every wave completed; `lastGoodRevision` is now `revision`.
    case succeeded
    /// A wave failed and was rolled back (or there was nothing to roll back to).
    case rolledBack(reason: String)
    /// A newer revision arrived; the caller starts a new rollout for it.
    case superseded(by: String)

    /// Whether the rollout is over: events change nothing and emit nothing.
    public var isFinished: Bool {
      switch self {
      case .succeeded, .rolledBack, .superseded: true
      default: false
      }
    }
  }

  /// The target commit id.
  public var revision: String
  /// The revision rollbacks return to; `nil` for the first rollout of a fleet.
  public var lastGoodRevision: String?
  /// The waves, in policy order. Setting them drops the derived site locations; the engine
  /// changes sites in place through `storedWaves`.
  public var waves: [WaveState] {
    get { storedWaves }
    set {
      storedWaves = newValue
      locations = DerivedCache()
    }
  }
  var storedWaves: [WaveState]
  /// Each site's wave and position, derived from the waves so events find their site at once.
  var locations = DerivedCache<[String: SiteLocation]>()
  public var phase: Phase
  /// Whether new `.apply` actions are held back (see the type's documentation).
  public var paused: Bool
  /// Sites no wave selects: recorded, never touched.
  public var unassignedSites: [String]
  public var startedAt: Date
  /// The latest instant the engine has seen in an event: the time of actions caused by events
  /// that carry none (`promote`, `pause`).
  public var clock: Date
  /// Why the failing wave failed, while it rolls back.
  public var failureReason: String?
  /// When the revision was marked urgent after the rollout started (`.markedUrgent`): from then
  /// on windows hold none of its sites.
  public var urgentSince: Date?

  public init(
    revision: String, lastGoodRevision: String?, waves: [WaveState], phase: Phase, paused: Bool,
    unassignedSites: [String], startedAt: Date, clock: Date, failureReason: String?,
    urgentSince: Date? = nil
  ) {
    self.revision = revision
    self.lastGoodRevision = lastGoodRevision
    self.storedWaves = waves
    self.phase = phase
    self.paused = paused
    self.unassignedSites = unassignedSites
    self.startedAt = startedAt
    self.clock = clock
    self.failureReason = failureReason
    self.urgentSince = urgentSince
  }

  private enum CodingKeys: String, CodingKey {
    case revision, lastGoodRevision, paused, unassignedSites, startedAt, clock, failureReason
    case urgentSince
    case phase
    case storedWaves = "waves"
  }

  /// Where `site` is among the waves; nil for unknown and unassigned sites.
  mutating func locate(_ site: String) -> SiteLocation? {
    if let known = locations.value { return known[site] }
    var built: [String: SiteLocation] = [:]
    for (wave, state) in storedWaves.enumerated() {
      for (index, site) in state.storedSites.enumerated() {
        built[site.name] = SiteLocation(wave: wave, index: index)
      }
    }
    locations.value = built
    return built[site]
  }

  /// The wave the phase is about, if any.
  public var currentWave: Int? {
    switch phase {
    case .running(let wave), .waitingForPromotion(let wave), .soaking(let wave, _),
      .rollingBack(let wave):
      wave
    case .succeeded, .rolledBack, .superseded: nil
    }
  }

  /// The phase of a site, wherever it is; `nil` for unknown and unassigned sites.
  public func phase(of site: String) -> SitePhase? {
    for wave in waves {
      if let state = wave.sites.first(where: { $0.name == site }) { return state.phase }
    }
    return nil
  }
}

/// A site's wave (an index into `RolloutState.waves`) and its position in that wave.
struct SiteLocation: Sendable, Hashable {
  var wave: Int
  var index: Int
}

/// One wave of a rollout: its name (from the policy) and its sites, in rollout order.
public struct WaveState: Sendable, Hashable, Codable {
  public var name: String
  /// The sites, in rollout order. Setting them drops the derived tally; the engine changes
  /// sites in place through `storedSites`, keeping the tally up to date.
  public var sites: [SiteState] {
    get { storedSites }
    set {
      storedSites = newValue
      tally = DerivedCache()
      windows = DerivedCache()
    }
  }
  var storedSites: [SiteState]
  /// Counts and shares of the sites' phases, kept by the engine so an event costs what it changed.
  var tally = DerivedCache<WaveTally>()
  /// What each site's windows said when the engine last asked, kept while it holds (apart from
  /// the tally, whose copies would otherwise copy it as answers are recorded).
  var windows = DerivedCache<WindowAnswers>()

  public init(name: String, sites: [SiteState]) {
    self.name = name
    self.storedSites = sites
  }

  private enum CodingKeys: String, CodingKey {
    case name
    case storedSites = "sites"
  }
}

/// A value derived from the state it sits in: not encoded, and equal whatever it holds, so two
/// states are equal when what they record is.
struct DerivedCache<Value: Sendable>: Sendable, Hashable {
  var value: Value?

  init(_ value: Value? = nil) { self.value = value }

  static func == (_: Self, _: Self) -> Bool { true }
  func hash(into _: inout Hasher) {}
}

/// One site of a wave, with the bookkeeping for retries and timeouts.
public struct SiteState: Sendable, Hashable, Codable {
  public var name: String
  public var phase: SitePhase
  /// When the first `.apply` was emitted: the health timeout runs from here.
  public var firstAttemptAt: Date?
  /// How many times the site was found unreachable.
  public var attempts: Int
  /// When an unreachable site is applied again.
  public var retryAt: Date?
  /// The last health reported while verifying, so a timeout can say what was still missing.
  public var lastHealth: String?
  /// When the site's payload arrived (`.transferred`): from then on it holds no uplink share.
  public var transferredAt: Date?
  /// Pre-staging of the revision's images before the site's cutover (nil: not attempted).
  public var prestage: Prestage?
  /// When a pending site's maintenance window opens next, recorded while it waits for it.
  public var windowOpensAt: Date?

  public init(
    name: String, phase: SitePhase = .pending, firstAttemptAt: Date? = nil, attempts: Int = 0,
    retryAt: Date? = nil, lastHealth: String? = nil, transferredAt: Date? = nil,
    prestage: Prestage? = nil, windowOpensAt: Date? = nil
  ) {
    self.name = name
    self.phase = phase
    self.firstAttemptAt = firstAttemptAt
    self.attempts = attempts
    self.retryAt = retryAt
    self.lastHealth = lastHealth
    self.transferredAt = transferredAt
    self.prestage = prestage
    self.windowOpensAt = windowOpensAt
  }
}

/// Where pre-staging a site's images stands.
public enum Prestage: Sendable, Hashable, Codable {
  /// `.prestage` was emitted at `since`.
  case pulling(since: Date)
  /// The images are on the site: its cutover moves only manifests.
  case pulled(at: Date)
  /// Pre-staging failed; the site pulls at its cutover, as without pre-staging.
  case failed(reason: String)

  public var isFailed: Bool { if case .failed = self { true } else { false } }
}

/// Where one site stands in a rollout.
public enum SitePhase: Sendable, Hashable, Codable {
  case pending
  /// `.apply` was emitted at `since`.
  case applying(since: Date)
  /// The revision is applied; waiting for health `Current`.
  case verifying(since: Date)
  case healthy(at: Date)
  case failed(reason: String)
  /// The site could not be reached `attempts` times; first attempt at `since`.
  case unreachable(attempts: Int, since: Date)
  case skipped(reason: String)
  case rollingBack
  case rolledBack

  /// Applying, verifying or waiting to retry: occupies one of the wave's concurrent slots.
  public var isInFlight: Bool {
    switch self {
    case .applying, .verifying, .unreachable: true
    default: false
    }
  }

  public var isHealthy: Bool { if case .healthy = self { true } else { false } }

  /// Healthy, skipped or failed: nothing more happens to it in this wave.
  public var isSettled: Bool {
    switch self {
    case .healthy, .skipped, .failed: true
    default: false
    }
  }
}
