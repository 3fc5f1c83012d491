import ArgumentParser
import Controller
import Foundation
import GitSource
import Model
import Rollout

/// Runs the rollout driver for `rollout` and `rollback`, printing progress as it goes.
struct RolloutRunner {
  var repository: RepositoryOptions
  var clusters: ClusterOptions
  var state: StateOptions
  var scope: LabelSelector?
  var tickInterval: Double
  var pollInterval: Double

  /// Exit code of a rollout that ended rolled back, or of a revision refused.
  static let rolledBackExitCode: Int32 = 4

  func run(revision: String, trigger: RolloutTrigger) async throws {
    let kubeconfig = try clusters.loadKubeconfig()
    let store = try state.store(in: kubeconfig)
    let targets = FleetRolloutTargets(
      snapshot: try repository.revisionReader(),
      client: SiteClients(kubeconfig: kubeconfig, contextOverride: clusters.context).client,
      scope: scope)
    let driver = RolloutDriver(
      targets: targets, store: store,
      settings: .init(
        tickInterval: .milliseconds(Int(tickInterval * 1000)),
        revisionPollInterval: .milliseconds(Int(max(pollInterval, 0) * 1000))),
      observe: Self.print)
    let latest = try repository.latestRevisionReader()
    let poll: (@Sendable () async throws -> String?)? =
      pollInterval > 0 && trigger == .newCommit ? { @Sendable in try await latest() } : nil
    let record: RolloutRecord
    do {
      record = try await driver.run(revision: revision, trigger: trigger, newerRevision: poll)
    } catch {
      throw UserError(error.description)
    }
    let refused = trigger != .rollback && record.isBad(revision)
    let endedBadly = record.history.first.map { [.rolledBack, .rejected].contains($0.outcome) }
    if refused || endedBadly == true {
      throw ExitCode(Self.rolledBackExitCode)
    }
  }

  @Sendable static func print(_ observation: RolloutObservation) {
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
    }
    let stamp = RolloutProgress.time(Date())
    for line in lines {
      FileHandle.standardOutput.write(Data("[\(stamp)] \(line)\n".utf8))
    }
  }
}
