// Running `RolloutDriver` in tests on a `TestClock`: the driver's tasks run on a
// `SerialTestExecutor`, and a test moves the clock from one deadline to the next only once the
// driver has done all it can at the current instant. What a test sees therefore depends on the
// clock alone, never on how fast the machine is, and every wait is bounded by a number of steps.
import Foundation
import Rollout
import Synchronization
import Testing
import WavesyncTesting

/// A clock, the executor the driver runs on, and dates that follow the clock.
final class DriverHarness: Sendable {
  let clock = TestClock()
  let executor = SerialTestExecutor()

  deinit { executor.stop() }

  /// Steps of the clock a wait takes at most before the test fails: far more than any test
  /// needs, so hitting it means the driver is stuck.
  static let maxSteps = 20_000

  /// The date at the clock's current instant (`t(0)` when it starts), for the driver's `now`.
  var now: @Sendable () -> Date {
    { [clock] in t(0).addingTimeInterval(Self.seconds(clock.now.offset)) }
  }

  private static func seconds(_ duration: Duration) -> TimeInterval {
    let (seconds, attoseconds) = duration.components
    return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
  }

  /// A driver on this harness's clock and dates.
  func driver(
    targets: any RolloutTargets, store: any RolloutStore, settings: RolloutDriver.Settings,
    observe: @escaping @Sendable (RolloutObservation) -> Void = { _ in }
  ) -> RolloutDriver {
    RolloutDriver(
      targets: targets, store: store, settings: settings, clock: clock, now: now, observe: observe)
  }

  /// Starts `driver.run` on the harness's executor; it goes as far as it can without the clock.
  func start(
    _ driver: RolloutDriver, _ revision: String, trigger: RolloutTrigger = .newCommit,
    newerRevision: (@Sendable () async throws -> String?)? = nil
  ) -> BackgroundRun {
    BackgroundRun(
      driver, revision, trigger: trigger, newerRevision: newerRevision, on: executor)
  }

  /// Runs `revision` to the end and returns the record.
  func complete(
    _ driver: RolloutDriver, _ revision: String, trigger: RolloutTrigger = .newCommit,
    newerRevision: (@Sendable () async throws -> String?)? = nil
  ) async throws -> RolloutRecord {
    try await record(of: start(driver, revision, trigger: trigger, newerRevision: newerRevision))
  }

  /// The outcome of `run`, moving the clock until it has one.
  func outcome(of run: BackgroundRun) async throws -> Result<RolloutRecord, RolloutDriverError> {
    try await advance(until: "the driver's run finished") { run.result != nil }
    return try #require(run.result)
  }

  /// The record `run` returned, moving the clock until it has one; throws if it failed.
  func record(of run: BackgroundRun) async throws -> RolloutRecord {
    try await outcome(of: run).get()
  }

  /// Returns once every task of the driver waits for the clock or for something the test holds.
  func settle() async {
    await executor.idle()
  }

  /// Moves the clock from deadline to deadline, letting the driver settle at each, until
  /// `condition` holds. Throws when it does not within `maxSteps`, or when nothing waits for the
  /// clock any more (the driver waits for something else, or stopped).
  func advance(
    until what: String, maxSteps: Int = maxSteps, _ condition: () -> Bool
  ) async throws {
    for _ in 0...maxSteps {
      await settle()
      if condition() { return }
      guard clock.advanceToNextDeadline() else {
        throw TimedOut(
          description: "\(what): not seen at \(clock.now), and nothing waits for the clock")
      }
    }
    throw TimedOut(description: "\(what): not seen after \(maxSteps) steps, at \(clock.now)")
  }

  /// Moves the clock `duration` forward, deadline by deadline, letting the driver settle at each.
  func advance(by duration: Duration) async {
    let end = clock.now.advanced(by: duration)
    for _ in 0...Self.maxSteps {
      await settle()
      guard let next = clock.nextDeadline, next <= end else { break }
      clock.advanceToNextDeadline()
    }
    clock.advance(by: max(clock.now.duration(to: end), .zero))
    await settle()
  }
}

/// A `run` of the driver in the background.
struct BackgroundRun: Sendable {
  private final class Outcome: Sendable {
    let value = Mutex<Result<RolloutRecord, RolloutDriverError>?>(nil)
  }

  private let outcome = Outcome()
  let task: Task<Void, Never>

  fileprivate init(
    _ driver: RolloutDriver, _ revision: String, trigger: RolloutTrigger,
    newerRevision: (@Sendable () async throws -> String?)?, on executor: SerialTestExecutor
  ) {
    let outcome = self.outcome
    task = Task(executorPreference: executor) {
      do throws(RolloutDriverError) {
        let record = try await driver.run(
          revision: revision, trigger: trigger, newerRevision: newerRevision)
        outcome.value.withLock { $0 = .success(record) }
      } catch {
        outcome.value.withLock { $0 = .failure(error) }
      }
    }
  }

  /// What the run returned, once it returned.
  var result: Result<RolloutRecord, RolloutDriverError>? { outcome.value.withLock { $0 } }
}

/// Everything a driver reports, in order.
final class Observations: Sendable {
  private let list = Mutex<[RolloutObservation]>([])
  func append(_ observation: RolloutObservation) { list.withLock { $0.append(observation) } }
  var all: [RolloutObservation] { list.withLock { $0 } }
}
