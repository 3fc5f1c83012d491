/// What a `LeaderElector` reports as it goes, for the caller to log.
public enum LeaderElectionEvent: Sendable, Equatable {
  /// Another candidate holds the lease; reported when the holder seen changes.
  case following(holder: String)
  /// This candidate holds the lease now. `previousHolder` is nil when it created the lease, empty
  /// when the lease had been released.
  case acquired(previousHolder: String?, transitions: Int64)
  case renewed
  /// A read or write of the lease failed; the elector tries again.
  case attemptFailed(String)
  /// Leadership ended without this candidate letting go: the body was cancelled.
  case lost(reason: String)
  /// The holder let go of the lease so the next candidate takes over at once.
  case released
}

/// Why `LeaderElector.runWhileLeader` ended without the body's result.
public enum LeaderElectionError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The holder could not renew in time, or another candidate holds the lease now; the body was
  /// cancelled.
  case lost(lease: String, reason: String)
  /// A failure that trying again cannot fix: the cluster has no Lease API, the lease or its
  /// namespace is invalid or missing, or the client may not touch Leases.
  case unusable(lease: String, reason: String)

  public var description: String {
    switch self {
    case .lost(let lease, let reason): "lost leadership of Lease \(lease): \(reason)"
    case .unusable(let lease, let reason): "cannot elect a leader with Lease \(lease): \(reason)"
    }
  }
}
