import ArgumentParser
import Controller
import KubeClient

struct InstallCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "install",
    abstract:
      "Install Wavesync's resources (the Fleet and FleetSite definitions) in a regional cluster.",
    discussion: """
      Applies the CustomResourceDefinitions of charts/wavesync/crds (built into this binary) \
      server-side to the kubeconfig's current context, or --context, and waits until the API \
      server serves them. Safe to run again: unchanged definitions are left as they are.
      """)

  @Option(name: .long, help: "Kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
  var kubeconfig: String?

  @Option(
    name: .long, help: "Kubeconfig context of the regional cluster (default: the current context).")
  var context: String?

  func run() async throws {
    try await Wavesync.exitCodes {
      let config = try ClusterOptions.loadKubeconfig(kubeconfig)
      guard let context = context ?? config.currentContext else {
        throw UserError("the kubeconfig has no current context: give --context")
      }
      let client = KubeClient(connection: try config.connection(context: context))
      for installed in try await CustomResourceInstaller(client: client).install() {
        print("customresourcedefinition \(installed.name) \(installed.outcome.rawValue)")
      }
    }
  }
}
