/// How a new revision reaches the fleet: ordered waves of sites, each with its own pace and gates.
public struct RolloutPolicy: Sendable, Hashable {
  public enum UnreachableSites: String, Sendable, Hashable {
    /// An unreachable site counts as failed against the wave's threshold.
    case countAsFailed
    /// An unreachable site is skipped and catches up when it returns.
    case skip
  }

  public struct Wave: Sendable, Hashable {
    public var name: String
    public var selector: LabelSelector
    public var maxConcurrent: SiteCount
    public var failureThreshold: SiteCount
    public var soakSeconds: Double
    public var healthTimeoutSeconds: Double
    public var manualGate: Bool

    public init(
      name: String, selector: LabelSelector, maxConcurrent: SiteCount, failureThreshold: SiteCount,
      soakSeconds: Double, healthTimeoutSeconds: Double, manualGate: Bool
    ) {
      self.name = name
      self.selector = selector
      self.maxConcurrent = maxConcurrent
      self.failureThreshold = failureThreshold
      self.soakSeconds = soakSeconds
      self.healthTimeoutSeconds = healthTimeoutSeconds
      self.manualGate = manualGate
    }
  }

  public var uplinkBudget: BitRate?
  public var unreachableSites: UnreachableSites
  public var waves: [Wave]
  /// Pull the next wave's images while the current one runs and soaks, so a cutover moves only
  /// manifests.
  public var prestage: Bool
  /// How many waves ahead pre-stage (at least 1: the next wave); the nearest goes first.
  public var prestageWaves: Int

  public init(
    uplinkBudget: BitRate?, unreachableSites: UnreachableSites, waves: [Wave],
    prestage: Bool = false, prestageWaves: Int = 1
  ) {
    self.uplinkBudget = uplinkBudget
    self.unreachableSites = unreachableSites
    self.waves = waves
    self.prestage = prestage
    self.prestageWaves = prestageWaves
  }

  /// The policy of a fleet without a `rollout` section: every site in one wave, one at a time.
  public static let `default` = RolloutPolicy(
    uplinkBudget: nil, unreachableSites: .countAsFailed,
    waves: [
      Wave(
        name: "all", selector: .everything, maxConcurrent: .count(1), failureThreshold: .count(1),
        soakSeconds: 0,
        healthTimeoutSeconds: 600, manualGate: false)
    ])

  /// Each site in the first wave whose selector matches it; sites no wave selects are returned
  /// apart, so callers can report them.
  public func assign(_ sites: [Site]) -> (waves: [(wave: Wave, sites: [Site])], unassigned: [Site])
  {
    var remaining = sites
    var result: [(wave: Wave, sites: [Site])] = []
    for wave in waves {
      let (taken, rest) = remaining.partitioned { wave.selector.matches($0.labels) }
      result.append((wave, taken))
      remaining = rest
    }
    return (result, remaining)
  }
}

extension Array {
  fileprivate func partitioned(by belongs: (Element) -> Bool) -> ([Element], [Element]) {
    var yes: [Element] = []
    var no: [Element] = []
    for element in self { if belongs(element) { yes.append(element) } else { no.append(element) } }
    return (yes, no)
  }
}
