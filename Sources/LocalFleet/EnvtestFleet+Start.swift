public import Foundation
import KubeClient

extension EnvtestFleet {
  /// Starts a fleet of `clusters` (names of lowercase letters, digits and dashes) and returns once
  /// every cluster serves requests and its controller manager has created the `default` service
  /// account (bounded waits; a failure quotes the end of the failing process's log).
  ///
  /// - Parameters:
  ///   - binaries: the folder of etcd, kube-apiserver and kube-controller-manager; default
  ///     `$WAVESYNC_ENVTEST_BIN`, else `~/.cache/wavesync/envtest/v1.20.2/bin`
  ///     (`scripts/envtest.sh` fills it).
  ///   - workDirectory: where data and logs go; default a fresh temporary folder, removed by
  ///     `stop()`. A folder given here is kept (only its contents are the fleet's).
  ///
  /// A kube-apiserver that does not become ready (or exits) is started again on a fresh port, a
  /// bounded number of times; `startProblems` lists what was mended that way.
  public static func start(
    clusters: [String], binaries: URL? = nil, workDirectory: URL? = nil
  ) async throws -> EnvtestFleet {
    try await start(
      clusters: clusters, binaries: binaries, workDirectory: workDirectory, tuning: .standard)
  }

  static func start(
    clusters: [String], binaries: URL?, workDirectory: URL?, tuning: FleetStartTuning
  ) async throws -> EnvtestFleet {
    try await FleetStartGate.shared.withGate {
      try await startNow(
        clusters: clusters, binaries: binaries, workDirectory: workDirectory, tuning: tuning)
    }
  }

  private static func startNow(
    clusters: [String], binaries: URL?, workDirectory: URL?, tuning: FleetStartTuning
  ) async throws -> EnvtestFleet {
    try validate(clusters)
    let located = try EnvtestBinaries.locate(in: binaries)
    let directory =
      workDirectory
      ?? FileManager.default.temporaryDirectory.appendingPathComponent(
        "wavesync-fleet-\(UUID().uuidString.prefix(8).lowercased())", isDirectory: true)
    try createDirectory(directory)

    let fleet: EnvtestFleet
    do {
      let prepared = try await blocking { () throws(LocalFleetError) in
        try prepare(clusters: clusters, in: directory)
      }
      fleet = EnvtestFleet(
        clusters: prepared.clusters, workDirectory: directory,
        removesWorkDirectory: workDirectory == nil, kubeconfigPath: prepared.kubeconfig.path,
        binaries: located, credentials: prepared.credentials, etcdPort: prepared.etcdPorts.client,
        etcdPeerPort: prepared.etcdPorts.peer,
        watchdog: try ProcessWatchdog(
          logFile: directory.appendingPathComponent("watchdog.log"),
          removing: workDirectory == nil ? directory : nil),
        tuning: tuning)
    } catch {
      if workDirectory == nil { try? FileManager.default.removeItem(at: directory) }
      throw error
    }
    do {
      try await fleet.startEtcd()
      try await withThrowingTaskGroup(of: Void.self) { group in
        for cluster in fleet.clusters {
          // Nobody has these addresses yet: a server that fails may move to a fresh port.
          group.addTask { try await fleet.startCluster(cluster, movingPortOnRetry: true) }
        }
        try await group.waitForAll()
      }
    } catch {
      await fleet.stopInBackground()
      throw error
    }
    return fleet
  }

  private static func validate(_ clusters: [String]) throws(LocalFleetError) {
    guard !clusters.isEmpty else { throw LocalFleetError("a fleet needs at least one cluster") }
    guard Set(clusters).count == clusters.count else {
      throw LocalFleetError("cluster names repeat: \(clusters.joined(separator: ", "))")
    }
    let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
    for name in clusters
    where name.isEmpty || name.count > 50 || !name.allSatisfy(allowed.contains)
      || name.hasPrefix("-")
    {
      throw LocalFleetError(
        "cluster name \"\(name)\" is not a DNS label (lowercase letters, digits, dashes)")
    }
  }

  private struct Prepared: Sendable {
    var credentials: FleetCredentials
    var clusters: [FleetCluster]
    var etcdPorts: (client: UInt16, peer: UInt16)
    var kubeconfig: URL
  }

  /// Keys, certificates, ports and kubeconfigs: everything before the first process starts.
  private static func prepare(
    clusters names: [String], in directory: URL
  ) throws(LocalFleetError) -> Prepared {
    let credentials = try FleetCredentials.make(in: directory.appendingPathComponent("pki"))
    let ports = try LoopbackSocket.freePorts(2 + names.count)
    var clusters: [FleetCluster] = []
    for (index, name) in names.enumerated() {
      let folder = directory.appendingPathComponent("clusters/\(name)", isDirectory: true)
      let (key, publicKey) = try FleetCredentials.makeServiceAccountKeys(
        in: folder.appendingPathComponent("service-account"))
      let cluster = FleetCluster(
        name: name, port: ports[2 + index], directory: folder, serviceAccountKey: key,
        serviceAccountPublicKey: publicKey,
        kubeconfig: folder.appendingPathComponent("kubeconfig"))
      try KubeconfigWriter.writeCluster(cluster, credentials: credentials)
      clusters.append(cluster)
    }
    let kubeconfig = directory.appendingPathComponent("kubeconfig")
    try KubeconfigWriter.writeFleet(clusters, credentials: credentials, to: kubeconfig)
    return Prepared(
      credentials: credentials, clusters: clusters, etcdPorts: (ports[0], ports[1]),
      kubeconfig: kubeconfig)
  }

  /// The environment of the servers: nothing of the caller's but the basics (no proxies).
  static var serverEnvironment: [String: String] {
    let inherited = ProcessInfo.processInfo.environment
    var environment = ["PATH": inherited["PATH"] ?? "/usr/bin:/bin"]
    environment["HOME"] = inherited["HOME"]
    environment["TMPDIR"] = inherited["TMPDIR"]
    return environment
  }

  private func startEtcd() async throws(LocalFleetError) {
    let client = "http://127.0.0.1:\(etcdPort)"
    let peer = "http://127.0.0.1:\(etcdPeerPort)"
    let etcd = try spawn(
      "etcd", executable: binaries.etcd,
      arguments: [
        "--name=fleet",
        "--data-dir=\(workDirectory.appendingPathComponent("etcd").path)",
        "--listen-client-urls=\(client)", "--advertise-client-urls=\(client)",
        "--listen-peer-urls=\(peer)", "--initial-advertise-peer-urls=\(peer)",
        "--initial-cluster=fleet=\(peer)",
        // Throwaway data: no fsync, and a short raft log in memory.
        "--unsafe-no-fsync", "--snapshot-count=5000",
      ],
      logFile: workDirectory.appendingPathComponent("etcd.log"), into: \.etcd)
    let port = etcdPort
    try await Readiness.wait(for: etcd, what: "etcd on port \(port)", seconds: 30) {
      guard LoopbackSocket.accepts(port) else {
        throw Readiness.NotYet(reason: "port \(port) refuses connections")
      }
    }
  }

  /// Spawns a server into the watchdog's process group and records it in `slot`, both under
  /// the lock, so `stop()` never misses a process; refuses once the fleet is stopped, and when
  /// the slot holds a running process.
  func spawn(
    _ name: String, executable: String, arguments: [String], logFile: URL,
    into slot: WritableKeyPath<ProcessTable, ChildProcess?>
  ) throws(LocalFleetError) -> ChildProcess {
    let spawned = state.withLock { table -> Result<ChildProcess, LocalFleetError> in
      guard !table.stopped else { return .failure(LocalFleetError("the fleet is stopped")) }
      guard table[keyPath: slot]?.isRunning != true else {
        return .failure(LocalFleetError("\(name) is running already"))
      }
      return Result { () throws(LocalFleetError) -> ChildProcess in
        let process = try ChildProcess(
          name: name, executable: executable, arguments: arguments, logFile: logFile,
          processGroup: watchdog.processGroup, environment: Self.serverEnvironment)
        table[keyPath: slot] = process
        return process
      }
    }
    return try spawned.get()
  }
}
