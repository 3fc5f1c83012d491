import KubeClient
import Sync

/// The one place that tells a site that cannot be reached from one that answered with an error,
/// for applies and health checks alike: the rollout policy (`unreachableSites`) decides what
/// an unreachable site means, so it must never be reported as a failure or an unknown health.
enum Unreachability {
  /// Why the site could not be reached, or nil when `error` is an answer from it.
  static func reason(_ error: any Error) -> String? {
    switch error {
    case let error as SyncError:
      if case .unreachable(_, let cause) = error { return reason(cause) ?? error.description }
      return nil
    case let error as KubeError:
      switch error {
      case .unreachable(let cluster, let why): return "cannot reach cluster \(cluster): \(why)"
      case .timeout(let cluster): return "cluster \(cluster) did not answer in time"
      default: return nil
      }
    default:
      return nil
    }
  }
}
