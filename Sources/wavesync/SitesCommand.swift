import ArgumentParser
import Foundation
import Model
import Render

struct SitesCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sites",
    abstract: "List the fleet's sites with their labels and the apps and components each gets.")

  @OptionGroup var repository: RepositoryOptions

  @Option(
    name: .long,
    help:
      "Only sites whose labels match this label selector, e.g. 'region=emea,bandwidth in (low)'.")
  var selector: String?

  @Option(name: [.short, .long], help: "Output format: table or json.")
  var output: OutputFormat = .table

  func validate() throws {
    if output == .yaml { throw ValidationError("sites prints table or json") }
  }

  func run() async throws {
    try await Wavesync.exitCodes {
      let filter = try LabelSelector(parsing: selector ?? "")
      let snapshot = try await repository.open()
      let fleet = try FleetRepository.load(from: snapshot.tree)
      let sites = fleet.sites.filter { filter.matches($0.labels) }
      let (waves, _) = fleet.rollout.assign(sites)
      let waveOf = Dictionary(
        waves.flatMap { entry in entry.sites.map { ($0.name, entry.wave.name) } },
        uniquingKeysWith: { a, _ in a })
      let rows = sites.map { site in
        SiteRow(
          site: site, wave: waveOf[site.name],
          apps: fleet.apps.filter { $0.sites.matches(site.labels) }.map {
            ($0.name, $0.components(for: site.labels).map(\.name))
          })
      }
      switch output {
      case .json: print(JSON.encode(.array(rows.map(\.json)), pretty: true))
      default: print(SiteRow.table(rows), terminator: "")
      }
    }
  }
}

struct SiteRow {
  var site: Site
  var wave: String?
  var apps: [(name: String, components: [String])]

  var json: Value {
    var labels: Value = .emptyObject
    for key in site.labels.keys.sorted() { labels[key] = .string(site.labels[key]!) }
    return [
      "name": .string(site.name), "labels": labels, "context": .string(site.context),
      "wave": wave.map(Value.string) ?? .null,
      "downlink": site.downlink.map { .string($0.description) } ?? .null,
      "apps": .array(
        apps.map {
          ["name": .string($0.name), "components": .array($0.components.map(Value.string))]
        }),
    ]
  }

  static func table(_ rows: [SiteRow]) -> String {
    let header = ["SITE", "WAVE", "LABELS", "APPS"]
    let cells = rows.map { row in
      [
        row.site.name, row.wave ?? "-",
        row.site.labels.keys.sorted().map { "\($0)=\(row.site.labels[$0]!)" }.joined(
          separator: ","),
        row.apps.map {
          $0.components.isEmpty ? $0.name : "\($0.name)(\($0.components.joined(separator: "+")))"
        }
        .joined(separator: " "),
      ]
    }
    return TextTable.render(header: header, rows: cells)
  }
}
