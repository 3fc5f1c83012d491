import ArgumentParser
import Controller
import Foundation
import KubeClient
import Logging
import ServiceLifecycle

struct ControllerCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "controller",
    abstract: "Run the regional controller: reconcile the namespace's Fleets until stopped.",
    discussion: """
      For each Fleet of the namespace (those created while it runs are picked up within \
      --scan-interval): fetches its repository (the last fetched commit when Git does not \
      answer), renders every site, rolls new commits out wave by wave with health gates and \
      automatic rollback, and writes the Fleet's and each FleetSite's status. Looks for new \
      commits every spec.source.pollInterval; reads spec.paused, spec.promotions and \
      spec.rollbackTo (written by `wavesync pause|resume|promote|rollback`). SIGTERM or SIGINT \
      stops it cleanly: the state is stored before every step and the next start resumes.
      """)

  @Option(
    name: .long,
    help:
      "Kubeconfig of the regional cluster (default: in a pod, its service account; else $KUBECONFIG, else ~/.kube/config)."
  )
  var kubeconfig: String?

  @Option(
    name: .long, help: "Kubeconfig context of the regional cluster (default: the current one).")
  var context: String?

  @Option(name: .long, help: "Namespace of the Fleets to reconcile.")
  var namespace = FleetResourceNames.defaultNamespace

  @Option(
    name: .long,
    help:
      "A Fleet to reconcile (repeat for several; default: every Fleet in the namespace, those created later too)."
  )
  var fleet: [String] = []

  @Option(
    name: .long,
    help:
      "Folder for the Git cache and the Secrets' files (default: $WAVESYNC_CACHE_DIR, else ~/.cache/wavesync)."
  )
  var cacheDir: String?

  @Option(name: .long, help: "Seconds between checks of health, timeouts, retries and controls.")
  var tickInterval: Double = 2

  @Option(
    name: .long,
    help: "This replica's name in the Fleets' Leases (default: the host name and a random suffix).")
  var identity: String?

  @Option(
    name: .long,
    help:
      "Seconds a Lease lasts without renewal before a waiting replica takes over (renewed every third of it)."
  )
  var leaseDuration: Double = 15

  @Option(
    name: .long,
    help: "Seconds between looks for Fleets created or deleted in the namespace.")
  var scanInterval: Double = 10

  func run() async throws {
    try await Wavesync.exitCodes {
      let client = KubeClient(connection: try connection())
      var logger = Logger(label: "wavesync.controller")
      logger.logLevel = .info
      let root = cacheRoot
      let identity = identity ?? LeaderElector.defaultIdentity()
      let timing = try leaseTiming()
      guard scanInterval > 0 else { throw UserError("--scan-interval must be above 0") }
      let (namespace, tickInterval) = (namespace, tickInterval)
      let log = logger
      let supervisor = FleetSupervisor(
        scanInterval: .milliseconds(Int(scanInterval * 1000)),
        only: fleet.isEmpty ? nil : Set(fleet),
        listFleets: FleetSupervisor.fleetNames(in: namespace, client: client),
        runFleet: { name in
          let service = FleetService(
            namespace: namespace, name: name, regional: client,
            cacheRoot: root.appendingPathComponent("git"),
            workDirectory: root.appendingPathComponent("fleets"),
            settings: .init(tickInterval: .milliseconds(Int(tickInterval * 1000))),
            identity: identity, leaderElection: timing,
            observe: { ControllerLog.log($0, fleet: "\(namespace)/\(name)", to: log) })
          await service.run()
        },
        observe: { ControllerLog.log($0, namespace: namespace, to: log) })
      logger.info(
        "reconciling",
        metadata: [
          "fleets": "\(fleet.isEmpty ? "every Fleet" : fleet.joined(separator: ","))",
          "namespace": "\(namespace)",
        ])
      let group = ServiceGroup(
        configuration: .init(
          services: [
            .init(service: supervisor, successTerminationBehavior: .gracefullyShutdownGroup)
          ],
          gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
      try await group.run()
    }
  }

  /// The Lease lasts `--lease-duration`; renewals are tried every sixth of it and given up on
  /// after two thirds.
  private func leaseTiming() throws -> LeaderElectionTiming {
    let milliseconds = Int64(leaseDuration * 1000)
    do {
      return try LeaderElectionTiming(
        leaseDuration: .milliseconds(milliseconds),
        renewDeadline: .milliseconds(milliseconds * 2 / 3),
        retryPeriod: .milliseconds(milliseconds / 6))
    } catch {
      throw UserError("--lease-duration \(leaseDuration): \(error.description)")
    }
  }

  private var cacheRoot: URL {
    if let cacheDir { return URL(fileURLWithPath: cacheDir) }
    if let fromEnvironment = ProcessInfo.processInfo.environment["WAVESYNC_CACHE_DIR"],
      !fromEnvironment.isEmpty
    {
      return URL(fileURLWithPath: fromEnvironment)
    }
    return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(
      ".cache/wavesync")
  }

  private func connection() throws -> ClusterConnection {
    if kubeconfig == nil, context == nil,
      ProcessInfo.processInfo.environment["KUBERNETES_SERVICE_HOST"] != nil
    {
      return try Kubeconfig.inCluster()
    }
    let config = try ClusterOptions.loadKubeconfig(kubeconfig)
    return try config.connection(context: context)
  }
}

/// The controller's log lines.
enum ControllerLog {
  static func log(_ event: FleetSupervisorEvent, namespace: String, to logger: Logger) {
    switch event {
    case .started(let fleet):
      logger.info("reconciling the Fleet", metadata: ["fleet": "\(namespace)/\(fleet)"])
    case .ended(let fleet):
      logger.info("no longer reconciled", metadata: ["fleet": "\(namespace)/\(fleet)"])
    case .awaiting(let fleets):
      logger.info(
        "waiting for Fleets that do not exist yet: \(fleets.joined(separator: ", "))",
        metadata: ["namespace": "\(namespace)"])
    case .listFailed(let message, let notInstalled):
      let hint = notInstalled ? "; run `wavesync install` or install the Helm chart" : ""
      logger.error(
        "cannot list the Fleets: \(message)\(hint); trying again",
        metadata: ["namespace": "\(namespace)"])
    }
  }

  static func log(_ event: FleetServiceEvent, fleet: String, to logger: Logger) {
    var metadata: Logger.Metadata = ["fleet": "\(fleet)"]
    switch event {
    case .reconciled(let outcome):
      switch outcome {
      case .rolledOut(let revision):
        logger.info("rolled out \(revision)", metadata: metadata)
      case .rolledBack(let revision, let reason):
        metadata["reason"] = "\(reason)"
        logger.warning("rolled back \(revision)", metadata: metadata)
      case .refused(let revision, let reason):
        metadata["reason"] = "\(reason)"
        logger.warning("refused \(revision)", metadata: metadata)
      case .failed(let reason, let message):
        metadata["reason"] = "\(reason.rawValue)"
        logger.error("\(message)", metadata: metadata)
      case .stopped:
        logger.info("stopped mid-rollout; resumes at the next start", metadata: metadata)
      case .suspended: logger.info("suspended (spec.suspend)", metadata: metadata)
      }
    case .reconcile(let observation):
      switch observation {
      case .rollout(let rollout):
        for line in RolloutRunner.lines(rollout) { logger.info("\(line)", metadata: metadata) }
      case .gitOffline(let url, let reason):
        logger.warning(
          "\(url) is unreachable (\(reason)); using the cached commit", metadata: metadata)
      case .stepFailed(let reason, let message):
        metadata["reason"] = "\(reason.rawValue)"
        logger.error("\(message)", metadata: metadata)
      case .statusUnwritten(let reason):
        logger.error("the Fleet's status could not be written: \(reason)", metadata: metadata)
      }
    case .failed(let reason, let message):
      metadata["reason"] = "\(reason.rawValue)"
      logger.error("\(message)", metadata: metadata)
    case .leaderElection(let event):
      switch event {
      case .following(let holder):
        logger.info("waiting: replica \(holder) reconciles this Fleet", metadata: metadata)
      case .acquired(let previous, let transitions):
        metadata["transitions"] = "\(transitions)"
        // An empty previous holder: the Lease had been let go.
        let from = previous.flatMap { $0.isEmpty ? nil : ", taking over from \($0)" } ?? ""
        logger.info("leading\(from)", metadata: metadata)
      case .renewed: break
      case .attemptFailed(let reason):
        logger.warning("could not write the Lease: \(reason)", metadata: metadata)
      case .lost(let reason):
        logger.error("no longer leading: \(reason)", metadata: metadata)
      case .released: logger.info("let go of the Lease", metadata: metadata)
      }
    case .fleetGone: logger.info("the Fleet was deleted; no longer reconciled", metadata: metadata)
    case .stopped: logger.info("stopped", metadata: metadata)
    }
  }
}
