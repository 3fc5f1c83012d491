import ArgumentParser
import Controller
import Foundation
import Rollout

struct HistoryCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "history",
    abstract: "Show the rollout in progress, the last good revision, and past rollouts.")

  @OptionGroup var clusters: ClusterOptions
  @OptionGroup var state: StateOptions

  @Flag(name: .long, help: "List every site of the current (or last) rollout with its phase.")
  var sites = false

  @Option(name: [.short, .long], help: "Output format: table or json.")
  var output: HistoryFormat = .table

  enum HistoryFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json
  }

  func run() async throws {
    try await Wavesync.exitCodes {
      let store = FleetStateStore(objects: try state.objects(clusters))
      let record: RolloutRecord
      do {
        record = try await store.load() ?? RolloutRecord()
      } catch FleetStateStoreError.noFleet {
        // No Fleet of that name: nothing was ever rolled out under it.
        record = RolloutRecord()
      }
      switch output {
      case .json:
        print(try StateJSON.text(record, pretty: true))
      case .table:
        print(HistoryTable.render(record, sites: sites), terminator: "")
      }
    }
  }
}

/// The text of `wavesync history`.
enum HistoryTable {
  static func render(_ record: RolloutRecord, sites: Bool) -> String {
    var out = ""
    let short = shortRevision
    out += "Last good revision: \(record.lastGoodRevision.map(shortRevision) ?? "none")\n"
    if let current = record.current {
      let status =
        current.phase.isFinished
        ? "last rollout" : (current.paused ? "rollout in progress (PAUSED)" : "rollout in progress")
      out += "\(status): \(short(current.revision)): \(phaseText(current))\n"
      if sites {
        var rows: [[String]] = []
        for wave in current.waves {
          for site in wave.sites {
            var phase = RolloutProgress.label(site.phase)
            if case .verifying = site.phase, let health = site.lastHealth {
              phase += ": " + health
            }
            rows.append([wave.name, site.name, phase])
          }
        }
        for site in current.unassignedSites { rows.append(["-", site, "in no wave"]) }
        out += TextTable.render(header: ["WAVE", "SITE", "PHASE"], rows: rows)
      }
    }
    if !record.behindSites.isEmpty {
      out += "Behind the last good revision: \(record.behindSites.joined(separator: ", "))\n"
    }
    for bad in record.badRevisions.prefix(5) {
      out += "Bad revision \(short(bad.revision)): \(bad.reason)\n"
    }
    guard !record.history.isEmpty else { return out + "No finished rollouts yet.\n" }
    var rows: [[String]] = []
    for entry in record.history {
      rows.append([
        short(entry.revision), entry.trigger.rawValue, entry.outcome.rawValue,
        entry.finishedAt.formatted(.iso8601),
        duration(entry.finishedAt.timeIntervalSince(entry.startedAt)),
        // Healthy of all, per wave with sites.
        entry.waves.compactMap { wave in
          let total = wave.healthy + wave.failed + wave.skipped + wave.rolledBack + wave.untouched
          return total == 0 ? nil : "\(wave.name) \(wave.healthy)/\(total)"
        }
        .joined(separator: ", "),
        entry.reason ?? "",
      ])
    }
    return out + "\n"
      + TextTable.render(
        header: ["REVISION", "TRIGGER", "OUTCOME", "FINISHED", "DURATION", "WAVES", "REASON"],
        rows: rows)
  }

  static func phaseText(_ state: RolloutState) -> String {
    switch state.phase {
    case .running(let wave): "running wave \(state.waves[wave].name)"
    case .waitingForPromotion(let wave): "waiting for promotion of wave \(state.waves[wave].name)"
    case .soaking(let wave, let until):
      "soaking wave \(state.waves[wave].name) until \(until.formatted(.iso8601))"
    case .rollingBack(let wave): "rolling back wave \(state.waves[wave].name)"
    case .succeeded: "succeeded"
    case .rolledBack(let reason): "rolled back: \(reason)"
    case .superseded(let newer): "superseded by \(shortRevision(newer))"
    }
  }

  /// `45s`, `30m`, `1h`, `1h30m`, `2m5s`: Go's style without zero parts.
  static func duration(_ seconds: Double) -> String {
    let total = Int(seconds.rounded())
    let parts = [(total / 3600, "h"), (total % 3600 / 60, "m"), (total % 60, "s")]
      .filter { $0.0 > 0 }.map { "\($0.0)\($0.1)" }
    return parts.isEmpty ? "0s" : parts.joined()
  }

}
