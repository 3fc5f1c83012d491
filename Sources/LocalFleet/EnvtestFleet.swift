public import Foundation
public import KubeClient
import Synchronization

/// A local fleet of real Kubernetes API servers: one etcd on loopback shared by every cluster
/// (each under its own key prefix), and per cluster a kube-apiserver (TLS with a fleet CA,
/// token authentication, RBAC) and a kube-controller-manager (deployments, replica sets,
/// namespaces, garbage collection, service accounts). There is no scheduler and no kubelet;
/// `SimulatedKubelet` makes pods run.
///
/// Every process is stopped by `stop()` (or when the fleet goes away), and dies with the process
/// that started the fleet even when that one is killed (see `ProcessWatchdog`). Each process logs
/// to a file in the work directory. About 400 MB of memory per cluster.
public final class EnvtestFleet: Sendable {
  /// The cluster names, in the order given.
  public let clusters: [String]
  /// A kubeconfig with one context per cluster, named after it (the first is current).
  public let kubeconfigPath: String
  /// Where the certificates, etcd's data, the kubeconfigs and the logs are.
  public let workDirectory: URL

  let binaries: EnvtestBinaries
  let credentials: FleetCredentials
  let etcdPort: UInt16
  let etcdPeerPort: UInt16
  let watchdog: ProcessWatchdog
  let removesWorkDirectory: Bool
  let tuning: FleetStartTuning
  let state: Mutex<ProcessTable>

  struct ProcessTable {
    /// Each cluster's configuration. A port moves when a server's first start fails.
    var configurations: [String: FleetCluster]
    /// What went wrong while starting and was mended by starting a server again.
    var startProblems: [String] = []
    var etcd: ChildProcess?
    var apiServers: [String: ChildProcess] = [:]
    var controllerManagers: [String: ChildProcess] = [:]
    /// Clusters `startCluster` is bringing up.
    var starting: Set<String> = []
    var stopped = false
  }

  init(
    clusters: [FleetCluster], workDirectory: URL, removesWorkDirectory: Bool,
    kubeconfigPath: String, binaries: EnvtestBinaries, credentials: FleetCredentials,
    etcdPort: UInt16, etcdPeerPort: UInt16, watchdog: ProcessWatchdog, tuning: FleetStartTuning
  ) {
    self.clusters = clusters.map(\.name)
    state = Mutex(
      ProcessTable(
        configurations: Dictionary(uniqueKeysWithValues: clusters.map { ($0.name, $0) })))
    self.tuning = tuning
    self.workDirectory = workDirectory
    self.removesWorkDirectory = removesWorkDirectory
    self.kubeconfigPath = kubeconfigPath
    self.binaries = binaries
    self.credentials = credentials
    self.etcdPort = etcdPort
    self.etcdPeerPort = etcdPeerPort
    self.watchdog = watchdog
  }

  /// Where `start` looks for the binaries by default: `$WAVESYNC_ENVTEST_BIN`, else
  /// `~/.cache/wavesync/envtest/v1.20.2/bin`.
  public static var defaultBinaries: URL { EnvtestBinaries.defaultDirectory }

  /// Whether the default binaries are there (`scripts/envtest.sh` builds them): tests that need
  /// a fleet are skipped, with that hint, where they are not.
  public static var binariesAvailable: Bool {
    FileManager.default.isExecutableFile(
      atPath: defaultBinaries.appendingPathComponent("kube-apiserver").path)
  }

  /// How to reach `cluster`: its own server address, the fleet CA (TLS is verified) and the
  /// administrator token.
  public func connection(for cluster: String) -> ClusterConnection {
    guard let configuration = configuration(of: cluster) else {
      preconditionFailure(
        "no cluster \(cluster) in this fleet (\(clusters.joined(separator: ", ")))")
    }
    return ClusterConnection(
      name: cluster, server: configuration.server,
      certificateAuthorityData: credentials.caCertificatePEM,
      bearerToken: KubeSecret(credentials.adminToken), insecureSkipTLSVerify: false)
  }

  func configuration(of cluster: String) -> FleetCluster? {
    state.withLock { $0.configurations[cluster] }
  }

  /// Problems met while starting that starting a server again mended (a kube-apiserver that
  /// never became ready, say), one line each; empty when all went well.
  public var startProblems: [String] { state.withLock { $0.startProblems } }

  /// A client of `cluster` as its administrator.
  public func client(for cluster: String, timeoutSeconds: Double = 30) -> KubeClient {
    KubeClient(connection: connection(for: cluster), timeoutSeconds: timeoutSeconds)
  }

  /// The processes running now (the watchdog included); none once the fleet is stopped.
  public var processes: [FleetProcess] {
    state.withLock { table in
      var list: [FleetProcess] = []
      if let etcd = table.etcd, etcd.isRunning {
        list.append(FleetProcess(role: .etcd, cluster: nil, pid: etcd.pid, logFile: etcd.logFile))
      }
      for cluster in clusters {
        if let server = table.apiServers[cluster], server.isRunning {
          list.append(
            FleetProcess(
              role: .apiServer, cluster: cluster, pid: server.pid, logFile: server.logFile))
        }
        if let manager = table.controllerManagers[cluster], manager.isRunning {
          list.append(
            FleetProcess(
              role: .controllerManager, cluster: cluster, pid: manager.pid,
              logFile: manager.logFile))
        }
      }
      if !table.stopped {
        list.append(
          FleetProcess(
            role: .watchdog, cluster: nil, pid: watchdog.processGroup,
            logFile: workDirectory.appendingPathComponent("watchdog.log")))
      }
      return list
    }
  }

  deinit { stop() }
}
