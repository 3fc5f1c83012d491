public import KubeClient
public import Model
import Synchronization

/// One client per kubeconfig context for as long as a fleet's configuration holds, so discovery
/// is done once per cluster rather than on every apply and health check.
public final class SiteClientCache: Sendable {
  private let kubeconfig: Kubeconfig
  private let contextOverride: String?
  private let clients = Mutex<[String: KubeClient]>([:])

  /// `contextOverride`: one context for every site (a terminal's `--context`).
  public init(kubeconfig: Kubeconfig, contextOverride: String? = nil) {
    self.kubeconfig = kubeconfig
    self.contextOverride = contextOverride
  }

  public func client(for site: Site) throws -> KubeClient {
    let context = contextOverride ?? site.context
    if let known = clients.withLock({ $0[context] }) { return known }
    let client = KubeClient(connection: try kubeconfig.connection(context: context))
    return clients.withLock { cache in
      if let raced = cache[context] { return raced }
      cache[context] = client
      return client
    }
  }
}
