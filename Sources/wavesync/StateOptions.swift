import ArgumentParser
import Controller
import KubeClient

/// Where the rollout record lives: the regional cluster's API (a ConfigMap in wavesync-system).
struct StateOptions: ParsableArguments {
  @Option(
    name: .long,
    help:
      "Kubeconfig context of the regional cluster that keeps the rollout state (default: the current context)."
  )
  var stateContext: String?

  @Option(
    name: .long,
    help:
      "Name of the ConfigMap (in wavesync-system) holding the rollout state; one per fleet repository sharing a regional cluster."
  )
  var stateName = "wavesync-rollout"

  /// The store for commands that only read or steer rollouts: their `--context`, if given, names
  /// the regional cluster too.
  func store(_ clusters: ClusterOptions) throws -> ConfigMapRolloutStore {
    try store(in: try clusters.loadKubeconfig(), fallbackContext: clusters.context)
  }

  /// The store in the regional cluster: `--state-context`, else `fallbackContext` (a command's
  /// `--context`), else the kubeconfig's current context.
  func store(in kubeconfig: Kubeconfig, fallbackContext: String? = nil) throws
    -> ConfigMapRolloutStore
  {
    guard let context = stateContext ?? fallbackContext ?? kubeconfig.currentContext else {
      throw UserError(
        "the kubeconfig has no current context: give --state-context for the regional cluster")
    }
    return ConfigMapRolloutStore(
      client: KubeClient(connection: try kubeconfig.connection(context: context)),
      name: stateName)
  }
}
