/// A Deployment rolls out when all its replicas run the latest template, no old ones are left
/// and the updated ones are available; it fails when its progress deadline passes.
enum DeploymentHealth {
  static func health(of deployment: LiveObject) -> ObjectHealth {
    let desired = deployment.specReplicas
    let replicas = deployment.count("replicas")
    let updated = deployment.count("updatedReplicas")
    let available = deployment.count("availableReplicas")

    if let progressing = deployment.condition("Progressing"),
      progressing.reason == "ProgressDeadlineExceeded"
    {
      let deadline = deployment.int("spec", "progressDeadlineSeconds") ?? 600
      return .failed(
        "ProgressDeadlineExceeded",
        "the rollout made no progress within its \(deadline) s deadline: \(updated) of "
          + "\(counted(desired, "replica")) updated, \(available) available")
    }
    if let failure = deployment.condition("ReplicaFailure"), failure.isTrue {
      return .inProgress(
        "ReplicaFailure",
        "\(updated) of \(counted(desired, "replica")) updated; replicas cannot be created"
          + failure.quoted)
    }
    if updated < desired {
      return .inProgress(
        "ReplicasUpdating",
        "\(updated) of \(counted(desired, "replica")) updated to the latest template")
    }
    if replicas > updated {
      return .inProgress(
        "OldReplicasTerminating",
        "\(counted(replicas - updated, "old replica")) still to be removed "
          + "(\(replicas) running, \(updated) updated)")
    }
    if available < updated {
      return .inProgress(
        "ReplicasBecomingAvailable",
        "\(available) of \(counted(updated, "updated replica")) available")
    }
    guard let availability = deployment.condition("Available") else {
      return .inProgress(
        "WaitingForAvailable",
        "\(available) of \(counted(desired, "replica")) available, but the controller has not "
          + "reported the Available condition yet")
    }
    guard availability.isTrue else {
      return .inProgress(
        availability.reason ?? "NotAvailable",
        "\(available) of \(counted(desired, "replica")) available, but the Available condition "
          + "is \(availability.status)\(availability.quoted)")
    }
    return .current(
      "RolloutComplete", "\(available) of \(counted(desired, "replica")) updated and available")
  }
}
