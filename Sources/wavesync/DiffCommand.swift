import ArgumentParser
import Render
import Sync

struct DiffCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "diff",
    abstract: "Show what applying a site's manifests would change on its cluster.",
    discussion:
      "Exit codes: 0 nothing to change, 3 changes found, 1 an error (named in the message).")

  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var clusters: ClusterOptions

  @Option(name: .long, help: "The site to compare with its cluster.")
  var site: String

  @Flag(
    name: .long, inversion: .prefixedNo,
    help: "Also show objects Wavesync applied earlier that are no longer in Git.")
  var prune = true

  func run() async throws {
    try await Wavesync.exitCodes {
      let snapshot = try await repository.open()
      let fleet = try FleetRepository.load(from: snapshot.tree)
      guard let site = fleet.site(named: site) else {
        throw UserError("site \(self.site) is not in the repository")
      }
      let rendered = try SiteRenderer(repository: fleet, tree: snapshot.tree).render(site)
      let client = try clusters.client(for: site, in: try clusters.loadKubeconfig())
      let plan = try await SiteSync(site: site.name, client: client).plan(
        rendered.apps.map { DesiredApp(name: $0.name, objects: $0.objects) },
        revision: snapshot.revision,
        prune: prune)
      print(SyncReport.describe(plan, showDiffs: true), terminator: "")
      if plan.changes.contains(where: { $0.action != .unchanged }) { throw ExitCode(3) }
    }
  }
}
