/// How often and how patiently a request is retried after a transient failure: exponential
/// backoff, bounded in tries and in each wait.
struct RetryPolicy: Sendable {
  var attempts = 4
  var firstDelay = 0.2
  var maxDelay = 3.0
  /// A server's Retry-After is honoured up to this long.
  var maxRetryAfter = 10.0
  /// How a wait is spent: tests record the waits chosen instead of sleeping through them.
  var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

  static let standard = RetryPolicy()

  /// Seconds to wait after failed try number `attempt` (1-based), with ±20 % jitter so a fleet
  /// of clients does not retry in lockstep.
  func delay(after attempt: Int, retryAfter: Double? = nil) -> Double {
    let exponential = min(maxDelay, firstDelay * Double(1 << min(attempt - 1, 16)))
    let jittered = exponential * Double.random(in: 0.8...1.2)
    guard let retryAfter else { return jittered }
    return max(jittered, min(retryAfter, maxRetryAfter))
  }

  /// Waits `delay(after:retryAfter:)`; throws when the task is cancelled meanwhile.
  func wait(after attempt: Int, retryAfter: Double? = nil) async throws {
    try await sleep(.seconds(delay(after: attempt, retryAfter: retryAfter)))
  }
}
