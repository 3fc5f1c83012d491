import Model

/// Whether a site's workloads have pulled the images of their current revision: each workload
/// has as many current-revision pods as it wants, and every container and init container of
/// each reports an image id (the kubelet sets it once the image is on the node, whether the
/// container then runs, crashes or waits). From then on the site moves no more image bytes for
/// the revision, and gives back its share of the uplink. Pure.
enum ImagePulls {
  static func complete(workloads: [Value], pods: CurrentRevisionPods) -> Bool {
    workloads.allSatisfy { workload in
      guard let wanted = wantedPods(of: workload) else { return false }
      let current = pods.pods(of: workload)
      return current.count >= wanted && current.allSatisfy(pulled)
    }
  }

  /// The pods a workload wants: its replicas (1 when unset), or for a DaemonSet the nodes it
  /// should run on; nil while a DaemonSet has not said.
  static func wantedPods(of workload: Value) -> Int? {
    switch workload["kind"]?.stringValue {
    case "Deployment", "StatefulSet":
      return workload[path: ["spec", "replicas"]]?.intValue.map(Int.init) ?? 1
    case "DaemonSet":
      return workload[path: ["status", "desiredNumberScheduled"]]?.intValue.map(Int.init)
    default:
      return nil
    }
  }

  /// Every container and init container of `pod` reports an image id.
  static func pulled(_ pod: Value) -> Bool {
    let specified =
      (pod[path: ["spec", "containers"]]?.arrayValue?.count ?? 0)
      + (pod[path: ["spec", "initContainers"]]?.arrayValue?.count ?? 0)
    let statuses =
      (pod[path: ["status", "containerStatuses"]]?.arrayValue ?? [])
      + (pod[path: ["status", "initContainerStatuses"]]?.arrayValue ?? [])
    return statuses.count >= specified
      && statuses.allSatisfy { !($0["imageID"]?.stringValue ?? "").isEmpty }
  }
}
