import ArgumentParser
import Controller
import KubeClient

/// Which `Fleet` keeps the rollout state, and in which regional cluster.
struct StateOptions: ParsableArguments {
  @Option(
    name: .long,
    help:
      "Kubeconfig context of the regional cluster that keeps the rollout state (default: --context, else the current context)."
  )
  var stateContext: String?

  @Option(
    name: [.customLong("fleet"), .customLong("state-name")],
    help:
      "Name of the Fleet that keeps the rollout state; one per fleet repository sharing a regional cluster."
  )
  var fleet = "wavesync"

  @Option(name: .long, help: "Namespace of the Fleet in the regional cluster.")
  var fleetNamespace = FleetResourceNames.defaultNamespace

  /// The Fleet's objects for commands that only read or steer rollouts: their `--context`, if
  /// given, names the regional cluster too.
  func objects(_ clusters: ClusterOptions) throws -> KubeFleetObjects {
    try objects(in: try clusters.loadKubeconfig(), fallbackContext: clusters.context)
  }

  /// The Fleet's objects in the regional cluster: `--state-context`, else `fallbackContext` (a
  /// command's `--context`), else the kubeconfig's current context.
  func objects(in kubeconfig: Kubeconfig, fallbackContext: String? = nil) throws
    -> KubeFleetObjects
  {
    guard let context = stateContext ?? fallbackContext ?? kubeconfig.currentContext else {
      throw UserError(
        "the kubeconfig has no current context: give --state-context for the regional cluster")
    }
    return KubeFleetObjects(
      client: KubeClient(connection: try kubeconfig.connection(context: context)),
      namespace: fleetNamespace, fleetName: fleet)
  }
}
