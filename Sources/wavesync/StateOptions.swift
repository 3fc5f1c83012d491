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

  func store(in kubeconfig: Kubeconfig) throws -> ConfigMapRolloutStore {
    guard let context = stateContext ?? kubeconfig.currentContext else {
      throw UserError(
        "the kubeconfig has no current context: give --state-context for the regional cluster")
    }
    return ConfigMapRolloutStore(
      client: KubeClient(connection: try kubeconfig.connection(context: context)))
  }
}
