/// A StatefulSet is current when it runs exactly its replicas, all ready, and (under
/// `RollingUpdate`) the replicas its partition lets update are on the update revision. Under
/// `OnDelete` pods change revision only when someone deletes them, so readiness is enough.
enum StatefulSetHealth {
  static func health(of set: LiveObject) -> ObjectHealth {
    let desired = set.specReplicas
    let replicas = set.count("replicas")
    let ready = set.count("readyReplicas")
    let updated = set.count("updatedReplicas")
    let strategy = set.string("spec", "updateStrategy", "type") ?? "RollingUpdate"
    let partition = max(0, set.int("spec", "updateStrategy", "rollingUpdate", "partition") ?? 0)

    if replicas > desired {
      return .inProgress(
        "ReplicasTerminating",
        "\(counted(replicas - desired, "replica")) still to be removed "
          + "(\(replicas) running, \(desired) wanted)")
    }
    if ready < desired {
      // Pods start one ordinal after the other: readiness is what a rollout waits on first.
      let created = replicas < desired ? ", \(replicas) created" : ""
      return .inProgress(
        "ReplicasNotReady", "\(ready) of \(counted(desired, "replica")) ready\(created)")
    }
    if strategy == "RollingUpdate" {
      // Ordinals at or above the partition take the update revision; those below keep theirs.
      let toUpdate = max(0, desired - partition)
      if updated < toUpdate {
        let scope = partition > 0 ? " (partition \(partition))" : ""
        return .inProgress(
          "ReplicasUpdating",
          "\(updated) of \(counted(toUpdate, "replica")) updated to the latest revision\(scope)")
      }
    }
    if strategy == "OnDelete" {
      return .current(
        "OnDeleteReplicasReady",
        "\(ready) of \(counted(desired, "replica")) ready; under the OnDelete strategy pods move "
          + "to a new revision only when deleted")
    }
    if partition > 0 {
      let toUpdate = max(0, desired - partition)
      return .current(
        "PartitionRolledOut",
        "\(ready) of \(counted(desired, "replica")) ready and the \(toUpdate) at or above "
          + "partition \(partition) updated")
    }
    if let current = set.string("status", "currentRevision"),
      let update = set.string("status", "updateRevision"), current != update
    {
      return .inProgress(
        "RevisionUpdating",
        "\(updated) of \(counted(desired, "replica")) updated, but the controller has not "
          + "moved the current revision \(current) to \(update) yet")
    }
    return .current(
      "RolloutComplete", "\(ready) of \(counted(desired, "replica")) updated and ready")
  }
}
