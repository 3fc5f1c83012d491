import ArgumentParser
import KubeClient
import Model
import Render

/// How to reach the sites' clusters: a kubeconfig with one context per site.
struct ClusterOptions: ParsableArguments {
  @Option(name: .long, help: "Kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
  var kubeconfig: String?

  @Option(
    name: .long, help: "Kubeconfig context to use instead of the site's own (spec.cluster.context)."
  )
  var context: String?

  func loadKubeconfig() throws -> Kubeconfig { try Self.loadKubeconfig(kubeconfig) }

  /// `file`, else `$KUBECONFIG`, else `~/.kube/config`.
  static func loadKubeconfig(_ file: String?) throws -> Kubeconfig {
    if let file { return try Kubeconfig.load(paths: [file]) }
    return try Kubeconfig.loadDefault()
  }

  func client(for site: Site, in kubeconfig: Kubeconfig) throws -> KubeClient {
    KubeClient(connection: try kubeconfig.connection(context: context ?? site.context))
  }
}
