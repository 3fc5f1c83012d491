// A clock that moves only when a test moves it, so the driver's ticks, retry delays and polls
// happen at exact instants instead of after wall-clock milliseconds.
import Synchronization

/// Time starts at zero and stands still until `advance(by:)` or `advanceToNextDeadline()`;
/// a sleeper wakes when time reaches its deadline, or with `CancellationError` when its task is
/// cancelled.
final class TestClock: Clock, Sendable {
  struct Instant: InstantProtocol, CustomStringConvertible {
    /// Time since the clock was made.
    var offset: Duration

    func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
    func duration(to other: Instant) -> Duration { other.offset - offset }
    static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    var description: String { "\(offset)" }
  }

  private struct Sleeper {
    var deadline: Instant
    var continuation: CheckedContinuation<Void, any Error>
  }

  private struct State {
    var now = Instant(offset: .zero)
    var nextID = 0
    var sleepers: [Int: Sleeper] = [:]
    /// Sleepers cancelled before they were registered.
    var cancelled: Set<Int> = []
  }

  private let state = Mutex(State())

  var now: Instant { state.withLock { $0.now } }
  var minimumResolution: Duration { .zero }

  /// How many tasks sleep on this clock.
  var sleeperCount: Int { state.withLock { $0.sleepers.count } }

  /// The earliest deadline a task sleeps until, if any sleeps.
  var nextDeadline: Instant? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

  func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
    let id: Int = state.withLock { state in
      state.nextID += 1
      return state.nextID
    }
    try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation {
        (continuation: CheckedContinuation<Void, any Error>) in
        let outcome: Result<Void, any Error>? = state.withLock { state in
          if state.cancelled.remove(id) != nil { return .failure(CancellationError()) }
          if deadline <= state.now { return .success(()) }
          state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
          return nil
        }
        if let outcome { continuation.resume(with: outcome) }
      }
    } onCancel: {
      let sleeper: Sleeper? = state.withLock { state in
        guard let sleeper = state.sleepers.removeValue(forKey: id) else {
          state.cancelled.insert(id)
          return nil
        }
        return sleeper
      }
      sleeper?.continuation.resume(throwing: CancellationError())
    }
    // Registered and woken normally: nothing left to forget. Cancelled before registering while
    // the sleep ended anyway (deadline already past): drop the mark.
    state.withLock { _ = $0.cancelled.remove(id) }
  }

  /// Moves time forward by `duration`, waking every sleeper whose deadline it reaches.
  func advance(by duration: Duration) {
    precondition(duration >= .zero, "a clock does not go back")
    let woken: [Sleeper] = state.withLock { state in
      state.now = state.now.advanced(by: duration)
      let now = state.now
      let due = state.sleepers.filter { $0.value.deadline <= now }
      for id in due.keys { state.sleepers[id] = nil }
      return due.sorted { $0.key < $1.key }.map(\.value)
    }
    for sleeper in woken { sleeper.continuation.resume() }
  }

  /// Moves time to the earliest deadline a task sleeps until, waking it (and any other sleeper
  /// due then). Returns false, leaving time as it is, when no task sleeps.
  @discardableResult
  func advanceToNextDeadline() -> Bool {
    guard let deadline = nextDeadline else { return false }
    advance(by: max(now.duration(to: deadline), .zero))
    return true
  }
}
