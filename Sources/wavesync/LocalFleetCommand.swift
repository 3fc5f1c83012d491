import ArgumentParser
import Foundation
import LocalFleet
import Model
import Render

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

      With --links, the kubeconfig reaches each site through a loopback proxy that applies the \
      site's link: its spec.link rates and latency label from --repo, else --downlink, \
      --uplink and --latency. `wavesync local-fleet link cut SITE` cuts a link and `restore` \
      brings it back.
      """,
    subcommands: [LocalFleetLinkCommand.self])

  @Option(
    name: .long,
    help: "Comma-separated site names; each becomes a cluster and a kubeconfig context (required).")
  var sites: String?

  // Optional to the parser, so that `local-fleet link` does not need them; `run` requires them.
  @Option(
    name: .long, help: "Where to write the kubeconfig once every cluster is ready (required).")
  var kubeconfig: String?

  @Option(
    name: .long,
    help: "Name of the regional cluster that keeps rollout state (the current context).")
  var regionalCluster = "regional"

  @OptionGroup var linkOptions: LocalFleetLinkOptions

  @OptionGroup var repository: RepositoryOptions

  func run() async throws {
    try await Wavesync.exitCodes {
      guard let kubeconfig else { throw UserError("give --kubeconfig: where to write it") }
      // Checked here, not in validate(): `local-fleet link` shares these options.
      try linkOptions.requireLinksFlag(usingRepository: repository.repo != nil)
      let names = (sites ?? "").split(separator: ",").map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty }) else {
        throw UserError("give --sites a,b,c")
      }
      guard !names.contains(regionalCluster) else {
        throw UserError(
          "\(regionalCluster) is the regional cluster; give it another --regional-cluster")
      }
      let sites = try await linkedSites()
      let linkSettings =
        linkOptions.links ? try linkOptions.settings(for: names, sites: sites) : nil
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
      let links = try linkSettings.map { try fleet.startLinks($0) }
      defer { links?.stop() }
      let control = LinkControl(
        directory: LocalFleetLinkOptions.controlDirectory(
          linksDir: linkOptions.linksDir, kubeconfig: kubeconfig))
      let watcher = try links.map { links in
        try control.prepare(for: links)
        return Task { try await control.watch(links) }
      }
      defer {
        watcher?.cancel()
        if links != nil { control.remove() }
      }
      let reachingSites = links?.kubeconfigPath ?? fleet.kubeconfigPath
      try FileManager.default.copyItem(atPath: reachingSites, toPath: kubeconfig)
      try await LocalFleetSecret.write(
        kubeconfigAt: reachingSites, to: fleet.client(for: regionalCluster))
      var ready =
        "local fleet ready: \(names.joined(separator: ", ")) (regional cluster "
        + "\(regionalCluster)); kubeconfig \(kubeconfig); the sites' kubeconfig is Secret "
        + "\(LocalFleetSecret.namespace)/\(LocalFleetSecret.name)\n"
      if let linkSettings {
        ready +=
          "links (cut and restore with `wavesync local-fleet link`, folder "
          + "\(control.directory.path)):\n"
          + names.map {
            "  " + LocalFleetLinkOptions.describe($0, linkSettings[$0] ?? LinkSettings()) + "\n"
          }
          .joined()
      }
      // Written unbuffered: scripts wait for this line.
      FileHandle.standardOutput.write(Data(ready.utf8))
      await Self.waitForTermination()
      try? FileManager.default.removeItem(atPath: kubeconfig)
      print("local fleet stopped")
    }
  }

  /// The sites of `--repo`, whose links the clusters take; none without it.
  private func linkedSites() async throws -> [Site] {
    guard linkOptions.links, repository.repo != nil else { return [] }
    let snapshot = try await repository.open()
    return try FleetRepository.load(from: snapshot.tree).sites
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
