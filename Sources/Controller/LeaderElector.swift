public import Foundation
public import KubeClient
import Model

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Leadership among replicas of the controller through a `coordination.k8s.io/v1` Lease, one
/// per Fleet: one candidate holds the lease and runs, the others wait and take over when the
/// holder lets go, or stops renewing for the lease duration.
///
/// Every write is conditional on the resourceVersion last read, so two candidates never both
/// win. A waiting candidate trusts only its own clock: the lease runs out once its record has not
/// changed for the lease duration since this candidate saw it change, whatever renewTime says.
///
/// One `runWhileLeader` at a time per elector: two at once would be one identity campaigning
/// twice, and both would believe they hold the lease.
public final class LeaderElector: Sendable {
  public static let leaseAPIVersion = "coordination.k8s.io/v1"

  public let client: KubeClient
  public let lease: ObjectReference
  /// Written as the lease's holderIdentity; unique per replica.
  public let identity: String
  public let timing: LeaderElectionTiming
  /// Whether the holder lets go of the lease when its body ends or is cancelled, so the next
  /// candidate takes over at once. Without, the next one waits for the lease to run out, as it
  /// does when a replica dies.
  public let releasesOnExit: Bool
  private let report: @Sendable (LeaderElectionEvent) -> Void

  public init(
    client: KubeClient, namespace: String, name: String,
    identity: String = LeaderElector.defaultIdentity(), timing: LeaderElectionTiming = .standard,
    releasesOnExit: Bool = true,
    report: @escaping @Sendable (LeaderElectionEvent) -> Void = { _ in }
  ) {
    self.client = client
    lease = ObjectReference(
      apiVersion: Self.leaseAPIVersion, kind: "Lease", namespace: namespace, name: name)
    self.identity = identity
    self.timing = timing
    self.releasesOnExit = releasesOnExit
    self.report = report
  }

  /// The Lease that elects the controller of a Fleet, in the Fleet's namespace.
  public static func leaseName(fleet: String) -> String { "wavesync-fleet-\(fleet)" }

  /// The host name (a pod's name in a cluster) and a random suffix, so two processes on one host
  /// are two candidates.
  public static func defaultIdentity() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    let host =
      gethostname(&buffer, buffer.count - 1) == 0
      ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      : ""
    let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    return "\(host.isEmpty ? "wavesync" : host)-\(suffix)"
  }

  /// Who holds the lease now, as far as a look at it tells: its holder, unless its renewTime plus
  /// its duration lies behind this machine's clock. For a command deciding whether a controller
  /// runs the Fleet (election itself never trusts another replica's times). A renewTime that
  /// cannot be read counts as held.
  public func currentHolder(now: Date = Date()) async throws(KubeError) -> String? {
    guard let object = try await client.get(lease) else { return nil }
    let record = LeaseRecord(lease: object)
    guard !record.holder.isEmpty, record.holder != identity else { return nil }
    if let renewTime = record.renewTime,
      let renewed = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(renewTime),
      renewed.addingTimeInterval(TimeInterval(record.durationSeconds)) < now
    {
      return nil
    }
    return record.holder
  }

  /// Waits until this candidate holds the lease, then runs `body` while renewing the lease beside
  /// it.
  ///
  /// - When the body ends, lets go of the lease (`releasesOnExit`) and returns or throws what the
  ///   body did.
  /// - When leadership is lost first (not renewed within `renewDeadline`, or another candidate
  ///   holds the lease), cancels the body, waits for it to end and throws
  ///   `LeaderElectionError.lost`.
  /// - Cancelled while waiting, throws `CancellationError`; cancelled while leading, cancels the
  ///   body and lets go once it has ended.
  /// - Throws `LeaderElectionError.unusable` for failures that trying again cannot fix.
  public func runWhileLeader<T: Sendable>(
    _ body: @escaping @Sendable () async throws -> T
  ) async throws -> T {
    let (acquired, acquiredAt) = try await acquire()
    let (bodyResult, renewals) = await withTaskGroup(of: Ending<T>.self) { group in
      group.addTask {
        do {
          let value = try await body()
          return .body(.success(value))
        } catch {
          return .body(.failure(error))
        }
      }
      group.addTask {
        let (seen, lost) = await self.keepRenewing(acquired, renewedAt: acquiredAt)
        return .renewals(seen, lost: lost)
      }
      var bodyResult: Result<T, any Error>?
      var renewals: (seen: LeaseObservation, lostFirst: String?)?
      for await ending in group {
        switch ending {
        case .body(let result):
          bodyResult = result
          group.cancelAll()
        case .renewals(let seen, let lost):
          // A loss after the body ended changes nothing: the body did not act without the lease.
          renewals = (seen, bodyResult == nil ? lost : nil)
          if let lost {
            report(.lost(reason: lost))
            group.cancelAll()
          }
        }
      }
      // Both children always end, each with its own case.
      return (bodyResult!, renewals!)
    }
    if let lost = renewals.lostFirst {
      throw LeaderElectionError.lost(lease: lease.description, reason: lost)
    }
    if releasesOnExit { await release(renewals.seen) }
    return try bodyResult.get()
  }

  private enum Ending<T: Sendable>: Sendable {
    case body(Result<T, any Error>)
    case renewals(LeaseObservation, lost: String?)
  }

  // MARK: Taking the lease

  /// Tries every `retryPeriod` (with jitter, so candidates do not move in step) until this
  /// candidate holds the lease; returns what it wrote and when the winning attempt started.
  private func acquire() async throws -> (LeaseObservation, ContinuousClock.Instant) {
    var seen = LeaseObservation(at: .now)
    var following: String?
    while true {
      try Task.checkCancellation()
      let started = ContinuousClock.now
      do throws(KubeError) {
        // Discovery picks the Lease API once; a cluster without it is an error, not a wait.
        _ = try await client.mapping(apiVersion: Self.leaseAPIVersion, kind: "Lease")
        switch try await attempt(seen) {
        case .created(let now):
          report(.acquired(previousHolder: nil, transitions: now.record?.transitions ?? 0))
          return (now, started)
        case .tookOver(let now, let previous):
          report(.acquired(previousHolder: previous, transitions: now.record?.transitions ?? 0))
          return (now, started)
        case .renewed(let now):
          report(.acquired(previousHolder: identity, transitions: now.record?.transitions ?? 0))
          return (now, started)
        case .heldBy(let holder, let now):
          seen = now
          if holder != following { report(.following(holder: holder)) }
          following = holder
        case .raced(let now):
          seen = now
        }
      } catch {
        try Task.checkCancellation()
        if let unusable = unusable(error) { throw unusable }
        report(.attemptFailed(error.description))
      }
      try await Task.sleep(for: timing.retryPeriod * Double.random(in: 1.0...1.2))
    }
  }

  /// Failures that no retry fixes: no Lease API, a missing namespace, no permission.
  private func unusable(_ error: KubeError) -> LeaderElectionError? {
    switch error {
    case .unknownKind:
      .unusable(
        lease: lease.description,
        reason: "the cluster does not serve Lease in \(Self.leaseAPIVersion) (Kubernetes 1.14+)")
    case .notFound, .forbidden, .unauthorized, .invalid, .badConfig:
      .unusable(lease: lease.description, reason: error.description)
    case .conflict, .unreachable, .timeout, .server:
      nil
    }
  }

  // MARK: Holding the lease

  /// Renews every `retryPeriod` until cancelled (no loss) or until leadership is lost (the
  /// reason). A renewal that fails is tried again until `renewDeadline` after the last one that
  /// succeeded; an attempt still in flight at the deadline is abandoned.
  private func keepRenewing(
    _ acquired: LeaseObservation, renewedAt: ContinuousClock.Instant
  ) async -> (LeaseObservation, lost: String?) {
    var seen = acquired
    var renewedAt = renewedAt
    while true {
      do { try await Task.sleep(for: timing.retryPeriod) } catch { return (seen, nil) }
      let deadline = renewedAt + timing.renewDeadline
      var failure = "no attempt finished"
      renewal: while true {
        let started = ContinuousClock.now
        guard started < deadline else {
          return (seen, "not renewed within \(timing.renewDeadline): \(failure)")
        }
        let known = seen
        let outcome = await Self.finish(by: deadline) { try await self.attempt(known) }
        if Task.isCancelled { return (seen, nil) }
        switch outcome {
        case nil:
          failure = "the last attempt did not finish"
        case .success(.renewed(let now)), .success(.created(let now)),
          .success(.tookOver(let now, _)):
          seen = now
          renewedAt = started
          report(.renewed)
          break renewal
        case .success(.heldBy(let holder, let now)):
          return (now, "\(holder) holds the lease now")
        case .success(.raced(let now)):
          seen = now
          failure = "another candidate wrote the lease at the same time"
        case .failure(let error):
          failure = "\(error)"
          report(.attemptFailed(failure))
        }
        let pause = min(timing.retryPeriod, deadline - ContinuousClock.now)
        if pause > .zero {
          do { try await Task.sleep(for: pause) } catch { return (seen, nil) }
        }
      }
    }
  }

  // MARK: One read or write

  private enum Attempt: Sendable {
    /// There was no lease: this candidate created it.
    case created(LeaseObservation)
    /// The lease was free, released or run out: this candidate holds it now.
    case tookOver(LeaseObservation, from: String)
    /// This candidate held the lease and renewed it.
    case renewed(LeaseObservation)
    /// Another candidate holds the lease, and it has not run out.
    case heldBy(String, LeaseObservation)
    /// Another write came first (a conflict): try again.
    case raced(LeaseObservation)
  }

  /// One try to take or keep the lease, every write conditional on what was read.
  private func attempt(_ known: LeaseObservation) async throws(KubeError) -> Attempt {
    var seen = known
    let now = LeaseRecord.microTime(Date())
    // The holder renews over what it wrote last, without reading first.
    if let mine = seen.object, var record = seen.record, record.holder == identity {
      record.renewTime = now
      record.durationSeconds = timing.leaseDurationSeconds
      do throws(KubeError) {
        seen.see(try await client.replace(record.written(over: mine)), at: .now)
        return .renewed(seen)
      } catch .conflict, .notFound {
        // Changed or deleted since: read it below.
      }
    }
    guard let current = try await client.get(lease) else {
      let record = LeaseRecord(
        holder: identity, durationSeconds: timing.leaseDurationSeconds, acquireTime: now,
        renewTime: now, transitions: 0)
      do throws(KubeError) {
        seen.see(try await client.create(leaseObject(record)), at: .now)
        return .created(seen)
      } catch .conflict {
        return .raced(seen)
      }
    }
    seen.see(current, at: .now)
    var record = LeaseRecord(lease: current)
    let previous = record.holder
    if !previous.isEmpty, previous != identity,
      !seen.hasRunOut(at: .now, fallback: timing.leaseDuration)
    {
      return .heldBy(previous, seen)
    }
    if previous != identity {
      record.holder = identity
      record.acquireTime = now
      record.transitions += 1
    }
    record.renewTime = now
    record.durationSeconds = timing.leaseDurationSeconds
    do throws(KubeError) {
      seen.see(try await client.replace(record.written(over: current)), at: .now)
    } catch .conflict, .notFound {
      return .raced(seen)
    }
    return previous == identity ? .renewed(seen) : .tookOver(seen, from: previous)
  }

  private func leaseObject(_ record: LeaseRecord) -> Value {
    [
      "apiVersion": .string(lease.apiVersion), "kind": .string(lease.kind),
      "metadata": [
        "name": .string(lease.name), "namespace": .string(lease.namespace ?? "default"),
        "labels": ["app.kubernetes.io/managed-by": "wavesync"],
      ],
      "spec": record.spec,
    ]
  }

  // MARK: Letting go

  /// Marks the lease free (no holder, run out) so the next candidate takes over at its next try.
  /// Sent from a task of its own: the caller's task may be cancelled, and letting go must still
  /// reach the server. Bounded by `renewDeadline`.
  private func release(_ seen: LeaseObservation) async {
    let deadline = ContinuousClock.now + timing.renewDeadline
    let outcome = await Task {
      await Self.finish(by: deadline) { try await self.letGo(seen) }
    }.value
    switch outcome {
    case .success(true): report(.released)
    case .success(false): break
    case .failure(let error): report(.attemptFailed("releasing: \(error)"))
    case nil: report(.attemptFailed("releasing: no answer within \(timing.renewDeadline)"))
    }
  }

  /// False when another candidate holds the lease already.
  private func letGo(_ seen: LeaseObservation) async throws(KubeError) -> Bool {
    var current = seen.object
    // A renewal cancelled in flight may have landed: then one fresh read is enough.
    for _ in 0..<2 {
      guard let object = current, LeaseRecord(lease: object).holder == identity else {
        return false
      }
      var record = LeaseRecord(lease: object)
      let now = LeaseRecord.microTime(Date())
      record.holder = ""
      record.durationSeconds = 1
      record.acquireTime = now
      record.renewTime = now
      do throws(KubeError) {
        _ = try await client.replace(record.written(over: object))
        return true
      } catch .conflict {
        current = try await client.get(lease)
      }
    }
    return false
  }

  /// The result of `work`, or nil when `deadline` passes first (the work is then cancelled).
  private static func finish<T: Sendable>(
    by deadline: ContinuousClock.Instant, _ work: @escaping @Sendable () async throws -> T
  ) async -> Result<T, any Error>? {
    await withTaskGroup(of: Result<T, any Error>?.self) { group in
      group.addTask {
        do { return .success(try await work()) } catch { return .failure(error) }
      }
      group.addTask {
        // Cancelled means the work finished first; either way this child only says "no result".
        _ = try? await Task.sleep(until: deadline, clock: .continuous)
        return nil
      }
      let first = await group.next() ?? nil
      group.cancelAll()
      return first
    }
  }
}
