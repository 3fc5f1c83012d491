import Foundation
import KubeClient
import Logging

extension EnvtestFleet {
  /// Starts the kube-apiserver of `cluster` (on its port, with its data kept in etcd) and its
  /// controller manager, and waits until both are at work. For a cluster `stopCluster` stopped;
  /// when it fails, the cluster is left stopped. A kube-apiserver that does not become ready is
  /// started again on the same port, a bounded number of times.
  public func startCluster(_ cluster: String) async throws {
    try await startCluster(cluster, movingPortOnRetry: false)
  }

  func startCluster(_ cluster: String, movingPortOnRetry: Bool) async throws {
    guard configuration(of: cluster) != nil else {
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
      try await startAPIServer(cluster, movingPortOnRetry: movingPortOnRetry)
      try await startControllerManager(cluster)
    } catch {
      await stopClusterInBackground(cluster)
      throw error
    }
  }

  /// Starts the kube-apiserver of `cluster` until it answers `/readyz` with 200, at most
  /// `tuning.apiServerTries` times: one that exits or stays unready is stopped and started
  /// again, on a fresh port when `movingPortOnRetry` (its old one may be what is wrong).
  private func startAPIServer(
    _ cluster: String, movingPortOnRetry: Bool
  ) async throws(LocalFleetError) {
    var problems: [String] = []
    while true {
      guard let configuration = configuration(of: cluster) else {
        throw LocalFleetError("no cluster \(cluster) in this fleet")
      }
      do {
        try await startAPIServerOnce(configuration, try: problems.count + 1)
        let mended = problems
        state.withLock { $0.startProblems += mended }
        return
      } catch {
        await stopClusterInBackground(cluster)
        let number = problems.count + 1
        guard number < tuning.apiServerTries else {
          // The earlier tries in a line each, the last with the end of its log.
          throw LocalFleetError(
            "the kube-apiserver of \(cluster) did not become ready in \(number) tries:\n"
              + (problems + ["try \(number): \(error.description)"]).joined(separator: "\n"))
        }
        let firstLine = error.description.prefix { $0 != "\n" }
        problems.append("try \(number): \(firstLine)")
        if movingPortOnRetry { try await moveToFreshPort(cluster) }
      }
    }
  }

  private func startAPIServerOnce(
    _ configuration: FleetCluster, try number: Int
  ) async throws(LocalFleetError) {
    let cluster = configuration.name
    try createDirectory(configuration.directory)
    let etcdPort =
      number <= tuning.triesWithUnreachableEtcd ? try LoopbackSocket.freePort() : self.etcdPort
    let server = try spawn(
      "kube-apiserver of \(cluster)", executable: binaries.kubeAPIServer,
      arguments: configuration.apiServerArguments(etcdPort: etcdPort, credentials: credentials),
      logFile: configuration.apiServerLog, into: \.apiServers[cluster])
    let client = readinessClient(cluster)
    try await Readiness.wait(
      for: server, what: "the kube-apiserver of \(cluster) (\(configuration.server))",
      seconds: tuning.apiServerReadySeconds
    ) {
      try await Readiness.answersOK(client, "/readyz")
    }
  }

  private func startControllerManager(_ cluster: String) async throws(LocalFleetError) {
    guard let configuration = configuration(of: cluster) else {
      throw LocalFleetError("no cluster \(cluster) in this fleet")
    }
    let manager = try spawn(
      "kube-controller-manager of \(cluster)", executable: binaries.kubeControllerManager,
      arguments: configuration.controllerManagerArguments(),
      logFile: configuration.controllerManagerLog, into: \.controllerManagers[cluster])
    let client = readinessClient(cluster)
    try await Readiness.wait(
      for: manager, what: "the default service account of \(cluster)", seconds: 90
    ) {
      try await Readiness.defaultServiceAccountHasToken(client)
    }
  }

  /// A client for readiness checks: refused connections are expected until the server
  /// listens, not worth a log line each.
  private func readinessClient(_ cluster: String) -> KubeClient {
    var quiet = Logger(label: "wavesync.local-fleet.readiness")
    quiet.logLevel = .error
    return KubeClient(connection: connection(for: cluster), timeoutSeconds: 5, logger: quiet)
  }

  /// Gives `cluster` a fresh port and rewrites the kubeconfigs that name its address.
  private func moveToFreshPort(_ cluster: String) async throws(LocalFleetError) {
    let port = try LoopbackSocket.freePort()
    try await blocking { [self] () throws(LocalFleetError) in
      // Under the lock, so clusters moving at once never write a kubeconfig with a stale port.
      let written = state.withLock { table -> Result<Void, LocalFleetError> in
        table.configurations[cluster]?.port = port
        return Result { () throws(LocalFleetError) in
          let ordered = clusters.compactMap { table.configurations[$0] }
          try KubeconfigWriter.writeFleet(
            ordered, credentials: credentials, to: URL(fileURLWithPath: kubeconfigPath))
          if let moved = table.configurations[cluster] {
            try KubeconfigWriter.writeCluster(moved, credentials: credentials)
          }
        }
      }
      try written.get()
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
      table = ProcessTable(configurations: table.configurations, stopped: true)
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
