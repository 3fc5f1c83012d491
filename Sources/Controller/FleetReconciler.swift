// One reconcile of a fleet: ordered steps, each a function with its own failure reason.
//
// 1. source: fetch the repository and pick the commit: the one `spec.source.ref` points at, or
//    the operator's `spec.rollbackTo` when it is new. A remote that does not answer serves the
//    last fetched commit: the `GitOffline` condition says so and the reconcile goes on.
//    Failure: `SourceFailed`.
// 2. render: render every site of the commit (shared with the rollout: rendered once). A commit
//    marked bad is not rendered again. Failure: `RenderFailed`; the commit is marked bad and
//    recorded in the history as rejected, no site touched.
// 3. rollout: the rollout driver, until no rollout is left to run (newer commits found by its
//    poll supersede the one in progress). Failure: `RolloutFailed` (the state could not be
//    stored, the rollout cannot be resumed); a stop asked for (SIGTERM) is not a failure: the
//    state is stored before every step, so the next run resumes.
// 4. status: the conditions (`Ready`, `Reconciling`, `Stalled`) and what was observed.
//
// A step runs only when the steps before it succeeded. The `Fleet`'s status is the only record:
// a reconcile keeps no state of its own between runs.
public import Foundation
import GitSource
public import Rollout

/// Reconciles one `Fleet` (see the top of this file).
public struct FleetReconciler: Sendable {
  public let store: FleetStateStore
  public let repository: FleetSource
  public let targets: any RolloutTargets
  public let settings: RolloutDriver.Settings
  /// Whether rollouts look for newer commits every `settings.revisionPollInterval`.
  public let pollsForNewerCommits: Bool
  private let now: @Sendable () -> Date
  private let observe: @Sendable (FleetObservation) -> Void

  public init(
    store: FleetStateStore, repository: FleetSource, targets: any RolloutTargets,
    settings: RolloutDriver.Settings = .init(), pollsForNewerCommits: Bool = true,
    now: @escaping @Sendable () -> Date = { Date() },
    observe: @escaping @Sendable (FleetObservation) -> Void = { _ in }
  ) {
    self.store = store
    self.repository = repository
    self.targets = targets
    self.settings = settings
    self.pollsForNewerCommits = pollsForNewerCommits
    self.now = now
    self.observe = observe
  }

  /// Runs the steps once; never throws: every failure is an outcome and a condition.
  public func reconcile() async -> ReconcileOutcome {
    let spec: FleetSpecControls
    do {
      spec = try await readSpec()
    } catch {
      observe(.stepFailed(reason: .fleetUnreadable, message: "\(error)"))
      return .failed(reason: .fleetUnreadable, message: "\(error)")
    }
    if spec.suspended {
      await writeStatus(.suspended, generation: spec.generation)
      return .suspended
    }
    let picked: PickedRevision
    do {
      picked = try await source(spec)
    } catch {
      return await fail(.sourceFailed, "\(error)", generation: spec.generation)
    }
    do {
      try await render(picked)
    } catch let refusal as Refusal {
      let outcome = ReconcileOutcome.refused(revision: picked.revision, reason: refusal.reason)
      await writeStatus(outcome, generation: spec.generation, rollbackTo: picked.rollbackTo)
      return outcome
    } catch let failure as StoreFailure {
      return await fail(.rolloutFailed, failure.description, generation: spec.generation)
    } catch {
      return await fail(.renderFailed, "\(error)", generation: spec.generation)
    }
    let outcome = await rollout(picked)
    await writeStatus(outcome, generation: spec.generation, rollbackTo: picked.rollbackTo)
    return outcome
  }

  // MARK: Steps

  private struct PickedRevision {
    var revision: String
    var trigger: RolloutTrigger
    /// The `spec.rollbackTo` this acts on.
    var rollbackTo: String?
  }

  /// The commit to roll out, fetched. Records what was fetched and whether Git answered.
  private func source(_ spec: FleetSpecControls) async throws -> PickedRevision {
    let (_, status) = try await store.fleet()
    let rollbackTo = spec.rollbackTo.flatMap { $0 == status.observedRollbackTo ? nil : $0 }
    let (fetched, offline) = try await repository.fetchRevision()
    var picked = PickedRevision(revision: fetched, trigger: .newCommit)
    if let rollbackTo {
      let target = try await repository.fetchRevision(ref: rollbackTo)
      picked = PickedRevision(revision: target.revision, trigger: .rollback, rollbackTo: rollbackTo)
    }
    if let offline { observe(.gitOffline(url: repository.url, reason: offline)) }
    let at = now()
    try await store.updateStatus { status in
      status.fetchedRevision = fetched
      if let offline {
        status.gitOfflineSince = status.gitOfflineSince ?? at
        status.set(
          FleetCondition(
            type: FleetConditionType.gitOffline, status: true, reason: "GitOffline",
            message: "\(repository.url) is unreachable (\(offline)); using the cached commit "
              + fetched, observedGeneration: spec.generation, at: at))
      } else {
        status.gitOfflineSince = nil
        status.conditions.removeAll { $0.type == FleetConditionType.gitOffline }
      }
    }
    return picked
  }

  /// Renders every site of the commit, unless it is known bad (the Fleet's status says so: no
  /// FleetSite is read). A failure is recorded in the rollout record, so the commit is not tried
  /// again.
  private func render(_ picked: PickedRevision) async throws {
    let (_, status) = try await store.fleet()
    let isBad = status.badRevisions.contains { $0.revision == picked.revision }
    // Nothing to render: the rollout step says it waits for a newer commit.
    if picked.trigger != .rollback && isBad { return }
    let renderError: any Error
    do {
      _ = try await targets.prepare(revision: picked.revision)
      return
    } catch {
      renderError = error
    }
    let reason = "revision \(shortRevision(picked.revision)) cannot be rolled out: \(renderError)"
    do {
      var rejected = try await store.load() ?? RolloutRecord()
      rejected.reject(
        picked.revision, trigger: picked.trigger, reason: reason, at: now(),
        historyLimit: settings.historyLimit)
      try await store.save(rejected)
    } catch {
      // The commit is refused all the same; the state could not record it.
      throw StoreFailure(description: "\(error)")
    }
    observe(.rollout(.rejected(revision: picked.revision, reason: reason)))
    throw Refusal(reason: reason)
  }

  private struct StoreFailure: Error, CustomStringConvertible {
    var description: String
  }

  private struct Refusal: Error {
    var reason: String
  }

  /// Drives rollouts until none is left to run.
  private func rollout(_ picked: PickedRevision) async -> ReconcileOutcome {
    let at = now()
    do {
      let message = "rolling out \(picked.revision)"
      // Progressing only when there is something to roll out: a commit already rolled out or
      // marked bad does not make the Fleet's Ready flap at every poll.
      let (_, stored) = try await store.fleet()
      let active = stored.rollout.map { !$0.engine.phase.isFinished } ?? false
      let settled =
        picked.trigger == .newCommit
        && (stored.badRevisions.contains { $0.revision == picked.revision }
          || (stored.lastGoodRevision == picked.revision && stored.sites.behind == 0))
      try await store.updateStatus { status in
        guard active || !settled else { return }
        for (type, value) in [
          (FleetConditionType.reconciling, true), (FleetConditionType.ready, nil),
        ] {
          status.set(
            FleetCondition(
              type: type, status: value, reason: "Progressing", message: message,
              observedGeneration: status.observedGeneration, at: at))
        }
      }
    } catch {
      return .failed(reason: .rolloutFailed, message: "\(error)")
    }
    let store = store
    let driver = RolloutDriver(
      targets: targets, store: store, settings: settings, now: now,
      observe: { observation in
        // Problems reading Git or the controls go into the status with the next write.
        switch observation {
        case .pollFailed(let reason): store.note { $0.lastPollError = reason }
        case .pollRecovered: store.note { $0.lastPollError = nil }
        case .controlsUnreadable(let reason): store.note { $0.controlsError = reason }
        case .controlsReadable: store.note { $0.controlsError = nil }
        default: break
        }
        observe(.rollout(observation))
      })
    let repository = repository
    let poll: (@Sendable () async throws -> String?)? =
      picked.trigger == .newCommit && pollsForNewerCommits
      ? { @Sendable in try await repository.latest() } : nil
    let record: RolloutRecord
    do {
      record = try await driver.run(
        revision: picked.revision, trigger: picked.trigger, newerRevision: poll)
    } catch {
      if case .cancelled = error { return .stopped }
      return .failed(reason: .rolloutFailed, message: error.description)
    }
    return ReconcileOutcome(record, revision: picked.revision, trigger: picked.trigger)
  }

  // MARK: Status

  private func readSpec() async throws -> FleetSpecControls {
    let fleet = try await store.refresh()
    return FleetSpecControls(fleet)
  }

  private func fail(_ reason: ReconcileFailure, _ message: String, generation: Int?) async
    -> ReconcileOutcome
  {
    observe(.stepFailed(reason: reason, message: message))
    let outcome = ReconcileOutcome.failed(reason: reason, message: message)
    await writeStatus(outcome, generation: generation)
    return outcome
  }

  /// The conditions for `outcome`. A status that cannot be written is reported, not fatal: the
  /// next reconcile writes it again.
  private func writeStatus(
    _ outcome: ReconcileOutcome, generation: Int?, rollbackTo: String? = nil
  ) async {
    let at = now()
    let conditions = FleetConditions.after(outcome, generation: generation, at: at)
    do {
      try await store.updateStatus { status in
        status.observedGeneration = generation
        if let rollbackTo { status.observedRollbackTo = rollbackTo }
        for condition in conditions { status.set(condition) }
      }
    } catch {
      observe(.statusUnwritten("\(error)"))
    }
  }
}

/// How a reconcile ended.
public enum ReconcileOutcome: Sendable, Hashable {
  /// Every site in scope runs `revision` (or it was so already).
  case rolledOut(revision: String)
  /// A wave failed and was rolled back.
  case rolledBack(revision: String, reason: String)
  /// The revision cannot be rolled out (it does not render, or is marked bad).
  case refused(revision: String, reason: String)
  /// A step failed; the next reconcile tries again.
  case failed(reason: ReconcileFailure, message: String)
  /// Stopped before the rollout finished (the controller is stopping): resumed by the next run.
  case stopped
  /// `spec.suspend` is set.
  case suspended

  init(_ record: RolloutRecord, revision: String, trigger: RolloutTrigger) {
    if trigger != .rollback, let bad = record.badRevisions.first(where: { $0.revision == revision })
    {
      if let last = record.history.first, last.revision == revision, last.outcome == .rolledBack {
        self = .rolledBack(revision: revision, reason: last.reason ?? bad.reason)
      } else {
        self = .refused(revision: revision, reason: bad.reason)
      }
      return
    }
    if let last = record.history.first, last.outcome == .rolledBack || last.outcome == .rejected {
      self =
        last.outcome == .rolledBack
        ? .rolledBack(revision: last.revision, reason: last.reason ?? "")
        : .refused(revision: last.revision, reason: last.reason ?? "")
      return
    }
    self = .rolledOut(revision: record.lastGoodRevision ?? revision)
  }
}

/// The step that failed: each its own condition reason.
public enum ReconcileFailure: String, Sendable, Hashable {
  case fleetUnreadable = "FleetUnreadable"
  /// The spec or a Secret it names cannot be used.
  case configInvalid = "ConfigInvalid"
  case sourceFailed = "SourceFailed"
  case renderFailed = "RenderFailed"
  case rolloutFailed = "RolloutFailed"
}

/// What a reconcile reports as it goes, for logs and progress output.
public enum FleetObservation: Sendable {
  case rollout(RolloutObservation)
  case gitOffline(url: String, reason: String)
  case stepFailed(reason: ReconcileFailure, message: String)
  case statusUnwritten(String)
}
