import ArgumentParser

struct RolloutCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rollout",
    abstract: "Roll the repository's revision out to the fleet, wave by wave, with health gates.",
    discussion: """
      Fetches the revision, renders every site (a revision that does not render is refused and \
      marked bad), then applies it wave by wave as the fleet's rollout policy says, waiting for \
      each site to be healthy. A wave that crosses its failure threshold is rolled back to the \
      last good revision and later waves are not started. Progress is stored in the regional \
      cluster (a Fleet and its FleetSites, created when missing; --state-context, --fleet) before every step: run the command again after an interruption \
      and it resumes where it was. Newer commits are picked up every --poll-interval and \
      supersede the rollout in progress. `wavesync pause|resume|promote` steer it from another \
      terminal. With --registry, new images are sized from their registries, so each wave \
      starts its longest transfers first (without it, a site that needs a new image counts as \
      the longest).

      Exit codes: 0 the revision is rolled out (or was already), 4 it was rolled back or \
      refused, 1 an error (named in the message).
      """)

  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var clusters: ClusterOptions
  @OptionGroup var state: StateOptions
  @OptionGroup var scope: ScopeOptions
  @OptionGroup var registry: RegistryOptions

  @Option(name: .long, help: "Seconds between checks of health, timeouts, retries and controls.")
  var tickInterval: Double = 2

  @Option(name: .long, help: "Seconds between fetches for a newer commit (0: never).")
  var pollInterval: Double = 60

  @Option(
    name: .long,
    help:
      "When this creates the Fleet: the Secret (in the Fleet's namespace) with the sites' kubeconfig, so `wavesync controller` can take the Fleet over."
  )
  var kubeconfigSecret: String?

  func run() async throws {
    try await Wavesync.exitCodes {
      try await RolloutRunner(
        repository: repository, clusters: clusters, state: state, scope: scope,
        tickInterval: tickInterval, pollInterval: pollInterval, kubeconfigSecret: kubeconfigSecret,
        registry: try registry.settings()
      ).run()
    }
  }
}
