import KubeClient
import Model
import Render
import Synchronization

/// One client per kubeconfig context for a whole rollout, so discovery is done once per cluster
/// rather than on every apply and health check.
final class SiteClients: Sendable {
  private let kubeconfig: Kubeconfig
  private let contextOverride: String?
  private let clients = Mutex<[String: KubeClient]>([:])

  init(kubeconfig: Kubeconfig, contextOverride: String?) {
    self.kubeconfig = kubeconfig
    self.contextOverride = contextOverride
  }

  func client(for site: Site) throws -> KubeClient {
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
