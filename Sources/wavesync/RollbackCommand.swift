import ArgumentParser

struct RollbackCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rollback",
    abstract: "Roll the fleet back to an earlier revision, wave by wave.",
    discussion: """
      Marks what the fleet runs now as bad (the last rollout's revision and the last good one: \
      neither is rolled out again; a newer commit is) and rolls REVISION out to every site \
      through the same waves and health gates as a rollout. A rollout in progress is \
      superseded. A wave of the rollback that fails stops it there, without returning its \
      sites to the revisions rolled back from. The request is written to the Fleet's spec \
      (spec.rollbackTo), where a running `wavesync controller` acts on it too.

      Exit codes: 0 the fleet is at REVISION, 4 the rollback itself was rolled back or refused, \
      1 an error.
      """)

  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var clusters: ClusterOptions
  @OptionGroup var state: StateOptions
  @OptionGroup var scope: ScopeOptions

  @Option(name: .long, help: "The revision to return to: a commit id, tag or branch.")
  var to: String

  @Option(name: .long, help: "Seconds between checks of health, timeouts, retries and controls.")
  var tickInterval: Double = 2

  func run() async throws {
    try await Wavesync.exitCodes {
      try await RolloutRunner(
        repository: repository, clusters: clusters, state: state, scope: scope,
        tickInterval: tickInterval, pollInterval: 0
      ).run(rollbackTo: to)
    }
  }
}
