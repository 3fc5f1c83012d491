/// A ReplicaSet is current when it runs exactly its replicas, all ready and available.
enum ReplicaSetHealth {
  static func health(of set: LiveObject) -> ObjectHealth {
    let desired = set.specReplicas
    let replicas = set.count("replicas")
    let ready = set.count("readyReplicas")
    let available = set.count("availableReplicas")

    if let failure = set.condition("ReplicaFailure"), failure.isTrue {
      // Quota, admission: kstatus keeps this in progress, as the cause may go away.
      return .inProgress(
        "ReplicaFailure",
        "\(replicas) of \(counted(desired, "replica")) created; the others cannot be"
          + failure.quoted)
    }
    if replicas < desired {
      return .inProgress(
        "ReplicasCreating", "\(replicas) of \(counted(desired, "replica")) created")
    }
    if replicas > desired {
      return .inProgress(
        "ReplicasTerminating",
        "\(counted(replicas - desired, "replica")) still to be removed "
          + "(\(replicas) running, \(desired) wanted)")
    }
    if ready < desired {
      return .inProgress("ReplicasNotReady", "\(ready) of \(counted(desired, "replica")) ready")
    }
    if available < desired {
      return .inProgress(
        "ReplicasBecomingAvailable", "\(available) of \(counted(desired, "replica")) available")
    }
    return .current(
      "ReplicasAvailable", "\(available) of \(counted(desired, "replica")) ready and available")
  }
}
