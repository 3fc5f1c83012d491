internal import Foundation
import Model

extension Site {
  static let fields = ["apiVersion", "kind", "metadata", "spec"]

  /// Reads a `kind: Site` object found at `pointer` of a document (`""` for the whole document).
  static func read(_ reader: DocumentReader, at pointer: String) throws(RenderError) -> Site {
    try reader.onlyFields(pointer, fields)
    try reader.onlyFields(pointer + "/metadata", ["name", "labels", "annotations"])
    try reader.onlyFields(
      pointer + "/spec", ["timezone", "link", "maintenanceWindows", "cluster", "vars"])
    try reader.onlyFields(pointer + "/spec/link", ["downlink", "uplink"])
    try reader.onlyFields(pointer + "/spec/cluster", ["context"])
    let name = try reader.requiredString(pointer + "/metadata/name")
    guard Site.isDNSLabel(name) else {
      throw reader.fail(
        pointer + "/metadata/name",
        "site name \"\(name)\" must be a DNS-1123 label (lowercase letters, digits, '-')")
    }
    let labels = try reader.stringMap(pointer + "/metadata/labels")
    for (key, value) in labels {
      do {
        try LabelSyntax.validateKey(key)
        try LabelSyntax.validateValue(value)
      } catch {
        throw reader.fail(pointer + "/metadata/labels/" + key, error.description)
      }
    }
    if let latency = labels[Placement.latencyLabel], GoDuration.seconds(latency) == nil {
      throw reader.fail(
        pointer + "/metadata/labels/" + Placement.latencyLabel,
        "expected a duration like 8ms (edge.io/latency-requirement compares it), found \"\(latency)\""
      )
    }
    let timezone = try reader.string(pointer + "/spec/timezone")
    if let timezone, TimeZone(identifier: timezone) == nil {
      throw reader.fail(
        pointer + "/spec/timezone",
        "unknown time zone \"\(timezone)\" (expected an IANA name like Europe/Paris)")
    }
    var windows: [MaintenanceWindow] = []
    for index in try reader.list(pointer + "/spec/maintenanceWindows").indices {
      let at = pointer + "/spec/maintenanceWindows/\(index)"
      try reader.onlyFields(at, ["days", "start", "duration"])
      var days: [MaintenanceWindow.Day] = []
      for (dayIndex, day) in try reader.list(at + "/days").enumerated() {
        guard let text = day.stringValue, let parsed = MaintenanceWindow.Day(rawValue: text) else {
          throw reader.fail(
            "\(at)/days/\(dayIndex)", "expected a day of Mon, Tue, Wed, Thu, Fri, Sat, Sun")
        }
        days.append(parsed)
      }
      let start = try reader.requiredString(at + "/start")
      let parts = start.split(separator: ":")
      guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
        (0..<24).contains(hour),
        (0..<60).contains(minute)
      else {
        throw reader.fail(at + "/start", "expected a local time like \"22:00\", found \"\(start)\"")
      }
      guard let duration = try reader.duration(at + "/duration", like: "6h") else {
        throw reader.fail(at + "/duration", "is required")
      }
      guard duration > 0 else { throw reader.fail(at + "/duration", "must be more than zero") }
      windows.append(
        MaintenanceWindow(
          days: days.isEmpty ? MaintenanceWindow.Day.allCases : days,
          startMinute: hour * 60 + minute,
          durationSeconds: duration))
    }
    return Site(
      name: name, labels: Dictionary(uniqueKeysWithValues: labels.map { ($0.key, $0.value) }),
      timezone: timezone,
      downlink: try reader.parse(
        pointer + "/spec/link/downlink", "a rate like 20Mbps", BitRate.init(parsing:)),
      uplink: try reader.parse(
        pointer + "/spec/link/uplink", "a rate like 20Mbps", BitRate.init(parsing:)),
      maintenanceWindows: windows, context: try reader.string(pointer + "/spec/cluster/context"),
      vars: Dictionary(
        uniqueKeysWithValues: try reader.stringMap(pointer + "/spec/vars").map {
          ($0.key, $0.value)
        }),
      file: reader.file)
  }
}

extension Site {
  /// RFC 1123 label: what Kubernetes accepts as a context-friendly, URL-safe name.
  static func isDNSLabel(_ name: String) -> Bool {
    guard (1...63).contains(name.count), let first = name.first, let last = name.last,
      first.isASCII && (first.isLowercase || first.isNumber),
      last.isASCII && (last.isLowercase || last.isNumber)
    else { return false }
    return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
  }
}
