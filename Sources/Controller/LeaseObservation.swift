import Model

/// What a candidate last saw of its Lease, and when, on its own clock, it last saw the record
/// change: the lease runs out `leaseDurationSeconds` after that, whatever its renewTime says, so
/// replicas whose clocks disagree still agree on when a silent holder has gone.
struct LeaseObservation: Sendable {
  /// As last read or written, with the resourceVersion the next write is conditional on.
  private(set) var object: Value?
  private(set) var record: LeaseRecord?
  private(set) var changedAt: ContinuousClock.Instant

  init(at now: ContinuousClock.Instant) {
    changedAt = now
  }

  mutating func see(_ lease: Value, at now: ContinuousClock.Instant) {
    let record = LeaseRecord(lease: lease)
    if record != self.record { changedAt = now }
    object = lease
    self.record = record
  }

  /// True once the record stayed unchanged for the duration it declares (`fallback` when it
  /// declares none).
  func hasRunOut(at now: ContinuousClock.Instant, fallback: Duration) -> Bool {
    guard let record else { return true }
    let duration = record.durationSeconds > 0 ? .seconds(record.durationSeconds) : fallback
    return now >= changedAt + duration
  }
}
