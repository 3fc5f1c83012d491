/// A token bucket in whole bytes and nanoseconds, with no clock of its own: every call says what
/// time it is, so the link proxy passes its clock and tests pass exact instants.
///
/// Tokens accrue at `bytesPerSecond` up to `burstBytes`; integer arithmetic (credit kept in
/// byte-nanoseconds) makes every refill exact, so no rounding lets more through than the rate.
public struct TokenBucket: Sendable, Equatable {
  public let bytesPerSecond: Int64
  public let burstBytes: Int64
  /// Tokens times 10⁹, so a refill of any number of nanoseconds loses nothing.
  private var credit: Int64
  private var lastRefill: UInt64

  static let nanosecondsPerSecond: Int64 = 1_000_000_000

  /// A full bucket at `now` (nanoseconds of the caller's clock).
  public init(bytesPerSecond: Int64, burstBytes: Int64, now: UInt64) {
    // Both bounded so that byte-nanoseconds fit in Int64 with room for one refill.
    precondition(bytesPerSecond > 0 && burstBytes > 0, "a token bucket needs a positive rate")
    precondition(burstBytes <= 1 << 31, "a burst of at most 2 GiB")
    self.bytesPerSecond = bytesPerSecond
    self.burstBytes = burstBytes
    credit = burstBytes * Self.nanosecondsPerSecond
    lastRefill = now
  }

  /// The default burst for a rate: a twentieth of a second of it, at least one 16 KiB chunk.
  public static func defaultBurst(bytesPerSecond: Int64) -> Int64 {
    max(16_384, bytesPerSecond / 20)
  }

  /// Whole bytes that may be sent at `now`.
  public mutating func available(at now: UInt64) -> Int64 {
    refill(at: now)
    return credit / Self.nanosecondsPerSecond
  }

  /// Takes up to `wanted` bytes at `now`; returns how many were granted.
  public mutating func take(upTo wanted: Int64, at now: UInt64) -> Int64 {
    let granted = min(max(wanted, 0), available(at: now))
    credit -= granted * Self.nanosecondsPerSecond
    return granted
  }

  /// Nanoseconds from `now` until `bytes` (at most the burst) may be sent; 0 when they may now.
  public mutating func nanosecondsUntil(_ bytes: Int64, at now: UInt64) -> UInt64 {
    refill(at: now)
    let needed = min(max(bytes, 0), burstBytes) * Self.nanosecondsPerSecond - credit
    guard needed > 0 else { return 0 }
    // Rounded up: waking a nanosecond early would find the bucket a token short.
    return UInt64((needed + bytesPerSecond - 1) / bytesPerSecond)
  }

  private mutating func refill(at now: UInt64) {
    guard now > lastRefill else { return }
    let capacity = burstBytes * Self.nanosecondsPerSecond
    // Past the time that fills an empty bucket, more elapsed time adds nothing (and could
    // overflow the product).
    let elapsed = Int64(min(now - lastRefill, UInt64(capacity / bytesPerSecond + 1)))
    credit = min(capacity, credit + elapsed * bytesPerSecond)
    lastRefill = now
  }
}
