import ArgumentParser
import KubeClient
import Model
import Render
import Rollout
import Sync

struct PlanCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Show the waves of a rollout, their sites, and what would change on each.",
    discussion: """
      Renders every site at the revision (nothing is written anywhere), assigns the sites to the \
      rollout policy's waves, and compares each site with its cluster. Sites no wave selects are \
      listed: a rollout leaves them alone. Unreachable sites are shown as such.
      """)

  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var clusters: ClusterOptions
  @OptionGroup var scope: ScopeOptions

  @Flag(name: .long, help: "Show only the waves and their sites, without contacting any cluster.")
  var wavesOnly = false

  func run() async throws {
    try await Wavesync.exitCodes {
      let snapshot = try await repository.open()
      let fleet = try FleetRepository.load(from: snapshot.tree)
      let renderer = SiteRenderer(repository: fleet, tree: snapshot.tree)
      // Every site renders, or nothing is shown: the same check a rollout makes first.
      let filter = try scope.scope()
      let inScope = fleet.sites.filter { filter?.matches($0.labels) ?? true }
      guard !inScope.isEmpty else { throw UserError("no site matches the selector") }
      let rendered = try inScope.map { site in try renderer.render(site) }
      let bySite = Dictionary(uniqueKeysWithValues: rendered.map { ($0.site.name, $0) })
      let kubeconfig = wavesOnly ? nil : try clusters.loadKubeconfig()
      let (waves, unassigned) = fleet.rollout.assign(inScope)
      print(
        "Revision \(shortRevision(snapshot.revision)): "
          + "\(RolloutProgress.count(inScope.count, "site")) in "
          + RolloutProgress.count(waves.count, "wave"))
      var rows: [[String]] = []
      for (wave, sites) in waves {
        print("  \(Self.describe(wave)): \(RolloutProgress.count(sites.count, "site"))")
        for site in sites {
          var row = [wave.name, site.name, "\(bySite[site.name]?.objects.count ?? 0)"]
          if let kubeconfig {
            row.append(
              await Self.changes(of: bySite[site.name]!, revision: snapshot.revision) {
                try clusters.client(for: site, in: kubeconfig)
              })
          }
          rows.append(row)
        }
      }
      for site in unassigned {
        rows.append(
          ["-", site.name, "\(bySite[site.name]?.objects.count ?? 0)"]
            + (wavesOnly ? [] : ["in no wave: left alone"]))
      }
      let header = ["WAVE", "SITE", "OBJECTS"] + (wavesOnly ? [] : ["CHANGES"])
      print()
      print(TextTable.render(header: header, rows: rows), terminator: "")
      if !unassigned.isEmpty {
        printError(
          "warning: no wave selects \(unassigned.map(\.name).joined(separator: ", "))")
      }
    }
  }

  static func describe(_ wave: RolloutPolicy.Wave) -> String {
    var parts = [
      "selector \"\(wave.selector)\"", "maxConcurrent \(wave.maxConcurrent)",
      "failureThreshold \(wave.failureThreshold)",
      "soak \(HistoryTable.duration(wave.soakSeconds))",
      "healthTimeout \(HistoryTable.duration(wave.healthTimeoutSeconds))",
    ]
    if wave.manualGate { parts.append("manual gate") }
    return "wave \(wave.name) (\(parts.joined(separator: ", ")))"
  }

  /// `2 to create, 1 to change, 0 to delete`, `no changes`, or why the site could not be compared.
  static func changes(
    of site: RenderedSite, revision: String, client: () throws -> KubeClient
  ) async -> String {
    do {
      let plan = try await SiteSync(site: site.site.name, client: try client()).plan(
        site.apps.map { DesiredApp(name: $0.name, objects: $0.objects) }, revision: revision,
        prune: true)
      guard plan.hasChanges else { return "no changes" }
      return "\(plan.changes(.create).count) to create, \(plan.changes(.update).count) to change, "
        + "\(plan.changes(.delete).count) to delete"
    } catch {
      return "error: " + CommandFailure.describe(error).message
    }
  }
}
