/// How long a lease lasts and how its holder keeps it, as client-go's leader election counts.
public struct LeaderElectionTiming: Sendable, Equatable {
  /// How long a waiting candidate lets the lease record stay unchanged, on its own clock, before
  /// it takes the lease over from a holder that stopped renewing.
  public var leaseDuration: Duration
  /// How long the holder keeps trying to renew after its last successful renewal before it
  /// gives up leadership. Shorter than `leaseDuration`, so the holder stops acting before any
  /// other candidate may take over.
  public var renewDeadline: Duration
  /// Between two renewals of the holder, and between two tries of a waiting candidate.
  public var retryPeriod: Duration

  /// 15 s lease, give up after 10 s without renewal, try every 2 s: client-go's defaults.
  public static let standard = LeaderElectionTiming(
    leaseDuration: .seconds(15), renewDeadline: .seconds(10), retryPeriod: .seconds(2))

  /// Fails when the durations cannot keep two holders apart.
  public init(leaseDuration: Duration, renewDeadline: Duration, retryPeriod: Duration) {
    precondition(
      leaseDuration >= .seconds(1), "leaseDuration is at least 1 s (the Lease counts seconds)")
    precondition(renewDeadline < leaseDuration, "renewDeadline must be shorter than leaseDuration")
    precondition(
      retryPeriod * 1.2 < renewDeadline,
      "retryPeriod (with 20% jitter) must be shorter than renewDeadline")
    self.leaseDuration = leaseDuration
    self.renewDeadline = renewDeadline
    self.retryPeriod = retryPeriod
  }

  /// Whole seconds, as `spec.leaseDurationSeconds` stores it (rounded up: never promise less).
  var leaseDurationSeconds: Int64 {
    let (seconds, attoseconds) = leaseDuration.components
    return seconds + (attoseconds > 0 ? 1 : 0)
  }
}
