import ArgumentParser
import Controller
import Foundation
import KubeClient
import Model
import Render
import Rollout
import Sync

struct PlanCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Show the waves of a rollout, their sites, what would change on each, and when.",
    discussion: """
      Renders every site at the revision (nothing is written anywhere), assigns the sites to the \
      rollout policy's waves, and compares each site with its cluster. Sites no wave selects are \
      listed: a rollout leaves them alone. Unreachable sites are shown as such.

      The schedule: each site's payload (the objects that change since --since, plus the image \
      layers it does not run yet, sized with --registry), its link rate and windows, and when the \
      rollout engine would start and finish it, with the uplink budget, maxConcurrent, windows \
      and soaks applied, every gate promoted at once and nothing failing. Per wave: the lower \
      bound no schedule can beat (windows aside) and the planned time.
      """)

  @OptionGroup var repository: RepositoryOptions
  @OptionGroup var clusters: ClusterOptions
  @OptionGroup var scope: ScopeOptions

  @Flag(name: .long, help: "Show only the waves and their sites, without contacting any cluster.")
  var wavesOnly = false

  @Option(
    name: .long,
    help: "The revision the sites run now, to size what changes (default: everything counts).")
  var since: String?

  @OptionGroup var registry: RegistryOptions

  @Option(name: [.short, .long], help: "table, or json (the schedule only, for scripts).")
  var output: PlanFormat = .table

  enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
  }

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
      let schedule = try await schedule(revision: snapshot.revision, scope: filter)
      if output == .json {
        print(PlanSchedule.json(schedule, revision: snapshot.revision))
        return
      }
      let kubeconfig = wavesOnly ? nil : try clusters.loadKubeconfig()
      let (waves, unassigned) = fleet.rollout.assign(inScope)
      print(
        "Revision \(shortRevision(snapshot.revision)): "
          + "\(RolloutProgress.count(inScope.count, "site")) in "
          + RolloutProgress.count(waves.count, "wave"))
      var rows: [[String]] = []
      let times = Dictionary(
        schedule.projection.sites.map { ($0.site, $0) }, uniquingKeysWith: { first, _ in first })
      for (wave, sites) in waves {
        print("  \(Self.describe(wave)): \(RolloutProgress.count(sites.count, "site"))")
        if let projected = schedule.projection.waves.first(where: { $0.name == wave.name }) {
          print("    " + PlanSchedule.describe(projected))
        }
        for site in sites {
          var row = [wave.name, site.name, "\(bySite[site.name]?.objects.count ?? 0)"]
          row += PlanSchedule.cells(site, times[site.name], now: schedule.start)
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
            + PlanSchedule.cells(site, nil, now: schedule.start)
            + (wavesOnly ? [] : ["in no wave: left alone"]))
      }
      if let end = schedule.projection.end {
        print(
          "  planned: every wave done in "
            + HistoryTable.duration(end.timeIntervalSince(schedule.start)))
      }
      let header =
        ["WAVE", "SITE", "OBJECTS"] + PlanSchedule.header + (wavesOnly ? [] : ["CHANGES"])
      print()
      print(TextTable.render(header: header, rows: rows), terminator: "")
      if !unassigned.isEmpty {
        printError(
          "warning: no wave selects \(unassigned.map(\.name).joined(separator: ", "))")
      }
    }
  }

  /// The rollout's schedule through the controller's own targets (no cluster is contacted).
  private func schedule(revision: String, scope: LabelSelector?) async throws -> PlanSchedule {
    let source = try repository.fleetRepository()
    let targets = FleetRolloutTargets(
      snapshot: { try await source.read($0) },
      client: { site in throw UserError("plan does not apply to \(site.name)") }, scope: scope,
      images: try registry.settings()?.estimator())
    let start = Date()
    var running: String? = nil
    if let since { running = try await source.read(since).revision }
    let plan = try await RolloutSchedule.plan(
      targets, revision: revision, running: running, start: start)
    return PlanSchedule(plan: plan, start: start, sites: plan.prepared.sites)
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
