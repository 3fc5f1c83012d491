import ArgumentParser
import Foundation
import LocalFleet

struct LocalFleetCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "local-fleet",
    abstract:
      "Run a local fleet of real Kubernetes API servers with simulated kubelets, for demos and trials.",
    discussion: """
      Starts one etcd and, per site, a kube-apiserver and kube-controller-manager on loopback \
      (binaries from scripts/envtest.sh), plus one more cluster for the region (where rollouts \
      keep their state; the kubeconfig's current context). Writes a kubeconfig with one context \
      per cluster and runs a simulated kubelet per site that reports pods Running (or \
      CrashLoopBackOff when the image tag contains "broken"), a simulated provisioner that \
      gives every claim a volume, and a simulated load balancer that gives LoadBalancer services \
      the node's address. The regional cluster holds the sites' kubeconfig as the Secret \
      wavesync-system/local-fleet-sites, for a Fleet's kubeconfigSecretRef. Runs until \
      interrupted (Ctrl-C or SIGTERM), then stops everything.
      """)

  @Option(
    name: .long,
    help: "Comma-separated site names; each becomes a cluster and a kubeconfig context.")
  var sites: String

  @Option(name: .long, help: "Where to write the kubeconfig once every cluster is ready.")
  var kubeconfig: String

  @Option(
    name: .long,
    help: "Name of the regional cluster that keeps rollout state (the current context).")
  var regionalCluster = "regional"

  func run() async throws {
    try await Wavesync.exitCodes {
      let names = sites.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty }) else {
        throw UserError("give --sites a,b,c")
      }
      guard !names.contains(regionalCluster) else {
        throw UserError(
          "\(regionalCluster) is the regional cluster; give it another --regional-cluster")
      }
      // The regional cluster first: it becomes the kubeconfig's current context.
      let fleet = try await EnvtestFleet.start(clusters: [regionalCluster] + names)
      defer { fleet.stop() }
      for problem in fleet.startProblems {
        printError("warning: started a server again after a failed start: \(problem)")
      }
      let kubelets = names.map { SimulatedKubelet(client: fleet.client(for: $0)).start() }
      let provisioners = names.map { SimulatedProvisioner(client: fleet.client(for: $0)).start() }
      let balancers = names.map { SimulatedLoadBalancer(client: fleet.client(for: $0)).start() }
      defer { for task in kubelets + provisioners + balancers { task.cancel() } }
      try FileManager.default.copyItem(atPath: fleet.kubeconfigPath, toPath: kubeconfig)
      try await LocalFleetSecret.write(
        kubeconfigAt: fleet.kubeconfigPath, to: fleet.client(for: regionalCluster))
      // Written unbuffered: scripts wait for this line.
      FileHandle.standardOutput.write(
        Data(
          ("local fleet ready: \(names.joined(separator: ", ")) (regional cluster "
            + "\(regionalCluster)); kubeconfig \(kubeconfig); the sites' kubeconfig is Secret "
            + "\(LocalFleetSecret.namespace)/\(LocalFleetSecret.name)\n").utf8)
      )
      await Self.waitForTermination()
      try? FileManager.default.removeItem(atPath: kubeconfig)
      print("local fleet stopped")
    }
  }

  /// Returns on SIGINT or SIGTERM.
  private static func waitForTermination() async {
    let (signals, continuation) = AsyncStream<Void>.makeStream()
    var sources: [any DispatchSourceSignal] = []
    for signalNumber in [SIGINT, SIGTERM] {
      signal(signalNumber, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
      source.setEventHandler { continuation.yield() }
      source.resume()
      sources.append(source)
    }
    for await _ in signals { break }
    for source in sources { source.cancel() }
  }
}
