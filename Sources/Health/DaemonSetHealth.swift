/// A DaemonSet is current when every node that should run its pod runs one of the latest
/// template, available.
enum DaemonSetHealth {
  static func health(of set: LiveObject) -> ObjectHealth {
    guard let desired = set.int("status", "desiredNumberScheduled") else {
      return .inProgress(
        "NotScheduledYet", "the controller has not counted the nodes to run on yet (0 of them)")
    }
    let scheduled = set.count("currentNumberScheduled")
    let updated = set.count("updatedNumberScheduled")
    let available = set.count("numberAvailable")
    let misscheduled = set.count("numberMisscheduled")
    let strategy = set.string("spec", "updateStrategy", "type") ?? "RollingUpdate"

    if scheduled < desired {
      return .inProgress(
        "PodsScheduling", "\(scheduled) of \(counted(desired, "node")) run a pod so far")
    }
    if misscheduled > 0 {
      return .inProgress(
        "PodsMisscheduled",
        "\(counted(misscheduled, "node")) still run a pod they should not "
          + "(\(scheduled) of \(counted(desired, "node")) scheduled)")
    }
    if strategy == "RollingUpdate" && updated < desired {
      return .inProgress(
        "PodsUpdating", "\(updated) of \(counted(desired, "node")) run the latest template")
    }
    if available < desired {
      return .inProgress(
        "PodsBecomingAvailable",
        "\(available) of \(counted(desired, "node")) run an available pod")
    }
    return .current(
      "RolloutComplete",
      strategy == "RollingUpdate"
        ? "\(available) of \(counted(desired, "node")) run an updated, available pod"
        : "\(available) of \(counted(desired, "node")) run an available pod; under the "
          + "OnDelete strategy pods move to a new template only when deleted")
  }
}
