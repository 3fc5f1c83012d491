/// One store cluster: its labels (what selectors match), link, maintenance windows and how
/// to reach it. Credentials are never part of a site; they live in the kubeconfig.
public struct Site: Sendable, Hashable {
  public var name: String
  public var labels: [String: String]
  public var timezone: String?
  public var downlink: BitRate?
  public var uplink: BitRate?
  public var maintenanceWindows: [MaintenanceWindow]
  /// The kubeconfig context of the site's cluster (default: the site's name).
  public var context: String
  public var vars: [String: String]
  /// The file the site is defined in.
  public var file: String

  public init(
    name: String, labels: [String: String], timezone: String? = nil, downlink: BitRate? = nil,
    uplink: BitRate? = nil, maintenanceWindows: [MaintenanceWindow] = [], context: String? = nil,
    vars: [String: String] = [:], file: String = ""
  ) {
    self.name = name
    self.labels = labels
    self.timezone = timezone
    self.downlink = downlink
    self.uplink = uplink
    self.maintenanceWindows = maintenanceWindows
    self.context = context ?? name
    self.vars = vars
    self.file = file
  }
}

/// A weekly window, in the site's local time, in which changes may be applied.
public struct MaintenanceWindow: Sendable, Hashable {
  public enum Day: String, Sendable, CaseIterable {
    case monday = "Mon"
    case tuesday = "Tue"
    case wednesday = "Wed"
    case thursday = "Thu"
    case friday = "Fri"
    case saturday = "Sat"
    case sunday = "Sun"
  }
  public var days: [Day]
  /// Minutes after local midnight.
  public var startMinute: Int
  public var durationSeconds: Double

  public init(days: [Day], startMinute: Int, durationSeconds: Double) {
    self.days = days
    self.startMinute = startMinute
    self.durationSeconds = durationSeconds
  }
}
