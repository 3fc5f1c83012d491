public import Foundation
public import Rollout

/// What a `FleetSite`'s status says of its site: where it stands in the fleet's rollout, in
/// words for people (`phase`, `health`, `lastError`) and exactly for the controller (`engine`).
///
/// The store writes a site's state before the Fleet that commits it (see `FleetStateStore`), so
/// the status keeps the state it replaces under `previous` until a later write: a reader takes
/// `previous` when `sequence` is newer than the Fleet's `stateSequence` (a write the controller
/// never committed, and never acted on).
public struct FleetSiteStatus: Sendable, Hashable, Codable {
  public var state: SiteRecord
  public var previous: SiteRecord?

  public init(state: SiteRecord, previous: SiteRecord? = nil) {
    self.state = state
    self.previous = previous
  }

  /// The state as of the Fleet's `stateSequence`: the newest one written at or before it.
  public func committed(at sequence: Int) -> SiteRecord? {
    if state.sequence <= sequence { return state }
    if let previous, previous.sequence <= sequence { return previous }
    return nil
  }

  private enum Keys: String, CodingKey { case previous }

  public init(from decoder: any Decoder) throws {
    state = try SiteRecord(from: decoder)
    previous = try decoder.container(keyedBy: Keys.self).decodeIfPresent(
      SiteRecord.self, forKey: .previous)
  }

  public func encode(to encoder: any Encoder) throws {
    try state.encode(to: encoder)
    var container = encoder.container(keyedBy: Keys.self)
    try container.encodeIfPresent(previous, forKey: .previous)
  }
}

/// One site's part of the rollout record.
public struct SiteRecord: Sendable, Hashable, Codable {
  /// The Fleet's `stateSequence` this state was written for.
  public var sequence: Int
  /// `<revision>#<number>` of the rollout this site is in; nil when in none.
  public var rollout: String?
  public var wave: String?
  public var waveIndex: Int?
  /// The site's place in its wave's rollout order.
  public var position: Int?
  /// In the rollout but in no wave: recorded, never touched.
  public var unassigned: Bool?
  /// Pending, Applying, Verifying, Healthy, Failed, Unreachable, Skipped, RollingBack,
  /// RolledBack or Unassigned.
  public var phase: String
  public var desiredRevision: String?
  /// The revision Wavesync last saw applied and not undone.
  public var appliedRevision: String?
  /// Missed the last good revision: the next rollout of it catches the site up.
  public var behind: Bool
  public var health: SiteHealthText?
  public var lastError: String?
  public var unreachableSince: Date?
  /// When the maintenance window a pending site waits for opens.
  public var nextWindow: Date?
  /// The rollout engine's own state of the site, reloaded as it was.
  public var engine: SiteState?

  public init(
    sequence: Int, rollout: String? = nil, wave: String? = nil, waveIndex: Int? = nil,
    position: Int? = nil, unassigned: Bool? = nil, phase: String,
    desiredRevision: String? = nil, appliedRevision: String? = nil, behind: Bool = false,
    health: SiteHealthText? = nil, lastError: String? = nil, unreachableSince: Date? = nil,
    nextWindow: Date? = nil, engine: SiteState? = nil
  ) {
    self.sequence = sequence
    self.rollout = rollout
    self.wave = wave
    self.waveIndex = waveIndex
    self.position = position
    self.unassigned = unassigned
    self.phase = phase
    self.desiredRevision = desiredRevision
    self.appliedRevision = appliedRevision
    self.behind = behind
    self.health = health
    self.lastError = lastError
    self.unreachableSince = unreachableSince
    self.nextWindow = nextWindow
    self.engine = engine
  }

  /// Equal but for the sequence: nothing for the site to write.
  func sameState(as other: SiteRecord) -> Bool {
    var other = other
    other.sequence = sequence
    return self == other
  }
}

/// A site's health as a status shows it.
public struct SiteHealthText: Sendable, Hashable, Codable {
  /// Current, InProgress, Failed or Unknown (kstatus' words).
  public var status: String
  /// Why, in one word (`Ready`, `ProgressDeadlineExceeded`, `Unreachable`, ...).
  public var reason: String?
  public var message: String?

  public init(status: String, reason: String? = nil, message: String? = nil) {
    self.status = status
    self.reason = reason
    self.message = message
  }

  /// Health as the driver reports it (`ObjectHealth.description`: "InProgress (Reason):
  /// message"), split into its parts; text of another shape is all message.
  init(status: String, reported text: String) {
    let pattern = /^(\w+) \(([^)]*)\): (.*)$/.dotMatchesNewlines()
    if let match = text.wholeMatch(of: pattern) {
      self.init(status: String(match.1), reason: String(match.2), message: String(match.3))
    } else {
      self.init(status: status, message: text)
    }
  }
}
