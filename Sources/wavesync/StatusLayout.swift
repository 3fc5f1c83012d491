import Controller
import Foundation
import Model
import Rollout

/// The text of `wavesync status`: a table (a row per fleet and region, then one per site) or a
/// JSON/YAML document of a stable shape (docs/cli.md).
struct StatusLayout {
  var format: StatusFormat
  var allNamespaces: Bool
  /// ANSI colors: only on a terminal, and not when NO_COLOR is set.
  var color: Bool
  /// `--watch` redraws in place on a terminal, and appends elsewhere.
  var clearsScreen: Bool

  init(
    format: StatusFormat, allNamespaces: Bool,
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) {
    self.format = format
    self.allNamespaces = allNamespaces
    let terminal = isatty(STDOUT_FILENO) == 1
    color = format.isText && terminal && (environment["NO_COLOR"] ?? "").isEmpty
    clearsScreen = terminal
  }

  static let clearScreen = "\u{1B}[H\u{1B}[2J"

  /// Straight to the file descriptor, so a watcher of the output sees each draw at once.
  static func write(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
  }

  func render(_ report: StatusReport, at now: Date) throws -> String {
    switch format {
    case .table, .wide: table(report, now: now)
    case .json: JSON.encode(try document(report), pretty: true) + "\n"
    case .yaml: YAML.emit(try document(report))
    }
  }

  // MARK: Table

  private enum Tone {
    case plain, good, warning, bad

    var code: String? {
      switch self {
      case .plain: nil
      case .good: "32"
      case .warning: "33"
      case .bad: "31"
      }
    }
  }

  private typealias Row = (cells: [String], tone: Tone)

  private var wide: Bool { format == .wide }
  private var showsNamespace: Bool { wide || allNamespaces }

  private func table(_ report: StatusReport, now: Date) -> String {
    var fleetRows: [Row] = []
    var siteRows: [Row] = []
    var readSites = false
    for region in report.regions {
      let namespace = region.namespace ?? "*"
      switch region.outcome {
      case .failure(let error):
        let (state, message, tone) = Self.describe(error)
        fleetRows.append(
          (
            [region.context] + (showsNamespace ? [namespace] : []) + ["-", state]
              + (wide ? ["-"] : []) + Array(repeating: "-", count: 9) + [text(message)],
            tone
          ))
      case .success(let fleets) where fleets.isEmpty:
        let message =
          region.namespace.map { "no Fleets in namespace \($0)" } ?? "no Fleets in any namespace"
        fleetRows.append(
          (
            [region.context] + (showsNamespace ? [namespace] : []) + ["-", "NoFleets"]
              + (wide ? ["-"] : []) + Array(repeating: "-", count: 9) + [message], .plain
          ))
      case .success(let fleets):
        for fleet in fleets {
          fleetRows.append(fleetRow(region.context, fleet, now: now))
          guard let sites = fleet.sites else { continue }
          readSites = true
          for site in sites { siteRows.append(siteRow(region.context, fleet, site, now: now)) }
        }
      }
    }
    var out = render(
      header: ["CONTEXT"] + (showsNamespace ? ["NAMESPACE"] : []) + ["FLEET", "STATE"]
        + (wide ? ["REASON"] : []) + [
          "FETCHED", "APPLIED", "ROLLOUT", "WAVE", "HEALTHY", "FAILING", "UNREACHABLE", "BEHIND",
          "GIT OFFLINE", "LAST ERROR",
        ], rows: fleetRows)
    if readSites {
      out += "\n"
      out +=
        siteRows.isEmpty
        ? "No sites match.\n"
        : render(
          header: ["CONTEXT"] + (showsNamespace ? ["NAMESPACE"] : []) + [
            "FLEET", "SITE", "WAVE", "PHASE", "APPLIED", "DESIRED", "HEALTH", "BEHIND",
            "LAST ERROR",
          ], rows: siteRows)
    }
    return out
  }

  private func fleetRow(_ context: String, _ fleet: FleetStatusEntry, now: Date) -> Row {
    let status = fleet.status
    let ready = status?.condition(FleetConditionType.ready)
    let stalled = status?.condition(FleetConditionType.stalled)?.status == "True"
    let state = Self.state(of: fleet)
    var errors: [String] = []
    if let ready, ready.status != "True", !ready.message.isEmpty {
      errors.append(ready.message)
    } else if stalled, let message = status?.condition(FleetConditionType.stalled)?.message {
      errors.append(message)
    }
    if let controlsError = status?.controlsError {
      errors.append("new site changes are held: \(controlsError)")
    }
    errors += fleet.problems
    let rollout: String = status?.rollout.map { $0.phase + ($0.paused ? " (paused)" : "") } ?? "-"
    var counts: [String] = Array(repeating: "-", count: 4)
    if let sites = status?.sites {
      counts = [
        "\(sites.healthy)/\(sites.total)", "\(sites.failing)", "\(sites.unreachable)",
        "\(sites.behind)",
      ]
    }
    var gitOffline = "-"
    if let since = status?.gitOfflineSince {
      gitOffline = HistoryTable.duration(now.timeIntervalSince(since))
    }
    var cells: [String] = [context]
    if showsNamespace { cells.append(fleet.namespace) }
    cells += [fleet.name, state]
    if wide { cells.append(ready?.reason ?? "-") }
    cells += [
      revision(status?.fetchedRevision), revision(status?.lastGoodRevision), rollout,
      status?.rollout?.wave ?? "-",
    ]
    cells += counts
    cells += [gitOffline, text(errors.joined(separator: "; "))]
    let tone: Tone = fleet.needsAttention ? .bad : (state == "Ready" ? .good : .warning)
    return (cells, tone)
  }

  private func siteRow(
    _ context: String, _ fleet: FleetStatusEntry, _ site: FleetSiteEntry, now: Date
  ) -> Row {
    let record = site.record
    var message =
      record.lastError
      ?? (record.health?.status == "Current" ? nil : record.health?.message)
    if record.phase == "Unreachable", let since = record.unreachableSince {
      message = "unreachable for \(HistoryTable.duration(now.timeIntervalSince(since)))"
    }
    if record.phase == "Pending", let opens = record.nextWindow {
      let wait = max(0, opens.timeIntervalSince(now))
      message =
        "waiting for its maintenance window: opens \(Self.utcMinute(opens))"
        + " (in \(HistoryTable.duration(wait)))"
    }
    if wide && site.uncommitted {
      message = [message, "(a newer state is not committed)"].compactMap { $0 }.joined(
        separator: " ")
    }
    let cells =
      [context] + (showsNamespace ? [fleet.namespace] : []) + [
        fleet.name, site.site, record.wave ?? "-", record.phase, revision(record.appliedRevision),
        revision(record.desiredRevision), record.health?.status ?? "-",
        record.behind ? "yes" : "no", text(message ?? ""),
      ]
    let tone: Tone =
      switch record.phase {
      case "Failed": .bad
      case "Healthy": .good
      case "Unreachable", "RollingBack", "RolledBack": .warning
      default: .plain
      }
    return (cells, tone)
  }

  /// `2025-06-10 20:00 UTC`: windows are local to each store; the table says one zone.
  static func utcMinute(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
    func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
    return "\(parts.year ?? 0)-\(two(parts.month))-\(two(parts.day)) "
      + "\(two(parts.hour)):\(two(parts.minute)) UTC"
  }

  /// One word for how a fleet stands.
  private static func state(of fleet: FleetStatusEntry) -> String {
    guard let status = fleet.status else {
      return fleet.problems.isEmpty ? "NoStatus" : "Unreadable"
    }
    let ready = status.condition(FleetConditionType.ready)?.status
    if status.condition(FleetConditionType.stalled)?.status == "True" { return "Stalled" }
    if ready == "True" { return "Ready" }
    if status.condition(FleetConditionType.reconciling)?.status == "True" { return "Reconciling" }
    return ready == "False" ? "NotReady" : "Unknown"
  }

  private static func describe(_ error: FleetStatusReadError) -> (String, String, Tone) {
    switch error {
    case .unreachable(let message): ("Unreachable", message, .bad)
    case .notInstalled:
      (
        "NotInstalled",
        "no Fleet resource here: run `wavesync install` if this is a region",
        .plain
      )
    case .failed(let message): ("Error", message, .bad)
    }
  }

  private func revision(_ revision: String?) -> String {
    guard let revision else { return "-" }
    return wide ? revision : shortRevision(revision)
  }

  /// One line; the table cuts it short, wide shows it whole.
  private func text(_ message: String) -> String {
    let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
    guard !wide, line.count > 80 else { return line.isEmpty ? "-" : line }
    return String(line.prefix(77)) + "..."
  }

  private func render(header: [String], rows: [Row]) -> String {
    let text = TextTable.render(header: header, rows: rows.map(\.cells))
    guard color else { return text }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    return zip(lines.indices, lines).map { index, line in
      guard index > 0, index <= rows.count, let code = rows[index - 1].tone.code else {
        return String(line)
      }
      return "\u{1B}[\(code)m\(line)\u{1B}[0m"
    }.joined(separator: "\n")
  }

  // MARK: Document

  private func document(_ report: StatusReport) throws -> Value {
    var regions: [Value] = []
    var fleets: [Value] = []
    for region in report.regions {
      var entry: Value = [
        "context": .string(region.context),
        "namespace": region.namespace.map(Value.string) ?? .null,
      ]
      switch region.outcome {
      case .success(let read):
        entry["state"] = "Read"
        entry["fleets"] = .int(Int64(read.count))
        fleets += try read.map { try fleetDocument(region.context, $0) }
      case .failure(let error):
        entry["state"] = .string(Self.describe(error).0)
        entry["message"] = .string(error.description)
      }
      regions.append(entry)
    }
    return [
      "allWell": .bool(report.allWell), "regions": .array(regions), "fleets": .array(fleets),
    ]
  }

  private func fleetDocument(_ context: String, _ fleet: FleetStatusEntry) throws -> Value {
    var status: Value = .null
    if let decoded = fleet.status {
      var value = try StateJSON.value(decoded)
      // The engine's own state is how the controller resumes, not part of the documented shape.
      value["rollout"]?["engine"] = nil
      status = value
    }
    var entry: Value = [
      "context": .string(context), "namespace": .string(fleet.namespace),
      "name": .string(fleet.name), "state": .string(Self.state(of: fleet)),
      "needsAttention": .bool(fleet.needsAttention),
      "status": status, "problems": .array(fleet.problems.map(Value.string)),
    ]
    if let sites = fleet.sites {
      entry["sites"] = .array(
        try sites.map { site -> Value in
          var state = try StateJSON.value(site.record)
          state["engine"] = nil
          return [
            "name": .string(site.objectName), "site": .string(site.site),
            "uncommitted": .bool(site.uncommitted), "state": state,
          ]
        })
    }
    return entry
  }
}
