public import KubeClient

/// Why a sync did not happen, naming the site and the object. Nothing was written when a
/// dry-run failed: a site is never half-applied by an invalid object.
public enum SyncError: Error, Sendable, Equatable, CustomStringConvertible {
  case rejected(site: String, object: String, reason: KubeError)
  case conflict(site: String, object: String, message: String)
  case unreachable(site: String, reason: KubeError)
  case failed(site: String, object: String, reason: KubeError)
  case corruptInventory(app: String, line: String)
  case invalidObject(String)

  public var description: String {
    switch self {
    case .rejected(let site, _, let reason):
      "\(reason) (nothing was applied to site \(site))"
    case .conflict(let site, let object, let message):
      "site \(site): \(object) has fields owned by another manager (\(message))"
    case .unreachable(let site, let reason): "site \(site) is unreachable: \(reason)"
    case .failed(_, _, let reason): "\(reason)"
    case .corruptInventory(let app, let line):
      "the inventory of app \(app) has an unreadable line: \(line)"
    case .invalidObject(let message): message
    }
  }
}
