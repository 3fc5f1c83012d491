import Foundation
import KubeClient
import Logging

extension EnvtestFleet {
  /// Starts the kube-apiserver of `cluster` (on its port, with its data kept in etcd) and its
  /// controller manager, and waits until both are at work. For a cluster `stopCluster` stopped;
  /// when it fails, the cluster is left stopped.
  public func startCluster(_ cluster: String) async throws {
    guard let configuration = configurations[cluster] else {
      throw LocalFleetError("no cluster \(cluster) in this fleet")
    }
    let claimed = state.withLock { table in
      guard !table.starting.contains(cluster), table.apiServers[cluster]?.isRunning != true else {
        return false
      }
      table.starting.insert(cluster)
      return true
    }
    guard claimed else { throw LocalFleetError("cluster \(cluster) is running or starting") }
    defer { state.withLock { _ = $0.starting.remove(cluster) } }
    do {
      try await start(configuration)
    } catch {
      await stopClusterInBackground(cluster)
      throw error
    }
  }

  private func start(_ configuration: FleetCluster) async throws(LocalFleetError) {
    let cluster = configuration.name
    try createDirectory(configuration.directory)

    let server = try spawn(
      "kube-apiserver of \(cluster)", executable: binaries.kubeAPIServer,
      arguments: configuration.apiServerArguments(etcdPort: etcdPort, credentials: credentials),
      logFile: configuration.apiServerLog, into: \.apiServers[cluster])
    // Refused connections are expected until the server listens: not worth a log line each.
    var quiet = Logger(label: "wavesync.local-fleet.readiness")
    quiet.logLevel = .error
    let client = KubeClient(connection: connection(for: cluster), timeoutSeconds: 5, logger: quiet)
    try await Readiness.wait(
      for: server, what: "the kube-apiserver of \(cluster) (\(configuration.server))",
      seconds: 120
    ) {
      try await Readiness.answersOK(client, "/readyz")
    }

    let manager = try spawn(
      "kube-controller-manager of \(cluster)", executable: binaries.kubeControllerManager,
      arguments: configuration.controllerManagerArguments(),
      logFile: configuration.controllerManagerLog, into: \.controllerManagers[cluster])
    try await Readiness.wait(
      for: manager, what: "the default service account of \(cluster)", seconds: 90
    ) {
      try await Readiness.defaultServiceAccountHasToken(client)
    }
  }

  /// Stops the kube-apiserver and controller manager of `cluster`, as if the site went offline:
  /// its port refuses connections until `startCluster` (its objects stay in etcd). Blocks for at
  /// most `kubeGrace` seconds.
  public func stopCluster(_ cluster: String) {
    let processes = state.withLock { table in
      let processes = [table.controllerManagers[cluster], table.apiServers[cluster]]
      table.controllerManagers[cluster] = nil
      table.apiServers[cluster] = nil
      return processes.compactMap { $0 }
    }
    ChildProcess.stopAll(processes, grace: Self.kubeGrace)
  }

  /// How long kube-apiserver and kube-controller-manager get to exit after SIGTERM. An API server
  /// with a watch open waits for it to end (up to a minute) before exiting; nothing is lost by
  /// cutting that short, since every write it acknowledged is already in etcd.
  static let kubeGrace = 2.0

  /// Stops every process of the fleet (SIGTERM, then SIGKILL after a bounded wait; all reaped)
  /// and removes the work directory the fleet made. Idempotent; blocks for at most about 7 s.
  public func stop() {
    let (kube, etcd, first) = state.withLock { table in
      let kube = Array(table.controllerManagers.values) + Array(table.apiServers.values)
      let etcd = table.etcd
      let first = !table.stopped
      table = ProcessTable(stopped: true)
      return (kube, etcd, first)
    }
    ChildProcess.stopAll(kube, grace: Self.kubeGrace)
    if let etcd { ChildProcess.stopAll([etcd], grace: 5) }
    guard first else { return }
    watchdog.release()
    if removesWorkDirectory { try? FileManager.default.removeItem(at: workDirectory) }
  }

  /// `stop()` on a Dispatch thread, for async callers: it never holds a thread of Swift's
  /// small cooperative pool while processes exit.
  public func stopInBackground() async {
    _ = try? await blocking { self.stop() }
  }

  /// `stopCluster(_:)` on a Dispatch thread, for async callers.
  public func stopClusterInBackground(_ cluster: String) async {
    _ = try? await blocking { self.stopCluster(cluster) }
  }
}
