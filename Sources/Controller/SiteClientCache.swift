public import KubeClient
public import Model
import Synchronization

/// One client per kubeconfig context for as long as a fleet's configuration holds, so discovery
/// is done once per cluster rather than on every apply and health check. A client sends at most
/// at the site's downlink and receives at most at its uplink (libcurl's transfer limits), so the
/// controller's own traffic never floods a store's link.
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
    let client = KubeClient(
      connection: try kubeconfig.connection(context: context), limits: Self.limits(of: site))
    return clients.withLock { cache in
      if let raced = cache[context] { return raced }
      cache[context] = client
      return client
    }
  }

  /// The site's link rates as libcurl caps, in bytes per second: what goes to the site is
  /// limited by its downlink, what comes back by its uplink.
  public static func limits(of site: Site) -> TransferLimits? {
    func bytes(_ rate: BitRate?) -> Int64? {
      rate.flatMap { $0.bitsPerSecond > 0 ? max(1, $0.bytesPerSecond) : nil }
    }
    guard site.downlink != nil || site.uplink != nil else { return nil }
    return TransferLimits(
      maxSendBytesPerSecond: bytes(site.downlink), maxReceiveBytesPerSecond: bytes(site.uplink))
  }
}
