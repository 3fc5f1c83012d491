/// How long a lease lasts and how its holder keeps it, as client-go's leader election counts.
public struct LeaderElectionTiming: Sendable, Equatable {
  /// How long a waiting candidate lets the lease record stay unchanged, on its own clock, before
  /// it takes the lease over from a holder that stopped renewing.
  public let leaseDuration: Duration
  /// How long the holder keeps trying to renew after its last successful renewal before it
  /// gives up leadership. Shorter than `leaseDuration`, so the holder stops acting before any
  /// other candidate may take over.
  public let renewDeadline: Duration
  /// Between two renewals of the holder, and between two tries of a waiting candidate.
  public let retryPeriod: Duration

  /// 15 s lease, give up after 10 s without renewal, try every 2 s: client-go's defaults.
  public static let standard = LeaderElectionTiming(
    checked: .seconds(15), renewDeadline: .seconds(10), retryPeriod: .seconds(2))

  /// Refuses durations that cannot keep two holders apart, saying which.
  public init(
    leaseDuration: Duration, renewDeadline: Duration, retryPeriod: Duration
  ) throws(InvalidLeaderElectionTiming) {
    guard leaseDuration >= .seconds(1) else {
      throw InvalidLeaderElectionTiming(
        "the lease duration (\(leaseDuration)) is shorter than 1 second, the Lease's unit")
    }
    guard renewDeadline < leaseDuration else {
      throw InvalidLeaderElectionTiming(
        "the renew deadline (\(renewDeadline)) is not shorter than the lease duration "
          + "(\(leaseDuration)): a holder could still act after another took over")
    }
    // Waiting candidates add up to 20% jitter to the retry period.
    guard retryPeriod > .zero, retryPeriod * 1.2 < renewDeadline else {
      throw InvalidLeaderElectionTiming(
        "the retry period (\(retryPeriod)) is not positive or, with 20% jitter, not shorter "
          + "than the renew deadline (\(renewDeadline))")
    }
    self.init(checked: leaseDuration, renewDeadline: renewDeadline, retryPeriod: retryPeriod)
  }

  private init(checked leaseDuration: Duration, renewDeadline: Duration, retryPeriod: Duration) {
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

/// Leader election durations that do not fit together.
public struct InvalidLeaderElectionTiming: Error, Sendable, Equatable, CustomStringConvertible {
  public let description: String

  init(_ description: String) { self.description = description }
}
