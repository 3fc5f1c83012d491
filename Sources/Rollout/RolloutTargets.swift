public import Health
public import Model

/// What the rollout driver needs from the fleet: the sites and policy of a revision, and applying
/// a revision to one site and reading its health. Rollout defines it and never talks to a
/// cluster itself; the controller implements it with Git, the renderer, Sync and Health.
public protocol RolloutTargets: Sendable {
  /// The sites and rollout policy of `revision`, after rendering every site of it, so a broken
  /// commit is refused before any site is touched. Throws an error that names the file, site or
  /// object at fault.
  func prepare(revision: String) async throws -> PreparedRevision

  /// Applies `revision` to `site` (rendered from that revision), pruning what it no longer has.
  func apply(revision: String, to site: String) async -> SiteOperationOutcome

  /// The health of what `revision` put on `site`.
  func health(of site: String, at revision: String) async -> SiteHealthReport

  /// The bytes each site must pull to go from `running` (nil: nothing known to run) to
  /// `revision`: what the engine orders and budgets by. Sites in `behind` may run something
  /// older than `running` (they missed a rollout): nothing is assumed of them, so every object
  /// and image counts. A site whose payload cannot be estimated is unknown (scheduled as the
  /// longest transfer), with the reason. Never throws: an estimate is a scheduling hint, not a
  /// reason to stop a rollout.
  func payloads(of revision: String, replacing running: String?, behind: Set<String>) async
    -> PayloadEstimates

  /// Makes `site` pull the images `revision` runs there, without changing what runs.
  /// `payloadBytes`: what the engine expects it to pull (nil: unknown), so a slow link gets the
  /// time its pull needs.
  func prestage(revision: String, to site: String, payloadBytes: Int64?) async
    -> SiteOperationOutcome
}

extension RolloutTargets {
  /// Nothing known: every payload is unknown.
  public func payloads(of revision: String, replacing running: String?, behind: Set<String>)
    async -> PayloadEstimates
  {
    PayloadEstimates()
  }

  /// Nothing can be pre-staged: the site pulls at its cutover.
  public func prestage(revision: String, to site: String, payloadBytes: Int64?) async
    -> SiteOperationOutcome
  {
    .failed("pre-staging is not available")
  }
}

/// A revision ready to roll out: what the fleet repository says at that commit.
public struct PreparedRevision: Sendable {
  public var revision: String
  public var sites: [Site]
  public var policy: RolloutPolicy
  /// The bytes each site must pull for the revision; a site missing is "unknown" (scheduled as
  /// the longest transfer).
  public var payloadBytes: [String: Int64]
  /// Maintenance windows do not apply (a commit trailer or the Fleet's spec said so).
  public var urgent: Bool

  public init(
    revision: String, sites: [Site], policy: RolloutPolicy, payloadBytes: [String: Int64] = [:],
    urgent: Bool = false
  ) {
    self.revision = revision
    self.sites = sites
    self.policy = policy
    self.payloadBytes = payloadBytes
    self.urgent = urgent
  }

  /// What the engine schedules this revision's sites by.
  public var traffic: RolloutTraffic {
    RolloutTraffic(
      sites: sites, payloadBytes: payloadBytes, uplinkBudget: policy.uplinkBudget, urgent: urgent)
  }
}

/// How applying a revision to a site went.
public enum SiteOperationOutcome: Sendable, Hashable {
  case done
  /// The site's cluster could not be reached: retried later.
  case unreachable(String)
  /// The cluster refused the change (invalid object, conflict, ...): not retried.
  case failed(String)
}

/// A site's health, or why it could not be read.
public enum SiteHealthReport: Sendable, Hashable {
  /// `imagesPulled`: the site's workloads have pulled the revision's images (it moves no more
  /// image bytes, and gives back its share of the uplink); false when not known.
  case health(ObjectHealth, imagesPulled: Bool = false)
  case unreachable(String)
}

/// What each site of a revision must pull: bytes for the sites that could be sized, and why the
/// others could not.
public struct PayloadEstimates: Sendable, Hashable {
  public var bytes: [String: Int64]
  /// Site → the reason its payload is unknown (names the image or revision at fault).
  public var unknown: [String: String]

  public init(bytes: [String: Int64] = [:], unknown: [String: String] = [:]) {
    self.bytes = bytes
    self.unknown = unknown
  }
}
