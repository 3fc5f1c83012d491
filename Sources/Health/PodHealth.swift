import Model

/// A pod is current when it succeeded or is Ready, failed when it failed or a container cannot
/// start (crash loop, image that cannot be pulled, bad configuration), in progress otherwise.
enum PodHealth {
  /// Waiting reasons that will not go away without a change to the pod's spec or surroundings.
  static let failingWaitReasons: Set<String> = [
    "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
    "InvalidImageName",
  ]

  static func health(of pod: LiveObject) -> ObjectHealth {
    let phase = pod.string("status", "phase")
    let containers = pod.value[path: ["spec", "containers"]]?.arrayValue?.count ?? 0
    let statuses = pod.value[path: ["status", "containerStatuses"]]?.arrayValue ?? []
    let total = Int64(max(containers, statuses.count))
    let ready = Int64(statuses.filter { $0["ready"]?.boolValue == true }.count)

    if phase == "Succeeded" {
      return .current(
        "PodSucceeded", "the pod succeeded: \(counted(total, "container")) exited with status 0")
    }
    if phase == "Failed" {
      let failedContainers = statuses.filter {
        ($0[path: ["state", "terminated", "exitCode"]]?.intValue ?? 0) != 0
      }.count
      let detail = pod.string("status", "message").map { ": \($0)" } ?? ""
      let exits =
        failedContainers > 0
        ? " with \(failedContainers) of \(counted(total, "container")) exiting non-zero" : ""
      return .failed(
        pod.string("status", "reason") ?? "PodFailed", "the pod failed\(exits)\(detail)")
    }
    for (key, role) in [
      ("initContainerStatuses", "init container"), ("containerStatuses", "container"),
    ] {
      for container in pod.value[path: ["status", key]]?.arrayValue ?? [] {
        if let failing = failingWait(container, role: role) { return failing }
      }
    }
    if let readiness = pod.condition("Ready"), readiness.isTrue {
      return .current("PodReady", "\(ready) of \(counted(total, "container")) ready")
    }
    if let scheduled = pod.condition("PodScheduled"), scheduled.isFalse {
      return .inProgress(
        scheduled.reason ?? "Unschedulable", "the pod is not scheduled yet\(scheduled.quoted)")
    }
    if phase == nil || phase == "Pending" {
      let initTotal = Int64(pod.value[path: ["spec", "initContainers"]]?.arrayValue?.count ?? 0)
      let initDone = Int64(
        (pod.value[path: ["status", "initContainerStatuses"]]?.arrayValue ?? []).filter {
          $0[path: ["state", "terminated", "exitCode"]]?.intValue == 0
        }.count)
      let initializing =
        initTotal > 0 && initDone < initTotal
        ? ", \(initDone) of \(counted(initTotal, "init container")) done" : ""
      return .inProgress(
        "PodPending",
        "the pod is pending with \(ready) of \(counted(total, "container")) ready\(initializing)")
    }
    return .inProgress(
      "PodNotReady",
      "\(ready) of \(counted(total, "container")) ready in phase \(phase ?? "Unknown")")
  }

  private static func failingWait(_ container: Value, role: String) -> ObjectHealth? {
    guard let reason = container[path: ["state", "waiting", "reason"]]?.stringValue,
      failingWaitReasons.contains(reason)
    else { return nil }
    let name = container["name"]?.stringValue ?? "?"
    let restarts = container["restartCount"]?.intValue ?? 0
    let after = restarts > 0 ? " after \(counted(restarts, "restart"))" : ""
    let detail =
      container[path: ["state", "waiting", "message"]]?.stringValue.map { ": \($0)" } ?? ""
    return .failed(reason, "\(role) \(name) is waiting in \(reason)\(after)\(detail)")
  }
}
