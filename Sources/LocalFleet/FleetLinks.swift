public import Foundation
public import KubeClient

/// The links of a local fleet: a `LinkProxy` in front of each linked cluster's API server, and a
/// kubeconfig that reaches those clusters through their proxy (the others directly). What runs
/// at the site (the simulated kubelet) keeps talking to its API server directly.
public final class FleetLinks: Sendable {
  /// The kubeconfig through the links: one context per cluster of the fleet.
  public let kubeconfigPath: String
  /// The linked clusters, in the fleet's order.
  public let clusters: [String]
  private let fleet: EnvtestFleet
  private let proxies: [String: LinkProxy]

  init(fleet: EnvtestFleet, proxies: [String: LinkProxy], kubeconfigPath: String) {
    self.fleet = fleet
    self.proxies = proxies
    self.kubeconfigPath = kubeconfigPath
    clusters = fleet.clusters.filter { proxies[$0] != nil }
  }

  /// The proxy of `cluster`, nil when it has no link.
  public func proxy(for cluster: String) -> LinkProxy? { proxies[cluster] }

  /// How to reach `cluster` through its link (directly when it has none).
  public func connection(for cluster: String) -> ClusterConnection {
    var connection = fleet.connection(for: cluster)
    if let proxy = proxies[cluster] { connection.server = "https://127.0.0.1:\(proxy.port)" }
    return connection
  }

  /// A client of `cluster` as its administrator, through its link.
  public func client(for cluster: String, timeoutSeconds: Double = 30) -> KubeClient {
    KubeClient(connection: connection(for: cluster), timeoutSeconds: timeoutSeconds)
  }

  /// Stops every proxy (their clients see the connections end).
  public func stop() {
    for proxy in proxies.values { proxy.stop() }
  }

  deinit { stop() }
}

extension EnvtestFleet {
  /// Puts a `LinkProxy` in front of the API server of each cluster in `links` and writes a
  /// kubeconfig (`kubeconfig`, default `links-kubeconfig` in the work directory) that reaches
  /// them through it. Call once the fleet is started: the servers' ports are settled then.
  public func startLinks(
    _ links: [String: LinkSettings], kubeconfig: URL? = nil
  ) throws(LocalFleetError) -> FleetLinks {
    for cluster in links.keys.sorted() where configuration(of: cluster) == nil {
      throw LocalFleetError("no cluster \(cluster) in this fleet to give a link")
    }
    var proxies: [String: LinkProxy] = [:]
    do {
      for (cluster, settings) in links {
        guard let configuration = configuration(of: cluster) else { continue }
        proxies[cluster] = try LinkProxy(upstreamPort: configuration.port, settings: settings)
      }
      let file = kubeconfig ?? workDirectory.appendingPathComponent("links-kubeconfig")
      let servers = clusters.map { cluster in
        (
          name: cluster,
          server: proxies[cluster].map { "https://127.0.0.1:\($0.port)" }
            ?? configuration(of: cluster)?.server ?? ""
        )
      }
      try write(
        KubeconfigWriter.text(clusters: servers, credentials: credentials), to: file)
      return FleetLinks(fleet: self, proxies: proxies, kubeconfigPath: file.path)
    } catch {
      for proxy in proxies.values { proxy.stop() }
      throw error
    }
  }
}
