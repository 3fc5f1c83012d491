/// Where the driver keeps its `RolloutRecord` and reads the operator's controls: the Kubernetes
/// API of the cluster the controller runs in, so a restarted controller resumes where it was.
public protocol RolloutStore: Sendable {
  /// The stored record, or `nil` before the first rollout.
  func load() async throws -> RolloutRecord?
  /// Stores `record`. Fails when someone else wrote it since this store last read or wrote it
  /// (another controller running the same rollouts), so two drivers never interleave.
  func save(_ record: RolloutRecord) async throws
  /// What the operator asked for (`wavesync pause|resume|promote`).
  func controls() async throws -> RolloutControls
}

/// The operator's wishes, written by the CLI and read by the driver on every tick.
public struct RolloutControls: Sendable, Hashable, Codable {
  /// Hold back new site changes (in-flight ones finish, rollbacks proceed).
  public var paused: Bool
  /// Manual gates opened, as `<rollout>/<wave>` (`RolloutRecord.currentRolloutID`): a
  /// promotion is for one wave of one rollout.
  public var promotions: [String]
  /// Revisions that skip maintenance windows, in full or by a prefix of 7 or more digits: one
  /// listed while its rollout runs is marked urgent from then on.
  public var urgentRevisions: [String]

  public init(paused: Bool = false, promotions: [String] = [], urgentRevisions: [String] = []) {
    self.paused = paused
    self.promotions = promotions
    self.urgentRevisions = urgentRevisions
  }

  /// Whether `revision` (a full commit id) is among `urgentRevisions`.
  public func isUrgent(_ revision: String) -> Bool {
    urgentRevisions.contains { entry in
      let entry = entry.lowercased()
      return entry.count >= 7 && revision.lowercased().hasPrefix(entry)
    }
  }

  public static func promotion(rollout: String, wave: String) -> String {
    rollout + "/" + wave
  }

  public func promotes(rollout: String, wave: String) -> Bool {
    promotions.contains(Self.promotion(rollout: rollout, wave: wave))
  }
}
