import LocalFleet
import Testing

/// The link proxy's token bucket, on instants the test gives: exact counts, no timing.
@Suite struct TokenBucketTests {
  static let millisecond: UInt64 = 1_000_000
  static let second: UInt64 = 1_000_000_000
  static let start: UInt64 = 5 * second

  @Test func aFullBucketGrantsItsBurstAtOnceThenNothing() {
    var bucket = TokenBucket(bytesPerSecond: 1000, burstBytes: 300, now: Self.start)
    #expect(bucket.take(upTo: 10_000, at: Self.start) == 300)
    #expect(bucket.take(upTo: 10_000, at: Self.start) == 0)
    #expect(bucket.available(at: Self.start) == 0)
  }

  @Test func tokensAccrueAtTheRateToTheByte() {
    var bucket = TokenBucket(bytesPerSecond: 1000, burstBytes: 300, now: Self.start)
    _ = bucket.take(upTo: 300, at: Self.start)
    #expect(bucket.available(at: Self.start + 100 * Self.millisecond) == 100)
    // 1.5 ms at 1000 B/s is 1.5 bytes: one now, and the half byte is kept for later.
    #expect(bucket.take(upTo: 1000, at: Self.start + 100 * Self.millisecond) == 100)
    #expect(bucket.take(upTo: 1000, at: Self.start + 101_500_000) == 1)
    #expect(bucket.take(upTo: 1000, at: Self.start + 103 * Self.millisecond) == 2)
  }

  @Test func idleTimeFillsTheBucketToItsBurstAndNoFurther() {
    var bucket = TokenBucket(bytesPerSecond: 1000, burstBytes: 300, now: Self.start)
    _ = bucket.take(upTo: 300, at: Self.start)
    #expect(bucket.available(at: Self.start + 3600 * Self.second) == 300)
    // Time that goes backwards adds nothing.
    #expect(bucket.available(at: Self.start) == 300)
  }

  @Test func releasesPerIntervalNeverExceedTheRateAndTheBurst() {
    // A sender that always wants more, asking every 7 ms for 20 simulated seconds.
    let rate: Int64 = 50_000
    let burst: Int64 = 4_096
    var bucket = TokenBucket(bytesPerSecond: rate, burstBytes: burst, now: Self.start)
    var releases: [(at: UInt64, bytes: Int64)] = []
    var now = Self.start
    while now <= Self.start + 20 * Self.second {
      let granted = bucket.take(upTo: 1 << 20, at: now)
      if granted > 0 { releases.append((now, granted)) }
      now += 7 * Self.millisecond
    }
    let elapsed = Int64((releases.last!.at - Self.start) / Self.millisecond)
    let total = releases.reduce(0) { $0 + $1.bytes }
    // Everything the rate allowed over the run, to the byte (the burst at the start included).
    #expect(total == burst + rate * elapsed / 1000)
    // Any second of it: at most a second's worth plus the burst.
    for (index, release) in releases.enumerated() {
      let window = releases[index...].prefix { $0.at < release.at + Self.second }
      #expect(window.reduce(0) { $0 + $1.bytes } <= rate + burst)
    }
  }

  @Test func theWaitForBytesIsExact() {
    var bucket = TokenBucket(bytesPerSecond: 1000, burstBytes: 300, now: Self.start)
    _ = bucket.take(upTo: 300, at: Self.start)
    let wait = bucket.nanosecondsUntil(100, at: Self.start)
    #expect(wait == 100 * Self.millisecond)
    #expect(bucket.available(at: Self.start + wait - 1) == 99)
    #expect(bucket.available(at: Self.start + wait) == 100)
    #expect(bucket.nanosecondsUntil(100, at: Self.start + wait) == 0)
    // More than the burst never comes at once: the wait is for the burst.
    _ = bucket.take(upTo: 300, at: Self.start + wait)
    #expect(bucket.nanosecondsUntil(10_000, at: Self.start + wait) == 300 * Self.millisecond)
  }

  @Test func aFastLinkAndALongIdleDoNotOverflow() {
    let burst: Int64 = 1 << 31
    var bucket = TokenBucket(bytesPerSecond: 1 << 40, burstBytes: burst, now: 0)
    _ = bucket.take(upTo: burst, at: 0)
    #expect(bucket.available(at: UInt64.max / 2) == burst)
    #expect(TokenBucket.defaultBurst(bytesPerSecond: 1000) == 16_384)
    #expect(TokenBucket.defaultBurst(bytesPerSecond: 1_000_000) == 50_000)
  }
}
