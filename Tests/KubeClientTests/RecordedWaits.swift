import Synchronization

@testable import KubeClient

/// A retry policy that records each wait it chose instead of sleeping through it, so tests
/// assert the backoff itself, not how long a busy machine took.
final class RecordedWaits: Sendable {
  private let waits = Mutex<[Duration]>([])

  var all: [Duration] { waits.withLock { $0 } }

  /// The standard policy, its waits recorded.
  var policy: RetryPolicy {
    var policy = RetryPolicy.standard
    policy.sleep = { [self] duration in self.waits.withLock { $0.append(duration) } }
    return policy
  }

  /// The standard policy's backoff before try `attempt + 1`, ±20 % jitter.
  static func standardRange(after attempt: Int) -> ClosedRange<Duration> {
    let exponential = min(3.0, 0.2 * Double(1 << (attempt - 1)))
    return .seconds(exponential * 0.8) ... .seconds(exponential * 1.2)
  }
}
