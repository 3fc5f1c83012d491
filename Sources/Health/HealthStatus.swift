/// Where an object stands, as kstatus puts it: `Current` when its controllers have made the live
/// state match the spec, `InProgress` while they work on it, `Failed` when they gave up or the
/// workload cannot run, `Unknown` when nothing can be read from it.
public enum HealthStatus: String, Sendable, Hashable, CaseIterable {
  case current = "Current"
  case inProgress = "InProgress"
  case failed = "Failed"
  case unknown = "Unknown"
}

/// The health of one object (or of a site, from `Health.summarize`).
public struct ObjectHealth: Sendable, Hashable, CustomStringConvertible {
  public var status: HealthStatus
  /// A short CamelCase word: `ReplicasUpdating`, `ProgressDeadlineExceeded`, `CrashLoopBackOff`.
  public var reason: String
  /// One human sentence that names the numbers behind the status.
  public var message: String

  public init(status: HealthStatus, reason: String, message: String) {
    self.status = status
    self.reason = reason
    self.message = message
  }

  /// `InProgress (ReplicasUpdating): 1 of 3 replicas updated`.
  public var description: String { "\(status.rawValue) (\(reason)): \(message)" }

  static func current(_ reason: String, _ message: String) -> Self {
    Self(status: .current, reason: reason, message: message)
  }

  static func inProgress(_ reason: String, _ message: String) -> Self {
    Self(status: .inProgress, reason: reason, message: message)
  }

  static func failed(_ reason: String, _ message: String) -> Self {
    Self(status: .failed, reason: reason, message: message)
  }

  static func unknown(_ reason: String, _ message: String) -> Self {
    Self(status: .unknown, reason: reason, message: message)
  }
}
