import Controller
import Foundation
import Model
import Rollout

/// `wavesync plan`'s schedule columns and its JSON: the wording of `RolloutSchedule.Plan`.
struct PlanSchedule {
  let plan: RolloutSchedule.Plan
  let start: Date
  let sites: [Site]

  var projection: RolloutProjection { plan.projection }

  static let header = ["BYTES", "LINK", "WINDOWS", "START", "END"]

  /// A site's schedule cells: payload, link, windows, and start/end as offsets from now.
  static func cells(_ site: Site, _ times: RolloutProjection.SiteTimes?, now: Date) -> [String] {
    let bytes = times.map { $0.bytes.map(Self.bytes) ?? "unknown" } ?? "-"
    let link = site.downlink.map { "\($0)" } ?? "-"
    func offset(_ date: Date?) -> String {
      guard let date else { return times == nil ? "-" : "never" }
      return "+" + HistoryTable.duration(max(0, date.timeIntervalSince(now)))
    }
    var end = offset(times?.end)
    if times?.exceedsHealthTimeout == true { end += " (outlasts healthTimeout)" }
    return [bytes, link, windows(site), offset(times?.start), end]
  }

  /// `lower bound 20s, planned 20s` for a wave.
  static func describe(_ wave: RolloutProjection.WaveTimes) -> String {
    let bound = "lower bound \(HistoryTable.duration(wave.lowerBoundSeconds))"
    guard let start = wave.start, let end = wave.end else {
      return bound + (wave.start == nil ? "" : ", planned: some sites never start")
    }
    let planned = end.timeIntervalSince(start) + wave.soakSeconds
    return bound + ", planned \(HistoryTable.duration(planned))"
  }

  static func windows(_ site: Site) -> String {
    guard !site.maintenanceWindows.isEmpty else { return "any time" }
    let text = site.maintenanceWindows.map { window in
      let days =
        Set(window.days) == Set(MaintenanceWindow.Day.allCases)
        ? "daily" : window.days.map(\.rawValue).joined(separator: ",")
      let start = String(format: "%02d:%02d", window.startMinute / 60, window.startMinute % 60)
      return "\(days) \(start)+\(HistoryTable.duration(window.durationSeconds))"
    }.joined(separator: "; ")
    return text + " " + (site.timezone ?? "UTC")
  }

  static func bytes(_ count: Int64) -> String {
    let units: [(Double, String)] = [(1e9, "GB"), (1e6, "MB"), (1e3, "kB")]
    for (size, unit) in units where Double(count) >= size {
      return String(format: "%.1f %@", Double(count) / size, unit)
    }
    return "\(count) B"
  }

  /// The schedule for scripts: seconds from the plan's start, bytes, rates in bits per second.
  static func json(_ schedule: PlanSchedule, revision: String) -> String {
    func rounded(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }
    func seconds(_ date: Date?) -> Value {
      date.map { .double(rounded($0.timeIntervalSince(schedule.start))) } ?? .null
    }
    let bySite = Dictionary(
      schedule.sites.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    let waves: [Value] = schedule.projection.waves.map { wave in
      let sites: [Value] = schedule.projection.sites.filter { $0.wave == wave.name }.map { times in
        let site = bySite[times.site]
        return .object([
          "site": .string(times.site),
          "bytes": times.bytes.map { .int($0) } ?? .null,
          "downlinkBitsPerSecond": site?.downlink.map { .int($0.bitsPerSecond) } ?? .null,
          "windows": .string(site.map(windows) ?? ""),
          "startSeconds": seconds(times.start), "endSeconds": seconds(times.end),
          "exceedsHealthTimeout": .bool(times.exceedsHealthTimeout),
        ])
      }
      let planned: Value =
        if let start = wave.start, let end = wave.end {
          .double(rounded(end.timeIntervalSince(start) + wave.soakSeconds))
        } else { .null }
      return .object([
        "name": .string(wave.name),
        "lowerBoundSeconds": .double(rounded(wave.lowerBoundSeconds)),
        "plannedSeconds": planned, "sites": .array(sites),
      ])
    }
    return JSON.encode(
      .object([
        "revision": .string(revision), "endSeconds": seconds(schedule.projection.end),
        "waves": .array(waves),
      ]), pretty: true)
  }
}
