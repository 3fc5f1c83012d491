public import Foundation

/// One running process of a local fleet, for logs, memory figures and leak checks.
public struct FleetProcess: Sendable, Hashable, CustomStringConvertible {
  public enum Role: String, Sendable, Hashable {
    case etcd
    case apiServer = "kube-apiserver"
    case controllerManager = "kube-controller-manager"
    /// The shell that takes the others down if the process that started them dies.
    case watchdog
  }

  public var role: Role
  /// The cluster it serves; nil for the shared etcd and the watchdog.
  public var cluster: String?
  public var pid: Int32
  public var logFile: URL

  public var description: String {
    "\(role.rawValue)\(cluster.map { " of \($0)" } ?? "") (pid \(pid))"
  }
}
