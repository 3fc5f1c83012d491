import ArgumentParser
import Controller
import Foundation
import GitSource
import Model
import Rollout

/// Runs the fleet's reconcile in the foreground for `rollout` and `rollback`, printing progress
/// as it goes: the same reconcile `wavesync controller` runs.
struct RolloutRunner {
  var repository: RepositoryOptions
  var clusters: ClusterOptions
  var state: StateOptions
  var scope: ScopeOptions
  var tickInterval: Double
  var pollInterval: Double
  /// Recorded in a Fleet this run creates (`--kubeconfig-secret`).
  var kubeconfigSecret: String? = nil
  /// Where new images are sized (`--registry`); nil: a site that needs one has an unknown payload.
  var registry: RegistrySettings? = nil

  /// How a terminal's run names itself in the Fleet's Lease, so another run can tell it from a
  /// controller.
  static let identityPrefix = "wavesync-cli-"

  /// Exit code of a rollout that ended rolled back, or of a revision refused.
  static let rolledBackExitCode: Int32 = 4

  /// Rolls the fleet forward to what `--ref` points at, or, with `rollbackTo`, asks for a
  /// rollback to it (in the Fleet's spec) and carries it out.
  func run(rollbackTo: String? = nil) async throws {
    let kubeconfig = try clusters.loadKubeconfig()
    let objects = try state.objects(in: kubeconfig)
    let fleetRepository = try repository.fleetRepository()
    if try await FleetSetup.ensureFleet(
      client: objects.client, namespace: objects.namespace, name: objects.fleetName,
      url: fleetRepository.url, ref: fleetRepository.ref, siteSelector: scope.selector,
      kubeconfigSecret: kubeconfigSecret)
    {
      Self.say("created Fleet \(objects.namespace)/\(objects.fleetName) for the rollout state")
    }
    if let rollbackTo {
      try await FleetControls.requestRollback(
        to: rollbackTo, objects: objects, client: objects.client)
    }
    // A controller reconciling the Fleet acts on the request itself; two runners would fight.
    let elector = LeaderElector(
      client: objects.client, namespace: objects.namespace,
      name: LeaderElector.leaseName(fleet: objects.fleetName),
      identity: Self.identityPrefix + LeaderElector.defaultIdentity())
    let holder = try await elector.currentHolder()
    if let holder, holder.hasPrefix(Self.identityPrefix) {
      // Another terminal's run (or one that was killed): wait for its Lease.
      Self.say("waiting for \(holder), which holds the Fleet's Lease, to finish or run out")
    } else if let controller = holder {
      if let rollbackTo {
        Self.say(
          "rollback to \(rollbackTo) requested in Fleet \(objects.namespace)/\(objects.fleetName); "
            + "controller \(controller) carries it out (follow it with `wavesync status`)")
        return
      }
      throw UserError(
        "Fleet \(objects.namespace)/\(objects.fleetName) is reconciled by controller \(controller), "
          + "which rolls out new commits by itself: follow it with `wavesync status`")
    }
    let reconciler = try FleetReconciler(
      store: FleetStateStore(objects: objects), repository: fleetRepository,
      sites: SiteClientCache(kubeconfig: kubeconfig, contextOverride: clusters.context),
      scope: try scope.scope(), registry: registry,
      settings: .init(
        tickInterval: .milliseconds(Int(tickInterval * 1000)),
        revisionPollInterval: .milliseconds(Int(max(pollInterval, 0) * 1000))),
      pollsForNewerCommits: pollInterval > 0, observe: Self.print)
    // Holding the Fleet's Lease while it runs: a controller started meanwhile waits for it.
    let outcome = try await elector.runWhileLeader { await reconciler.reconcile() }
    switch outcome {
    case .rolledOut: return
    case .rolledBack, .refused: throw ExitCode(Self.rolledBackExitCode)
    case .failed(_, let message): throw UserError(message)
    case .stopped: throw UserError("stopped before the rollout finished; run again to resume it")
    case .suspended:
      throw UserError(
        "Fleet \(objects.namespace)/\(objects.fleetName) is suspended (spec.suspend); "
          + "nothing was rolled out")
    }
  }

  @Sendable static func print(_ observation: FleetObservation) {
    switch observation {
    case .rollout(let observation): print(observation)
    case .gitOffline(let url, let reason):
      printError("warning: \(url) is unreachable (\(reason)); using the cached commit")
    case .stepFailed: break  // the outcome says it
    case .statusUnwritten(let reason):
      printError("warning: the Fleet's status could not be written: \(reason)")
    }
  }

  static func print(_ observation: RolloutObservation) {
    for line in lines(observation) { say(line) }
  }

  /// The progress lines of a rollout observation.
  static func lines(_ observation: RolloutObservation) -> [String] {
    let lines: [String]
    switch observation {
    case .started(let state, let trigger): lines = RolloutProgress.opening(state, trigger: trigger)
    case .resumed(let state):
      lines =
        ["Resuming the rollout of \(shortRevision(state.revision)) where it was"]
        + RolloutProgress.opening(state, trigger: .newCommit).dropFirst()
    case .changed(let from, let to): lines = RolloutProgress.lines(from: from, to: to)
    case .finished: lines = []
    case .rejected(let revision, let reason):
      lines = ["refused \(shortRevision(revision)): \(reason)"]
    case .queued(let revision):
      lines = ["\(shortRevision(revision)) arrived during a rollback: it starts after it"]
    case .nothingToDo(let message): lines = [message]
    case .controlsUnreadable(let reason):
      lines = ["cannot read the operator's controls (\(reason)): holding new site changes"]
    case .controlsReadable: lines = ["the operator's controls can be read again"]
    case .pollFailed(let reason):
      lines = ["cannot ask Git for a newer commit (\(reason)); the rollout goes on"]
    case .pollRecovered: lines = ["Git answers again"]
    case .payloadsUnknown(let sites, let reason):
      lines = [
        "cannot size what \(RolloutProgress.count(sites, "site")) must pull (\(reason)): "
          + "scheduled as the longest transfers"
      ]
    }
    return lines
  }

  static func say(_ line: String) {
    let stamp = RolloutProgress.time(Date())
    FileHandle.standardOutput.write(Data("[\(stamp)] \(line)\n".utf8))
  }
}
