// In-memory stand-ins for the fleet (`RolloutTargets`), the record's home (`RolloutStore`) and
// the Git remote the driver polls (`FakeRemote`), for driving `RolloutDriver` in tests without
// clusters. Whatever takes time in them takes it on the clock they are given (a `TestClock`).
//
// Both can share a `Journal`, a single sequence that orders every successful save against the
// start of every apply, so a test can check that a site was recorded as changing before it was
// changed.
import Foundation
import Health
import Model
import Rollout
import Synchronization

/// One order for saves and applies, shared by a `FakeFleet` and its `MemoryStore`s.
final class Journal: Sendable {
  struct Save: Sendable {
    var sequence: Int
    var record: RolloutRecord
  }

  private let state = Mutex<(counter: Int, saves: [Save])>((0, []))

  /// The next number of the sequence.
  func next() -> Int {
    state.withLock { state in
      state.counter += 1
      return state.counter
    }
  }

  /// Numbers a successful save.
  func recordSave(_ record: RolloutRecord) {
    state.withLock { state in
      state.counter += 1
      state.saves.append(Save(sequence: state.counter, record: record))
    }
  }

  /// Every successful save, in order, whichever store made it.
  var saves: [Save] { state.withLock { $0.saves } }
}

/// A failure of a double, with the message a real one would give.
struct DoubleError: Error, CustomStringConvertible, Hashable {
  var description: String
}

/// One call of `apply(revision:to:)`, logged when it returns.
struct ApplyEntry: Sendable, Hashable, CustomStringConvertible {
  var site: String
  var revision: String
  var outcome: SiteOperationOutcome
  /// The journal's number when the call began (0 without a journal).
  var startedAt: Int

  var description: String { "\(site)@\(revision)" }
}

/// A fleet in memory: the sites and policy of each revision, the revision each site runs, and a
/// log of every apply. Revisions can be made broken (their health is Failed), sites unreachable,
/// single applies slow (on `clock`) or refused, and revisions unrenderable.
final class FakeFleet: RolloutTargets {
  private struct State {
    var fleet: (sites: [Site], policy: RolloutPolicy)
    var revisions: [String: (sites: [Site], policy: RolloutPolicy)] = [:]
    var running: [String: String] = [:]
    var log: [ApplyEntry] = []
    var broken: [String: (message: String, sites: Set<String>?)] = [:]
    var unreachable: Set<String> = []
    var outcomes: [String: SiteOperationOutcome] = [:]
    var prepareFailures: [String: String] = [:]
    var prepared: [String] = []
    var delay: Duration = .zero
    var delays: [String: Duration] = [:]
    var inProgressChecks = 0
    var reportsPulls = false
    var healthChecks: [String: Int] = [:]
    var busy: [String: Int] = [:]
    var overlapping: Set<String> = []
    var hook: (@Sendable (ApplyEntry) -> Void)?
  }

  private let state: Mutex<State>
  let journal: Journal?
  /// What slow applies wait on.
  let clock: any Clock<Duration>

  init(
    sites: [Site], policy: RolloutPolicy, running: String? = nil, journal: Journal? = nil,
    clock: any Clock<Duration>
  ) {
    var state = State(fleet: (sites, policy))
    if let running {
      for site in sites { state.running[site.name] = running }
    }
    self.state = Mutex(state)
    self.journal = journal
    self.clock = clock
  }

  private static func key(_ site: String, _ revision: String) -> String { site + "@" + revision }

  // MARK: Configuration

  /// `revision` has its own sites and policy (the default is the fleet's).
  func define(revision: String, sites: [Site], policy: RolloutPolicy) {
    state.withLock { $0.revisions[revision] = (sites, policy) }
  }

  /// Every site running `revision` (or only those of `sites`) reports Failed with `message`.
  func breakRevision(_ revision: String, message: String, sites: Set<String>? = nil) {
    state.withLock { $0.broken[revision] = (message, sites) }
  }

  /// `site` runs `revision`, as if applied before the test.
  func setRunning(_ site: String, _ revision: String?) {
    state.withLock { $0.running[site] = revision }
  }

  /// Called with every apply as it returns (after the fleet changed), before the driver hears.
  func onApply(_ hook: @escaping @Sendable (ApplyEntry) -> Void) {
    state.withLock { $0.hook = hook }
  }

  func setUnreachable(_ site: String, _ unreachable: Bool = true) {
    state.withLock { state in
      if unreachable {
        state.unreachable.insert(site)
      } else {
        state.unreachable.remove(site)
      }
    }
  }

  /// Applying `revision` to `site` ends with `outcome` (nil: back to normal).
  func setOutcome(_ outcome: SiteOperationOutcome?, applying revision: String, to site: String) {
    state.withLock { $0.outcomes[Self.key(site, revision)] = outcome }
  }

  /// `prepare(revision:)` throws `message`.
  func failPrepare(_ revision: String, message: String) {
    state.withLock { $0.prepareFailures[revision] = message }
  }

  /// Every apply takes `delay`, or only applying `revision` to `site`.
  func setDelay(_ delay: Duration, applying revision: String? = nil, to site: String? = nil) {
    state.withLock { state in
      if let revision, let site {
        state.delays[Self.key(site, revision)] = delay
      } else {
        state.delay = delay
      }
    }
  }

  /// A site reports InProgress this many times after an apply before it reports Current.
  func setInProgressChecks(_ count: Int) {
    state.withLock { $0.inProgressChecks = count }
  }

  /// Whether health reports say the site's images are pulled (from the first check after an
  /// apply: its pods are starting); otherwise they say nothing of it.
  func setReportsPulls(_ pulled: Bool) {
    state.withLock { $0.reportsPulls = pulled }
  }

  // MARK: Inspection

  /// Every apply, in the order the calls returned.
  var log: [ApplyEntry] { state.withLock { $0.log } }

  /// The revision `site` runs.
  func revision(of site: String) -> String? { state.withLock { $0.running[site] } }

  /// The revisions `prepare` was asked for, in order.
  var prepared: [String] { state.withLock { $0.prepared } }

  /// Sites that had two applies in flight at the same time.
  var overlapping: Set<String> { state.withLock { $0.overlapping } }

  var sites: [Site] { state.withLock { $0.fleet.sites } }

  // MARK: RolloutTargets

  func prepare(revision: String) async throws -> PreparedRevision {
    let result: Result<PreparedRevision, DoubleError> = state.withLock { state in
      state.prepared.append(revision)
      if let message = state.prepareFailures[revision] {
        return .failure(DoubleError(description: message))
      }
      let (sites, policy) = state.revisions[revision] ?? state.fleet
      return .success(PreparedRevision(revision: revision, sites: sites, policy: policy))
    }
    return try result.get()
  }

  func apply(revision: String, to site: String) async -> SiteOperationOutcome {
    let startedAt = journal?.next() ?? 0
    let delay = state.withLock { state in
      state.busy[site, default: 0] += 1
      if state.busy[site, default: 0] > 1 { state.overlapping.insert(site) }
      return state.delays[Self.key(site, revision)] ?? state.delay
    }
    // A request already on its way is not called back: cancellation only cuts the wait short.
    if delay > .zero { try? await clock.sleep(for: delay) }
    let (outcome, entry, hook) = state.withLock { state in
      state.busy[site, default: 1] -= 1
      let outcome: SiteOperationOutcome
      if let forced = state.outcomes[Self.key(site, revision)] {
        outcome = forced
      } else if state.unreachable.contains(site) {
        outcome = .unreachable("dial tcp \(site):6443: connect: connection refused")
      } else {
        outcome = .done
      }
      if outcome == .done {
        state.running[site] = revision
        state.healthChecks[site] = 0
      }
      let entry = ApplyEntry(site: site, revision: revision, outcome: outcome, startedAt: startedAt)
      state.log.append(entry)
      return (outcome, entry, state.hook)
    }
    hook?(entry)
    return outcome
  }

  func health(of site: String, at revision: String) async -> SiteHealthReport {
    state.withLock { state in
      if state.unreachable.contains(site) {
        return .unreachable("dial tcp \(site):6443: i/o timeout")
      }
      guard state.running[site] == revision else {
        return .health(
          ObjectHealth(
            status: .inProgress, reason: "NotApplied",
            message: "\(site) runs \(state.running[site] ?? "nothing")"))
      }
      if let broken = state.broken[revision], broken.sites?.contains(site) ?? true {
        let message = broken.message
        return .health(ObjectHealth(status: .failed, reason: "CrashLoopBackOff", message: message))
      }
      state.healthChecks[site, default: 0] += 1
      if state.healthChecks[site, default: 0] <= state.inProgressChecks {
        return .health(
          ObjectHealth(
            status: .inProgress, reason: "ReplicasUpdating", message: "0 of 1 replicas updated"),
          imagesPulled: state.reportsPulls)
      }
      return .health(
        ObjectHealth(status: .current, reason: "Ready", message: "1 of 1 ready"),
        imagesPulled: state.reportsPulls)
    }
  }
}

/// A store in memory: keeps every saved record in order, serves controls the test sets (or
/// fails or holds reads of them, on demand), and can refuse chosen saves (numbered from 1) as a conflicting
/// writer would.
final class MemoryStore: RolloutStore {
  private struct State {
    var seed: RolloutRecord?
    var saved: [RolloutRecord] = []
    var attempts = 0
    var failing: Set<Int> = []
    var controls = RolloutControls()
    var controlsFailure: String?
    var controlsReads = 0
  }

  private let state: Mutex<State>
  let journal: Journal?
  /// Holds reads of the controls (counted when they begin) until released.
  let controlsGate = Gate()

  init(seed: RolloutRecord? = nil, failOnSave failing: Set<Int> = [], journal: Journal? = nil) {
    state = Mutex(State(seed: seed, failing: failing))
    self.journal = journal
    // What the store starts with counts as stored.
    if let seed { journal?.recordSave(seed) }
  }

  /// Every record saved, oldest first.
  var saved: [RolloutRecord] { state.withLock { $0.saved } }

  /// The record `load` returns.
  var latest: RolloutRecord? { state.withLock { $0.saved.last ?? $0.seed } }

  /// Saves attempted, including refused ones.
  var saveAttempts: Int { state.withLock { $0.attempts } }

  func setControls(_ change: (inout RolloutControls) -> Void) {
    state.withLock { change(&$0.controls) }
  }

  /// Reading the controls throws `message` from now on (nil: they are readable again).
  func failControls(_ message: String?) {
    state.withLock { $0.controlsFailure = message }
  }

  /// Calls of `controls()`, failed ones included.
  var controlsReads: Int { state.withLock { $0.controlsReads } }

  func load() async throws -> RolloutRecord? {
    latest
  }

  func save(_ record: RolloutRecord) async throws {
    let refused: Int? = state.withLock { state in
      state.attempts += 1
      if state.failing.contains(state.attempts) { return state.attempts }
      state.saved.append(record)
      journal?.recordSave(record)
      return nil
    }
    if let refused {
      throw DoubleError(
        description: "save \(refused): the record was modified by another writer (conflict)")
    }
  }

  func controls() async throws -> RolloutControls {
    state.withLock { $0.controlsReads += 1 }
    await controlsGate.pass()
    let result: Result<RolloutControls, DoubleError> = state.withLock { state in
      if let message = state.controlsFailure { return .failure(DoubleError(description: message)) }
      return .success(state.controls)
    }
    return try result.get()
  }
}

/// Holds calls until released, as a remote that does not answer would: `pass()` returns at
/// once unless `hold()` was called, else when `release()` is, or when its task is cancelled.
final class Gate: Sendable {
  private struct State {
    var held = false
    var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
    var nextWaiter = 0
  }

  private let state = Mutex(State())

  /// Calls from now on wait until `release()`.
  func hold() {
    state.withLock { $0.held = true }
  }

  /// Lets every waiting call go on, and the next ones through.
  func release() {
    let waiting = state.withLock { state in
      state.held = false
      defer { state.waiting = [:] }
      return Array(state.waiting.values)
    }
    for call in waiting { call.resume() }
  }

  /// Calls waiting for `release()`.
  var waiting: Int { state.withLock { $0.waiting.count } }

  func pass() async {
    let id: Int = state.withLock { state in
      state.nextWaiter += 1
      return state.nextWaiter
    }
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let go = state.withLock { state in
          guard state.held, !Task.isCancelled else { return true }
          state.waiting[id] = continuation
          return false
        }
        if go { continuation.resume() }
      }
    } onCancel: {
      state.withLock { $0.waiting.removeValue(forKey: id) }?.resume()
    }
  }
}

/// The Git remote the driver asks for a newer revision (`newerRevision`): answers what the test
/// sets, fails on demand, and can hold calls (`gate`). A held call ends with `CancellationError`
/// when its task is cancelled.
final class FakeRemote: Sendable {
  private struct State {
    var answer: @Sendable () -> String? = { nil }
    var failure: String?
    var calls = 0
  }

  private let state = Mutex(State())
  let gate = Gate()

  /// Polls answer what `answer` returns when called.
  func answer(_ answer: @escaping @Sendable () -> String?) {
    state.withLock { $0.answer = answer }
  }

  /// Polls throw `message` from now on (nil: they answer again).
  func fail(_ message: String?) {
    state.withLock { $0.failure = message }
  }

  /// Calls so far, including held and failed ones.
  var calls: Int { state.withLock { $0.calls } }

  /// The closure to hand the driver as `newerRevision`.
  var newerRevision: @Sendable () async throws -> String? {
    { try await self.poll() }
  }

  private func poll() async throws -> String? {
    state.withLock { $0.calls += 1 }
    await gate.pass()
    try Task.checkCancellation()
    let (answer, failure) = state.withLock { ($0.answer, $0.failure) }
    if let failure { throw DoubleError(description: failure) }
    return answer()
  }
}
