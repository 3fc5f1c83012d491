import ArgumentParser
import Model
import Render
import Sync

struct ApplyCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "apply",
    abstract:
      "Apply sites' manifests to their clusters with server-side apply, changing only what differs."
  )

  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var clusters: ClusterOptions

  @Option(name: .long, help: "The site to apply.")
  var site: String?

  @Option(
    name: .long, help: "Apply every site whose labels match this label selector, one after another."
  )
  var selector: String?

  @Flag(name: .long, help: "Show what would change without writing anything.")
  var dryRun = false

  @Flag(name: .long, help: "Delete objects Wavesync applied earlier that are no longer in Git.")
  var prune = false

  @Flag(name: .long, help: "Take over fields another field manager owns instead of failing.")
  var forceConflicts = false

  func validate() throws {
    guard (site != nil) != (selector != nil) else {
      throw ValidationError("give exactly one of --site or --selector")
    }
  }

  func run() async throws {
    try await Wavesync.exitCodes {
      let snapshot = try await repository.open()
      let fleet = try FleetRepository.load(from: snapshot.tree)
      let sites: [Site]
      if let site {
        guard let found = fleet.site(named: site) else {
          throw UserError("site \(site) is not in the repository")
        }
        sites = [found]
      } else {
        let filter = try LabelSelector(parsing: selector ?? "")
        sites = fleet.sites.filter { filter.matches($0.labels) }
        guard !sites.isEmpty else {
          throw UserError("no site matches the selector \(selector ?? "")")
        }
      }
      // Render every selected site before touching any cluster: a broken commit applies nowhere.
      let renderer = SiteRenderer(repository: fleet, tree: snapshot.tree)
      let rendered = try sites.map { site in try renderer.render(site) }
      let kubeconfig = try clusters.loadKubeconfig()
      var failures = 0
      for site in rendered {
        do {
          let sync = SiteSync(
            site: site.site.name, client: try clusters.client(for: site.site, in: kubeconfig))
          let plan = try await sync.plan(
            site.apps.map { DesiredApp(name: $0.name, objects: $0.objects) },
            revision: snapshot.revision,
            prune: prune, forceConflicts: forceConflicts)
          print(SyncReport.describe(plan, showDiffs: dryRun), terminator: "")
          if dryRun { continue }
          let result = try await sync.apply(plan, forceConflicts: forceConflicts)
          print(
            "\(site.site.name): applied \(result.applied.count), deleted \(result.deleted.count), unchanged \(result.unchanged)"
          )
        } catch {
          failures += 1
          printError("error: " + CommandFailure.describe(error).message)
        }
      }
      if failures > 0 { throw ExitCode(1) }
    }
  }
}
